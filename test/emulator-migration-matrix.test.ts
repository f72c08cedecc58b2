/**
 * DCS's migration matrix (dcs-operations.md §3) as the emulator enforces it, over its real HTTP API and real
 * redis-servers: each refused combination answers its DCS error code (the codes are the emulator's choice where
 * DCS documents none, see emulator/http/api-error.ts), which the typed client turns into a non-retryable error;
 * what DCS accepts with a caveat (a multi-db source into a Redis Cluster) says so in the task log; a damaged RDB
 * ends the import FAILED with the reason in the task log. The pre-flight check for AOF into a cluster is run too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretResolver } from '../activities/index.js';
import { runPrechecks } from '../activities/prechecks/index.js';
import { parseMigrationInput, type MigrationInputFile } from '../common/migration-input.js';
import type { DcsClient } from '../dcs/client.js';
import { DcsBadRequestError, DcsWrongStateError, isRetryable } from '../dcs/index.js';
import type { InstanceAttributes } from '../emulator/index.js';
import { callDcs, waitForStatus } from '../emulator/testing/signed-http.js';
import { DEFAULT_PAIR, passwordEnv, startTestStack, type TestStack } from './harness/stack.js';

const { source: SOURCE, target: TARGET } = DEFAULT_PAIR;
const BUCKET = 'matrix-backups';
let stack: TestStack;
let dcs: DcsClient;

beforeAll(async () => {
  stack = await startTestStack({
    temporal: false,
    name: 'matrix',
    emulator: { timings: { creatingMs: 50, terminatingMs: 50, exchangingMs: 200 } },
  });
  dcs = stack.dcsClient();
  await mkdir(path.join(stack.emu.dataDir, 'buckets', BUCKET), { recursive: true });
}, 60_000);
afterAll(() => stack?.teardown());
beforeEach(() => stack.reset());

const set = (id: string, attributes: Partial<InstanceAttributes>) =>
  fetch(`${stack.emu.url}/_emulator/instances/${id}`, { method: 'PATCH', body: JSON.stringify(attributes) }).then(
    (response) => {
      expect(response.status).toBe(200);
    },
  );

/** An online task, created and RUNNING (waiting to be configured). */
async function runningOnlineTask(): Promise<string> {
  const created = await dcs.createOnlineMigrationTask({
    name: `matrix-${Date.now()}`,
    vpc_id: 'v',
    subnet_id: 's',
    security_group_id: 'g',
  });
  const taskId = created.instance_id as string;
  await waitForStatus(stack.emu, taskId, ['RUNNING']);
  return taskId;
}

function configureBody(method: 'full_amount_migration' | 'incremental_migration' = 'full_amount_migration') {
  return {
    migration_method: method,
    resume_mode: 'manual',
    source_instance: { id: SOURCE.id, password: SOURCE.password },
    target_instance: { id: TARGET.id, password: TARGET.password },
  } as const;
}

async function bucketFile(name: string, content: Buffer | string): Promise<string> {
  await writeFile(path.join(stack.emu.dataDir, 'buckets', BUCKET, name), content);
  return name;
}

function importBody(...files: string[]) {
  return {
    task_name: `import-${Date.now()}`,
    migration_type: 'backupfile_import',
    migration_method: 'full_amount_migration',
    backup_files: {
      file_source: 'self_build_obs',
      bucket_name: BUCKET,
      files: files.map((file_name) => ({ file_name })),
    },
    target_instance: { id: TARGET.id, password: TARGET.password },
  } as const;
}

/** A hand-made RDB (version 9, checksum 0 = not checked) of string keys and, optionally, empty sets redis-server skips. */
function rdb(strings: Record<string, string>, emptySets: string[] = []): Buffer {
  const text = (value: string) => Buffer.concat([Buffer.from([value.length]), Buffer.from(value)]);
  const entries = [
    ...Object.entries(strings).map(([key, value]) => Buffer.concat([Buffer.from([0x00]), text(key), text(value)])),
    ...emptySets.map((key) => Buffer.concat([Buffer.from([0x02]), text(key), Buffer.from([0x00])])),
  ];
  return Buffer.concat([
    Buffer.from('REDIS0009'),
    Buffer.from([0xfe, 0x00]),
    ...entries,
    Buffer.from([0xff]),
    Buffer.alloc(8),
  ]);
}

const AOF = '*3\r\n$3\r\nSET\r\n$7\r\naof:key\r\n$1\r\n1\r\n';

/** The wire answer and the typed client's error for the same refused call. */
async function refused(call: () => Promise<unknown>, raw: () => ReturnType<typeof callDcs>) {
  const error = await call().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  const answer = await raw();
  return { error, answer };
}

