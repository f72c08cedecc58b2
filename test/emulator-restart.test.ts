/**
 * Issue 28, DCS outages: `dcs-migrate emulator` stopped (SIGTERM) or killed (SIGKILL) and started again on the same
 * port and data dir has its tasks (ids, statuses, error), its instances with their data, ports and service addresses,
 * and an incremental task follows its source again. Real processes, real redis-servers, a real kill -9.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulatorProcess, type EmulatorProcess } from '../emulator/testing/emulator-process.js';
import { callDcs, waitForStatus } from '../emulator/testing/signed-http.js';
import { isRunning } from '../local/processes.js';
import { portAcceptsConnections, waitFor } from '../local/wait.js';

const PASSWORD = 'restart-secret';
const INSTANCES = [`src@${PASSWORD}`, `full@${PASSWORD}`, `inc:ha@${PASSWORD}`];
const INSTANCE_FLAGS = INSTANCES.flatMap((spec) => ['--instance', spec]);
const TIMINGS = ['--creating-ms', '50', '--terminating-ms', '50'];
const KEYS = 300;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Run {
  emu: EmulatorProcess;
  dataDir: string;
  log: string;
  tasks: { full: string; incremental: string; failed: string };
}

function connect(address: { host: string; port: number }): Redis {
  const redis = new Redis({ ...address, password: PASSWORD, maxRetriesPerRequest: 1 });
  // Connections to an emulator that is stopped or killed break: expected here.
  redis.on('error', () => {});
  cleanups.push(async () => void redis.disconnect());
  return redis;
}

/** CreateOnlineMigrationTask: the task's migration machine. */
function createMachine(emu: EmulatorProcess, name: string) {
  const body = { name, vpc_id: 'v', subnet_id: 's', security_group_id: 'g' };
  return callDcs(emu, 'POST', '/migration/instance', { body });
}

/** An online task configured with `method` from src to `target` (a wrong password makes it FAILED). */
async function onlineTask(emu: EmulatorProcess, name: string, target: string, method: string, password = PASSWORD) {
  const created = await createMachine(emu, name);
  expect(created.status).toBe(200);
  const id: string = created.body.instance_id;
  await waitForStatus(emu, id, ['RUNNING']);
  const configured = await callDcs(emu, 'POST', `/migration/${id}/task`, {
    body: {
      migration_method: method,
      resume_mode: 'auto',
      source_instance: { id: 'src', password: PASSWORD },
      target_instance: { id: target, password },
    },
  });
  expect(configured.status).toBe(200);
  return id;
}

async function serviceOf(emu: EmulatorProcess, id: string): Promise<{ host: string; port: number }> {
  const service = (await emu.instances()).find((instance) => instance.id === id)?.service;
  if (!service) throw new Error(`instance ${id} has no service address`);
  return service;
}

/** The first emulator: three instances, seeded, and a finished full task, an incremental one and a FAILED one. */
async function firstRun(): Promise<Run> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dcs-emulator-restart-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const log = path.join(dataDir, 'emulator.log');
  const port = await getPort({ host: '127.0.0.1' });
  const args = [...INSTANCE_FLAGS, ...TIMINGS];
  const emu = await startEmulatorProcess({ port, dataDir: path.join(dataDir, 'data'), log, args });
  cleanups.push(() => emu.proc.stop());
  const source = connect(await serviceOf(emu, 'src'));
  const pipeline = source.pipeline();
  for (let index = 0; index < KEYS; index++) pipeline.set(`key:${index}`, `value-${index}`);
  await pipeline.exec();
  const full = await onlineTask(emu, 'full', 'full', 'full_amount_migration');
  const incremental = await onlineTask(emu, 'incremental', 'inc', 'incremental_migration');
  const failed = await onlineTask(emu, 'failed', 'full', 'full_amount_migration', 'not-the-password');
  await waitForStatus(emu, full, ['SUCCESS']);
  await waitForStatus(emu, incremental, ['INCRMIGEATING']);
  await waitForStatus(emu, failed, ['FAILED']);
  // Keys of the instances' own, beyond what migrations wrote.
  await connect(await serviceOf(emu, 'full')).set('own:full', 'kept');
  await source.set('followed:before', '1');
  const target = connect(await serviceOf(emu, 'inc'));
  const copied = async () => (await target.get('followed:before')) === '1';
  await waitFor('the incremental task to copy a key', copied, 20_000);
  return { emu, dataDir: path.join(dataDir, 'data'), log, tasks: { full, incremental, failed } };
}

async function listTasks(emu: EmulatorProcess): Promise<Record<string, { status: string; error: string }>> {
  const page = await callDcs(emu, 'GET', '/migration-tasks?limit=100');
  expect(page.status).toBe(200);
  const items = page.body.migration_tasks as Array<{ task_id: string; status: string; error_message: string }>;
  return Object.fromEntries(items.map((item) => [item.task_id, { status: item.status, error: item.error_message }]));
}

/** Pids of the redis-servers behind every instance, by asking each server. */
async function serverPids(emu: EmulatorProcess): Promise<Map<number, number>> {
  const pids = new Map<number, number>();
  for (const instance of await emu.instances()) {
    const ports = [instance.port, ...(instance.id === 'inc' ? await standbyPorts(instance) : [])];
    for (const port of ports) {
      const redis = connect({ host: '127.0.0.1', port });
      pids.set(port, Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]));
      redis.disconnect();
    }
  }
  return pids;
}

