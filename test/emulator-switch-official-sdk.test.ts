/**
 * The IP switch as a user outside sees it: `dcs-migrate emulator` as a process, the DCS API through the official
 * Huawei Cloud Node SDK's HTTP client (its signer, its request building, its error mapping), and plain Redis
 * connections to the addresses the emulator printed and ShowInstance reports. Before a switch, after it, and after
 * a rollback, ShowInstance, the printed addresses and the task agree on where each instance is; a key written to
 * the target alone in the hold survives the switch (and a stop), a source key deleted in the hold is gone.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type ManagedProcess } from '../local/processes.js';
import { waitFor } from '../local/wait.js';
import { paidTasksLeft } from './harness/paid-tasks.js';

const PASSWORD = 'sdk-switch-secret-5d2e';
const repo = path.resolve(import.meta.dirname, '..');
interface Address {
  host: string;
  port: number;
}

let dir: string;
let proc: ManagedProcess;
let sdk: HcClient;
/** The addresses `dcs-migrate emulator` printed for `src` and `dst`. */
let printed: { src: Address; dst: Address };
const connections: Redis[] = [];

/** The environment without the developer's DCS variables: the emulator generates credentials and prints them. */
function cleanEnv(): NodeJS.ProcessEnv {
  const dcsVariable = /^(DCS_|CLOUD_SDK_|HUAWEICLOUD_SDK_)/;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !dcsVariable.test(name)));
}

/** `dcs-migrate emulator` with two instances of one password (an IP switch needs that); answers what it printed. */
async function startEmulatorProcess(): Promise<string> {
  const logFile = path.join(dir, 'out.log');
  const cli = [path.join(repo, 'bin/dcs-migrate.js'), 'emulator', '--data-dir', path.join(dir, 'data')];
  const instances = ['--instance', `src@${PASSWORD}`, '--instance', `dst@${PASSWORD}`];
  const timings = ['--creating-ms', '100', '--terminating-ms', '300'];
  const args = [...cli, ...instances, ...timings];
  const name = 'dcs-migrate-emulator-switch';
  proc = startProcess({ name, command: process.execPath, args, cwd: repo, env: cleanEnv(), logFile });
  const printedText = async () => {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    return text.includes('Press Ctrl+C to stop.') ? text : undefined;
  };
  return waitFor('the emulator to print its instances', printedText, 60_000);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-switch-sdk-'));
  const output = await startEmulatorProcess();
  const exports = [...output.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!.replace(/^'|'$/g, '')]);
  const exported = Object.fromEntries(exports);
  const lines = [...output.matchAll(/^ {2}(src|dst) {2}([\d.]+):(\d+) {2}\(server /gm)];
  const listed = new Map(lines.map((m) => [m[1]!, { host: m[2]!, port: Number(m[3]) }]));
  if (!listed.has('src') || !listed.has('dst')) throw new Error(`no instance addresses in the output:\n${output}`);
  printed = { src: listed.get('src')!, dst: listed.get('dst')! };
  const credentials = new BasicCredentials()
    .withAk(exported['CLOUD_SDK_AK']!)
    .withSk(exported['CLOUD_SDK_SK']!)
    .withProjectId(exported['HUAWEICLOUD_SDK_PROJECT_ID']!);
  const builder = new ClientBuilder<HcClient>((client) => client);
  sdk = builder.withEndpoint(exported['DCS_ENDPOINT']!).withCredential(credentials).build();
});

afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  proc?.child.kill('SIGTERM');
  await proc?.exited;
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One DCS call through the official SDK, as its DcsClient builds it (`{project_id}` from the credentials). */
async function call(method: string, url: string, pathParams: Record<string, string> = {}, data?: object) {
  // The SDK's answer is the response JSON plus httpStatusCode; tests read fields of the wire shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return sdk.sendRequest<any>({
    method,
    url: `/v2/{project_id}${url}`,
    contentType: 'application/json',
    queryParams: {},
    pathParams,
    headers: {},
    ...(data ? { data } : {}),
  });
}

/** ShowInstance's idea of where clients reach an instance. */
async function shown(id: 'src' | 'dst'): Promise<Address & { domain: string }> {
  const body = await call('GET', '/instances/{instance_id}', { instance_id: id });
  return { host: body.ip, port: body.port, domain: body.domain_name };
}

/** A plain Redis client of an address, as an application holds one. */
function redisAt(address: Address): Redis {
  const connection = new Redis({ host: address.host, port: address.port, password: PASSWORD, maxRetriesPerRequest: 3 });
  connections.push(connection);
  return connection;
}

async function waitForTask(taskId: string, field: 'status' | 'task_status', value: string): Promise<void> {
  const show = () => call('GET', '/migration-task/{task_id}', { task_id: taskId });
  await waitFor(`task ${field} ${value}`, async () => (await show())[field] === value, 30_000, 50);
}