describe('the migration matrix, refused with DCS error codes', () => {
  it('a DCS Proxy Cluster source: SetOnlineMigrationTask answers 400 DCS.4981, a non-retryable DcsBadRequestError; the task stays unconfigured', async () => {
    await set(SOURCE.id, { cacheMode: 'proxy' });
    const taskId = await runningOnlineTask();
    const { error, answer } = await refused(
      () => dcs.setOnlineMigrationTask(taskId, configureBody()),
      () => callDcs(stack.emu, 'POST', `/migration/${taskId}/task`, { body: configureBody() }),
    );
    expect(error).toBeInstanceOf(DcsBadRequestError);
    expect(error).toMatchObject({ errorCode: 'DCS.4981', httpStatus: 400 });
    expect(isRetryable(error)).toBe(false);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error_code: 'DCS.4981',
      error_msg: expect.stringContaining(`Proxy Cluster instance (${SOURCE.id})`),
    });
    expect((await dcs.showMigrationTask(taskId)).status).toBe('RUNNING');
    // A Proxy Cluster may still be a target.
    await set(SOURCE.id, { cacheMode: 'ha' });
    await set(TARGET.id, { cacheMode: 'proxy' });
    expect((await dcs.setOnlineMigrationTask(taskId, configureBody())).status).toMatch(/MIGRATING/);
  });

  it('SSL on the target: 400 DCS.4982 for SetOnlineMigrationTask and the one-call online CreateMigrationTask; a backup import is accepted', async () => {
    await set(TARGET.id, { enableSsl: true });
    const taskId = await runningOnlineTask();
    const { error, answer } = await refused(
      () => dcs.setOnlineMigrationTask(taskId, configureBody()),
      () => callDcs(stack.emu, 'POST', `/migration/${taskId}/task`, { body: configureBody() }),
    );
    expect(error).toMatchObject({ name: 'DcsBadRequestError', errorCode: 'DCS.4982' });
    expect(isRetryable(error)).toBe(false);
    expect(answer.body).toMatchObject({
      error_code: 'DCS.4982',
      error_msg: expect.stringContaining(`SSL is enabled on the target instance ${TARGET.id}`),
    });

    const { host, port } = stack.emu.instance(SOURCE.id).endpoint;
    const legacy = await callDcs(stack.emu, 'POST', '/migration-task', {
      body: {
        task_name: 'legacy-ssl',
        migration_type: 'online_migration',
        migration_method: 'full_amount_migration',
        source_instance: { addrs: `${host}:${port}`, password: SOURCE.password },
        target_instance: { id: TARGET.id, password: TARGET.password },
      },
    });
    expect([legacy.status, legacy.body.error_code]).toEqual([400, 'DCS.4982']);
    expect(stack.emu.tasks().map((task) => task.name)).not.toContain('legacy-ssl');

    const imported = await dcs.createMigrationTask(importBody(await bucketFile('ssl.rdb', rdb({ 'rdb:key': 'x' }))));
    expect((await waitForStatus(stack.emu, imported.id as string, ['SUCCESS', 'FAILED'])).status).toBe('SUCCESS');
  });

  it('AOF import into a Redis Cluster target: 400 DCS.4983 naming the AOF files (told by their bytes); an RDB goes in; an AOF into another target too', async () => {
    const rdbFile = await bucketFile('snapshot.rdb', rdb({ 'rdb:key': 'x' }));
    // An AOF whose name does not say so: the emulator reads the bytes.
    const aofFile = await bucketFile('disguised.dat', AOF);
    await set(TARGET.id, { cacheMode: 'cluster' });
    const { error, answer } = await refused(
      () => dcs.createMigrationTask(importBody(rdbFile, aofFile)),
      () => callDcs(stack.emu, 'POST', '/migration-task', { body: importBody(rdbFile, aofFile) }),
    );
    expect(error).toMatchObject({ name: 'DcsBadRequestError', errorCode: 'DCS.4983' });
    expect(isRetryable(error)).toBe(false);
    expect(answer.status).toBe(400);
    expect(answer.body.error_msg).toBe(
      `AOF files cannot be imported into the Redis Cluster instance ${TARGET.id} (disguised.dat); import an RDB file instead.`,
    );
    expect(stack.emu.tasks()).toHaveLength(0);

    const rdbImport = await dcs.createMigrationTask(importBody(rdbFile));
    expect((await waitForStatus(stack.emu, rdbImport.id as string, ['SUCCESS', 'FAILED'])).status).toBe('SUCCESS');
    await set(TARGET.id, { cacheMode: 'ha' });
    const aofImport = await dcs.createMigrationTask(importBody(aofFile));
    expect((await waitForStatus(stack.emu, aofImport.id as string, ['SUCCESS', 'FAILED'])).status).toBe('SUCCESS');
    expect(await stack.redis(TARGET.id).get('aof:key')).toBe('1');
  });

  it('IP switching with a Redis Cluster instance: 400 DCS.4957 (a non-retryable DcsWrongStateError), the addresses stay', async () => {
    const taskId = await runningOnlineTask();
    await dcs.setOnlineMigrationTask(taskId, configureBody('incremental_migration'));
    await waitForStatus(stack.emu, taskId, ['INCRMIGEATING']);
    const before = stack.emu.instance(SOURCE.id).service;
    await set(TARGET.id, { cacheMode: 'cluster' });
    const { error, answer } = await refused(
      () => dcs.exchangeInstanceIp(taskId, { is_exchange_domain: false }),
      () =>
        callDcs(stack.emu, 'POST', `/migration-task/${taskId}/exchange-ip`, { body: { is_exchange_domain: false } }),
    );
    expect(error).toBeInstanceOf(DcsWrongStateError);
    expect(error).toMatchObject({ errorCode: 'DCS.4957' });
    expect(isRetryable(error)).toBe(false);
    expect(answer.body).toMatchObject({
      error_code: 'DCS.4957',
      error_msg: expect.stringContaining(`IP switching does not support Redis Cluster instances (${TARGET.id})`),
    });
    expect(stack.emu.instance(SOURCE.id).service).toEqual(before);
    expect((await dcs.showMigrationTask(taskId)).task_status ?? '').toBe('');
    await dcs.stopMigrationTask(taskId);
  });
});

