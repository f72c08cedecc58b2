/**
 * The emulator started again on its data dir, in process (`emu.stop()` is what SIGTERM does): a Redis Cluster
 * instance keeps its data and ports, an IP switch stays switched, and what cannot be the same instance is refused.
 * The real-process SIGTERM/SIGKILL restarts are test/emulator-restart.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../index.js';
import { callDcs, waitForStatus } from '../testing/signed-http.js';

const PASSWORD = 'restart-in-process-pw';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-emulator-state-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(options: EmulatorOptions): Promise<Emulator> {
  const emu = await startEmulator({ timings: { creatingMs: 20, terminatingMs: 20, exchangingMs: 200 }, ...options });
  cleanups.push(() => emu.stop());
  return emu;
}

function client(address: { host: string; port: number }): Redis {
  const redis = new Redis({ ...address, password: PASSWORD, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  cleanups.push(async () => void redis.disconnect());
  return redis;
}

describe('the emulator started again on its data dir', () => {
  it('keeps a Redis Cluster instance (data, ports) and an IP switch switched', async () => {
    const dir = await dataDir();
    const instances = [
      { id: 'a', password: PASSWORD },
      { id: 'b', password: PASSWORD },
      { id: 'c', password: PASSWORD, topology: { mode: 'cluster' as const, masters: 3, replicasPerMaster: 0 } },
    ];
    const first = await start({ dataDir: dir, instances });
    const cluster = new Cluster([first.instance('c').endpoint], { redisOptions: { password: PASSWORD } });
    for (let index = 0; index < 50; index++) await cluster.set(`k${index}`, String(index));
    cluster.disconnect();

    const taskId = await incrementalTask(first);
    const addressOfA = first.instance('a').service!;
    expect((await callDcs(first, 'POST', `/migration-task/${taskId}/exchange-ip`, { body: {} })).status).toBe(204);
    await waitForSwitch(first, taskId, 'EXCHANGE_SUCCESS');
    const before = first.instances();
    await first.stop();

    const second = await start({ dataDir: dir, instances });
    expect(second.restored).toMatchObject({ tasks: 1, instances: 3, orphansStopped: [] });
    expect(second.instances()).toEqual(before);
    // The address a had before the switch still reaches b's server (the server says which port it serves).
    const served = await client(addressOfA).info('server');
    expect(/tcp_port:(\d+)/.exec(served)?.[1]).toBe(String(second.instance('b').endpoint.port));
    const detail = await callDcs(second, 'GET', `/migration-task/${taskId}`);
    expect(detail.body).toMatchObject({ status: 'INCRMIGEATING', task_status: 'EXCHANGE_SUCCESS' });
    const again = new Cluster([second.instance('c').endpoint], { redisOptions: { password: PASSWORD } });
    cleanups.push(async () => void again.disconnect());
    expect(await again.get('k49')).toBe('49');
    expect(await again.get('k0')).toBe('0');
  });

  it('finishes an IP switch that was under way when the emulator stopped', async () => {
    const dir = await dataDir();
    const instances = [
      { id: 'a', password: PASSWORD },
      { id: 'b', password: PASSWORD },
    ];
    const timings = { creatingMs: 20, terminatingMs: 20, exchangingMs: 5_000 };
    const first = await start({ dataDir: dir, instances, timings });
    const taskId = await incrementalTask(first);
    const addressOfA = first.instance('a').service!;
    expect((await callDcs(first, 'POST', `/migration-task/${taskId}/exchange-ip`, { body: {} })).status).toBe(204);
    expect((await callDcs(first, 'GET', `/migration-task/${taskId}`)).body.task_status).toBe('EXCHANGING');
    await first.stop();

    const second = await start({ dataDir: dir, instances, timings: { ...timings, exchangingMs: 200 } });
    await waitForSwitch(second, taskId, 'EXCHANGE_SUCCESS');
    const served = await client(addressOfA).info('server');
    expect(/tcp_port:(\d+)/.exec(served)?.[1]).toBe(String(second.instance('b').endpoint.port));
    const logs = await callDcs(second, 'GET', `/migration-task/${taskId}/logs?limit=100`);
    const codes = logs.body.migration_logs.map((line: { log_code: string }) => line.log_code);
    expect(codes).toContain('migration.ip.resumed');
  });

  it('refuses an instance given with another password or type than it holds, and a second emulator', async () => {
    const dir = await dataDir();
    const first = await start({ dataDir: dir, instances: [{ id: 'x', password: 'first-password' }] });
    const inUse = new RegExp(`in use by another emulator \\(pid ${process.pid}`);
    await expect(startEmulator({ dataDir: dir })).rejects.toThrow(inUse);
    await first.stop();
    const stopped = async (emu: Emulator) => `started: ${await emu.stop()}`;
    const refusal = (options: EmulatorOptions) => startEmulator(options).then(stopped, String);
    const other = await refusal({ dataDir: dir, instances: [{ id: 'x', password: 'second-password' }] });
    expect(other).toMatch(/holds instance x with another password/);
    expect(other).not.toMatch(/first-password|second-password/);
    const ha = { id: 'x', password: 'first-password', topology: { mode: 'ha' as const, standbys: 1 } };
    expect(await refusal({ dataDir: dir, instances: [ha] })).toMatch(/holds instance x as single, not ha:1/);
    // Refusing changed nothing: the instance is there as it was.
    const third = await start({ dataDir: dir, instances: [{ id: 'x', password: 'first-password' }] });
    expect(third.instance('x').endpoint.port).toBe(first.instance('x').endpoint.port);
  });

  it('refuses a damaged state file naming the field', async () => {
    const dir = await dataDir();
    const addresses = { addresses: [], holders: {}, domainHolders: {} };
    const damaged = { version: 1, instances: [], addresses, tasks: [{ id: 7 }] };
    await writeFile(path.join(dir, 'state.json'), JSON.stringify(damaged));
    const naming = /state\.json field tasks\[0\]\.id: .*expected string/;
    await expect(startEmulator({ dataDir: dir })).rejects.toThrow(naming);
  });
});

/** An incremental task from instance a to b, following its source. */
async function incrementalTask(emu: Emulator): Promise<string> {
  const machine = { name: 'sw', vpc_id: 'v', subnet_id: 's', security_group_id: 'g' };
  const created = await callDcs(emu, 'POST', '/migration/instance', { body: machine });
  const taskId: string = created.body.instance_id;
  await waitForStatus(emu, taskId, ['RUNNING']);
  const body = {
    migration_method: 'incremental_migration',
    resume_mode: 'auto',
    source_instance: { id: 'a', password: PASSWORD },
    target_instance: { id: 'b', password: PASSWORD },
  };
  expect((await callDcs(emu, 'POST', `/migration/${taskId}/task`, { body })).status).toBe(200);
  await waitForStatus(emu, taskId, ['INCRMIGEATING']);
  return taskId;
}

async function waitForSwitch(emu: Emulator, taskId: string, status: string): Promise<void> {
  await waitFor(async () => (await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body.task_status === status);
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