/** An online incremental migration src → dst, created, configured and followed to INCRMIGEATING through the SDK. */
async function incrementalTask(name: string): Promise<string> {
  const network = { vpc_id: 'vpc', subnet_id: 'subnet', security_group_id: 'sg' };
  const taskId = (await call('POST', '/migration/instance', {}, { name, ...network })).instance_id as string;
  await waitForTask(taskId, 'status', 'RUNNING');
  await call(
    'POST',
    '/migration/{task_id}/task',
    { task_id: taskId },
    {
      migration_method: 'incremental_migration',
      resume_mode: 'manual',
      source_instance: { id: 'src', password: PASSWORD },
      target_instance: { id: 'dst', password: PASSWORD },
    },
  );
  await waitForTask(taskId, 'status', 'INCRMIGEATING');
  return taskId;
}

async function switchIps(taskId: string, exchangeDomains: boolean): Promise<void> {
  const body = { exchanged_ip: [printed.src.host], is_exchange_domain: exchangeDomains };
  const answer = await call('POST', '/migration-task/{task_id}/exchange-ip', { task_id: taskId }, body);
  expect(answer.httpStatusCode).toBe(204);
  await waitForTask(taskId, 'task_status', 'EXCHANGE_SUCCESS');
}

async function expectNothingLeftRunning(scenario: string): Promise<void> {
  const listed = await call('GET', '/migration-tasks');
  expect(paidTasksLeft(scenario, listed.migration_tasks)).toBe(0);
}

describe('the IP switch through the official SDK and plain Redis connections', () => {
  it('ShowInstance, the printed addresses and the task agree before a switch, after it, after a rollback', async () => {
    const domains = { src: 'src.dcs.emulator.local', dst: 'dst.dcs.emulator.local' };
    expect(await shown('src')).toEqual({ ...printed.src, domain: domains.src });
    expect(await shown('dst')).toEqual({ ...printed.dst, domain: domains.dst });
    const source = redisAt(await shown('src'));
    await source.mset('app:1', 'from the source', 'doomed', 'deleted in the hold');

    const taskId = await incrementalTask('sdk-switch-rollback');
    const detail = await call('GET', '/migration-task/{task_id}', { task_id: taskId });
    expect(detail.source_instance).toMatchObject({ ip: printed.src.host, port: String(printed.src.port) });
    expect(detail.target_instance).toMatchObject({ ip: printed.dst.host, port: String(printed.dst.port) });
    // The hold: a key written to the target alone, a source key deleted, a source write right before the switch.
    await redisAt(await shown('dst')).set('target-only', 'written in the hold');
    await source.del('doomed');
    await source.set('late', 'just before the switch');
    await switchIps(taskId, false);

    // Each instance is where the other was; the domain names stayed; the task keeps the addresses it was given.
    expect(await shown('src')).toEqual({ ...printed.dst, domain: domains.src });
    expect(await shown('dst')).toEqual({ ...printed.src, domain: domains.dst });
    const afterSwitch = await call('GET', '/migration-task/{task_id}', { task_id: taskId });
    expect(afterSwitch.source_instance).toMatchObject({ ip: printed.src.host, port: String(printed.src.port) });
    // The address the application used (ShowInstance's dst now) reaches the target's data.
    const app = redisAt(await shown('dst'));
    const seen = await app.mget('app:1', 'late', 'target-only', 'doomed');
    expect(seen).toEqual(['from the source', 'just before the switch', 'written in the hold', null]);
    expect(await redisAt(await shown('src')).get('target-only')).toBeNull();

    expect((await call('POST', '/migration-task/{task_id}/rollback-ip', { task_id: taskId })).httpStatusCode).toBe(204);
    await waitForTask(taskId, 'task_status', 'ROLLBACK_SUCCESS');
    expect((await call('GET', '/migration-task/{task_id}', { task_id: taskId })).status).toBe('SUCCESS');
    expect(await shown('src')).toEqual({ ...printed.src, domain: domains.src });
    expect(await shown('dst')).toEqual({ ...printed.dst, domain: domains.dst });
    expect(await redisAt(printed.src).get('target-only')).toBeNull();
    await expect(call('POST', '/migration-task/{task_id}/rollback-ip', { task_id: taskId })).rejects.toMatchObject({
      httpStatusCode: 400,
      errorCode: 'DCS.4957',
    });
    await expectNothingLeftRunning('SDK: switch and rollback');
  });

  it('a switch with domain names, then a stop: the target keeps its own key, the addresses stay switched', async () => {
    const taskId = await incrementalTask('sdk-switch-stop');
    await redisAt(printed.dst).set('target-only-2', 'mine');
    await redisAt(printed.src).set('source-2', 'copied');
    await switchIps(taskId, true);
    expect(await shown('src')).toEqual({ ...printed.dst, domain: 'dst.dcs.emulator.local' });
    expect(await shown('dst')).toEqual({ ...printed.src, domain: 'src.dcs.emulator.local' });

    expect((await call('POST', '/migration-task/{task_id}/stop', { task_id: taskId })).status).toBe('TERMINATING');
    await waitForTask(taskId, 'status', 'TERMINATED');
    expect(await redisAt(await shown('dst')).mget('target-only-2', 'source-2')).toEqual(['mine', 'copied']);
    expect(await shown('dst')).toMatchObject(printed.src);
    await expectNothingLeftRunning('SDK: switch and stop');
  });
});