describe('accepted with a caveat, and a damaged backup', () => {
  it('a source with keys outside db 0 into a Redis Cluster target is accepted; the task log names the databases left out', async () => {
    const source = stack.redis(SOURCE.id);
    await source.set('in-db-0', 'x');
    await source.select(3);
    await source.set('in-db-3', 'x');
    await source.select(0);
    await set(TARGET.id, { cacheMode: 'cluster' });
    const taskId = await runningOnlineTask();
    await dcs.setOnlineMigrationTask(taskId, configureBody());
    const logs = await dcs.listMigrationTaskLogs(taskId);
    const note = logs.migration_logs.find((line) => line.log_code === 'migration.db.skipped');
    expect(note?.message).toBe(
      `The target ${TARGET.id} is a Redis Cluster, which has db 0 only: the source's keys in db3 (1 keys) are not migrated.`,
    );
    await waitForStatus(stack.emu, taskId, ['SUCCESS', 'FAILED']);
  });

  it('an RDB that loads with skipped (empty) keys ends the import FAILED, the reason in the task log, the target untouched; so does a truncated one', async () => {
    const damaged = await bucketFile('damaged.rdb', rdb({ 'kept:a': '1', 'kept:b': '2' }, ['empty-set']));
    const created = await dcs.createMigrationTask(importBody(damaged));
    const detail = await waitForStatus(stack.emu, created.id as string, ['SUCCESS', 'FAILED']);
    expect(detail.status).toBe('FAILED');
    const logs = JSON.stringify(
      (await dcs.listMigrationTaskLogs(created.id as string, { log_level: 'ERROR' })).migration_logs,
    );
    expect(logs).toContain(
      'backup file damaged.rdb is damaged: redis-server skipped 1 empty key while loading it (\\"empty-set\\"); 2 keys loaded',
    );
    expect(await stack.redis(TARGET.id).dbsize()).toBe(0);

    const whole = rdb({ 'kept:a': '1', 'kept:b': '2' });
    const truncated = await bucketFile(
      'truncated.rdb',
      Buffer.concat([whole.subarray(0, whole.length - 12), Buffer.from([0xff]), Buffer.alloc(8)]),
    );
    const second = await dcs.createMigrationTask(importBody(truncated));
    expect((await waitForStatus(stack.emu, second.id as string, ['SUCCESS', 'FAILED'])).status).toBe('FAILED');
    expect(JSON.stringify((await dcs.listMigrationTaskLogs(second.id as string)).migration_logs)).toContain(
      'backup file truncated.rdb could not be loaded',
    );
    expect(await stack.redis(TARGET.id).dbsize()).toBe(0);
  });
});

describe('pre-flight check for the matrix', () => {
  const importInput = (files: string[]) =>
    parseMigrationInput({
      kind: 'backup_import',
      target: { instanceId: TARGET.id, password: { env: TARGET.env } },
      backup: { source: 'obs', bucket: BUCKET, files: files.map((name) => ({ name })) },
      prechecks: { redis: true },
    } as MigrationInputFile);

  it('aof-into-cluster fails for an AOF file into a Redis Cluster target (by ShowInstance), with evidence and remedy; passes for an RDB', async () => {
    await set(TARGET.id, { cacheMode: 'cluster' });
    const secrets = createSecretResolver({ env: passwordEnv() });
    const outcomes = await runPrechecks(importInput(['dump.rdb', 'appendonly.aof']), { dcs, secrets });
    expect(outcomes.find((outcome) => outcome.id === 'aof-into-cluster')).toMatchObject({
      verdict: 'fail',
      evidence: 'the target is a Redis Cluster; AOF file(s) by name: appendonly.aof',
      remedy: expect.stringContaining('RDB'),
    });
    const clean = await runPrechecks(importInput(['dump.rdb']), { dcs, secrets });
    expect(clean.find((outcome) => outcome.id === 'aof-into-cluster')?.verdict).toBe('pass');
    expect(clean.filter((outcome) => outcome.verdict === 'fail')).toEqual([]);
  });
});