async function standbyPorts(master: { host: string; port: number }): Promise<number[]> {
  const redis = connect(master);
  const info = await redis.info('replication');
  redis.disconnect();
  return [...info.matchAll(/^slave\d+:ip=[^,]+,port=(\d+)/gm)].map((match) => Number(match[1]));
}

/** Checks what the restarted emulator has against what the first one had; prints how long catching up took. */
async function expectRestored(run: Run, emu: EmulatorProcess, before: { tasks: object; instances: object }) {
  const tasks = await listTasks(emu);
  expect(tasks).toMatchObject(before.tasks);
  expect(tasks[run.tasks.full]?.status).toBe('SUCCESS');
  expect(tasks[run.tasks.incremental]?.status).toBe('INCRMIGEATING');
  expect(tasks[run.tasks.failed]).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/.+/) });
  expect(await emu.instances()).toEqual(before.instances);
  const stats = await callDcs(emu, 'GET', `/migration-task/${run.tasks.full}/stats`);
  expect(stats.body.full_migration_progress).toBe('100');

  const full = connect(await serviceOf(emu, 'full'));
  expect(await full.dbsize()).toBe(KEYS + 1);
  expect(await full.get('own:full')).toBe('kept');
  const target = connect(await serviceOf(emu, 'inc'));
  expect(await target.get('followed:before')).toBe('1');

  const written = performance.now();
  await connect(await serviceOf(emu, 'src')).set('followed:after', 'restart');
  const copied = async () => (await target.get('followed:after')) === 'restart';
  await waitFor('the resumed incremental task to copy a new key', copied, 30_000, 20);
  const ms = Math.round(performance.now() - written);
  console.log(`  a key written to the source after the restart reached the target in ${ms} ms`);
  expect(await waitForStatus(emu, run.tasks.incremental, ['INCRMIGEATING'])).toBeTruthy();
  const logs = await callDcs(emu, 'GET', `/migration-task/${run.tasks.incremental}/logs?limit=100`);
  expect(logs.body.migration_logs.map((line: { log_code: string }) => line.log_code)).toContain('migration.resumed');
}

async function restart(run: Run, args: string[]): Promise<{ emu: EmulatorProcess; ms: number }> {
  const started = performance.now();
  const again = { port: run.emu.port, dataDir: run.dataDir, log: run.log };
  const emu = await startEmulatorProcess({ ...again, args: [...args, ...TIMINGS] });
  cleanups.push(() => emu.proc.stop());
  return { emu, ms: Math.round(performance.now() - started) };
}

describe('the emulator keeps its state across restarts (issue 28)', () => {
  it('SIGTERM, started again with the same flags: tasks, instances, data, addresses; incremental resumes', async () => {
    const run = await firstRun();
    const before = { tasks: await listTasks(run.emu), instances: await run.emu.instances() };
    const pids = await serverPids(run.emu);

    const stopping = performance.now();
    await run.emu.proc.stop();
    expect((await run.emu.proc.exited).code).toBe(0);
    const stopMs = Math.round(performance.now() - stopping);
    for (const pid of pids.values()) expect(isRunning(pid)).toBe(false);

    const { emu, ms } = await restart(run, INSTANCE_FLAGS);
    console.log(`  SIGTERM: stopped in ${stopMs} ms, started again in ${ms} ms`);
    expect(await emu.output()).toMatch(/Restored from the data dir: 3 task\(s\), 3 instance\(s\)\n/);
    await expectRestored(run, emu, before);
    expect((await run.emu.output()) + (await emu.output())).not.toContain(PASSWORD);
  });

  it('SIGKILL, started again without flags: the same, a task answered before the kill, no server twice', async () => {
    const run = await firstRun();
    const created = await createMachine(run.emu, 'last-words');
    expect(created.status).toBe(200);
    const before = { tasks: await listTasks(run.emu), instances: await run.emu.instances() };
    const pids = await serverPids(run.emu);

    await run.emu.proc.kill();
    // Nothing stops a child with its parent: the servers of the killed emulator are still there.
    for (const pid of pids.values()) expect(isRunning(pid)).toBe(true);

    const { emu, ms } = await restart(run, []);
    console.log(`  SIGKILL: started again in ${ms} ms (stopping the ${pids.size} redis-servers left running first)`);
    const restored = /Restored from the data dir: 4 task\(s\), 3 instance\(s\); stopped \d+ redis-server/;
    expect(await emu.output()).toMatch(restored);
    // Each server port is served by one new process: the old ones are gone, none runs twice.
    const now = await serverPids(emu);
    expect([...now.keys()].sort()).toEqual([...pids.keys()].sort());
    for (const [port, pid] of pids) {
      expect(isRunning(pid)).toBe(false);
      expect(now.get(port)).not.toBe(pid);
    }
    const tasks = await listTasks(emu);
    expect(tasks[created.body.instance_id]?.status).toMatch(/^(CREATING|RUNNING)$/);
    const lastWords = { [created.body.instance_id]: expect.anything() };
    await expectRestored(run, emu, { ...before, tasks: { ...before.tasks, ...lastWords } });

    await emu.proc.stop();
    for (const port of now.keys()) expect(await portAcceptsConnections(port)).toBe(false);
  });
});
