import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../dcs/operations.js';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { startTestStack, instancePair, type TestStack } from './harness/stack.js';
import type { Emulator } from '../emulator/index.js';
import { callDcs, waitForStatus } from '../emulator/testing/signed-http.js';
import { waitFor } from '../local/wait.js';

// Every DCS operation through real HTTP with real AK/SK signatures, against real redis-servers, following the call
// sequences Terraform makes (docs/dcs-api.md §3). Responses are also checked against the client's response schemas.

const SOURCE_PASSWORD = 'source-secret-pw';
const TARGET_PASSWORD = 'target-secret-pw';
const PAIR = instancePair(['dcs-source', 'dcs-target'], [SOURCE_PASSWORD, TARGET_PASSWORD]);
let stack: TestStack;
let emu: Emulator;
let source: Redis;
let target: Redis;

beforeAll(async () => {
  stack = await startTestStack({
    temporal: false,
    name: 'dcs-api',
    pair: PAIR,
    emulator: { timings: { creatingMs: 800, terminatingMs: 100, exchangingMs: 1000 } },
  });
  emu = stack.emu;
  source = stack.redis('dcs-source');
  target = stack.redis('dcs-target');
});

afterAll(async () => {
  await stack?.teardown();
});

beforeEach(() => stack.reset());

async function seedSource(count: number): Promise<void> {
  const pipeline = source.pipeline();
  for (let i = 0; i < count; i++) pipeline.set(`key:${i}`, `value-${i}`);
  pipeline.hset('hash', { a: '1', b: '2' });
  pipeline.rpush('list', 'x', 'y', 'z');
  await pipeline.exec();
}

/** Asserts a response against the client's zod schema of the operation. */
function expectShape(operation: keyof typeof OPERATIONS, body: unknown): void {
  const schema = (OPERATIONS[operation] as { response?: { parse(value: unknown): unknown } }).response;
  expect(() => schema?.parse(body)).not.toThrow();
}

async function createOnlineTask(name = 'online-task'): Promise<{ taskId: string; jobId: string }> {
  const created = await callDcs(emu, 'POST', '/migration/instance', {
    body: { name, vpc_id: 'vpc-1', subnet_id: 'subnet-1', security_group_id: 'sg-1', description: 'test' },
  });
  expect(created.status).toBe(200);
  expectShape('CreateOnlineMigrationTask', created.body);
  return { taskId: created.body.instance_id, jobId: created.body.job_id };
}

async function waitForJob(jobId: string): Promise<void> {
  await waitFor(`job ${jobId}`, async () => {
    const job = await callDcs(emu, 'GET', `/jobs/${jobId}`);
    expect(job.status).toBe(200);
    expectShape('ShowJobInfo', job.body);
    return job.body.status === 'SUCCESS' ? true : undefined;
  });
}

function configureBody(method: 'full_amount_migration' | 'incremental_migration') {
  return {
    migration_method: method,
    resume_mode: 'auto',
    source_instance: { id: 'dcs-source', password: SOURCE_PASSWORD, addrs: null },
    target_instance: { id: 'dcs-target', password: TARGET_PASSWORD },
  };
}

async function listAll(): Promise<Array<{ task_id: string; status: string; error_message: string }>> {
  const items = [];
  for (let offset = 0; ; offset += 10) {
    const page = await callDcs(emu, 'GET', `/migration-tasks?offset=${offset}&limit=10`);
    expect(page.status).toBe(200);
    expectShape('ListMigrationTask', page.body);
    if (page.body.migration_tasks.length === 0) return items;
    items.push(...page.body.migration_tasks);
  }
}

describe('online migration, as Terraform drives it', () => {
  it('full: create → job SUCCESS → RUNNING → configure → SUCCESS; the target has the data; delete → gone', async () => {
    await seedSource(500);
    const { taskId, jobId } = await createOnlineTask();
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    const early = await callDcs(emu, 'GET', `/migration-task/${taskId}`);
    expect(early.body.status).toBe('CREATING');
    expect((await callDcs(emu, 'GET', `/jobs/${jobId}`)).body.status).toBe('RUNNING');

    // Configuring before the migration machine is ready is refused.
    const tooEarly = await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
      body: configureBody('full_amount_migration'),
    });
    expect(tooEarly.status).toBe(400);
    expect(tooEarly.body.error_code).toBe('DCS.4957');

    await waitForJob(jobId);
    expect((await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body.status).toBe('RUNNING');
    const configured = await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
      body: configureBody('full_amount_migration'),
    });
    expect(configured.status).toBe(200);
    expectShape('SetOnlineMigrationTask', configured.body);
    expect(configured.body).toMatchObject({ id: taskId, name: 'online-task' });
    expect(['FULLMIGRATING', 'SUCCESS']).toContain(configured.body.status);

    const detail = await waitForStatus(emu, taskId, ['SUCCESS', 'FAILED']);
    expect(detail.status).toBe('SUCCESS');
    expectShape('ShowMigrationTask', detail);
    expect(detail).toMatchObject({
      task_id: taskId,
      migration_type: 'online_migration',
      migration_method: 'full_amount_migration',
      resume_mode: 'auto',
      tenant_vpc_id: 'vpc-1',
      tenant_subnet_id: 'subnet-1',
      tenant_security_group_id: 'sg-1',
      source_instance: { id: 'dcs-source' },
      target_instance: { id: 'dcs-target' },
    });
    expect(Date.parse(detail.created_at)).not.toBeNaN();
    // Passwords are never echoed back, although the API's doc examples show them.
    expect(JSON.stringify(detail)).not.toContain(SOURCE_PASSWORD);
    expect(JSON.stringify(detail)).not.toContain(TARGET_PASSWORD);
    expect(await target.dbsize()).toBe(502);
    expect(await target.get('key:123')).toBe('value-123');
    expect(await target.lrange('list', 0, -1)).toEqual(['x', 'y', 'z']);

    const stats = await callDcs(emu, 'GET', `/migration-task/${taskId}/stats`);
    expectShape('ShowMigrationTaskStats', stats.body);
    expect(stats.body).toMatchObject({ full_migration_progress: '100', source_dbsize: '502', is_migrating: false });

    const logs = await callDcs(emu, 'GET', `/migration-task/${taskId}/logs?limit=100`);
    expectShape('ListMigrationTaskLogs', logs.body);
    const messages: string[] = logs.body.migration_logs.map((line: { message: string }) => line.message);
    expect(messages.join('\n')).toMatch(/Full migration started[\s\S]*Migration succeeded \(502 keys copied\)/);
    expect(messages.join('\n')).not.toContain(TARGET_PASSWORD);

    // Terraform's delete: DELETE with a JSON body, then poll the list until the task is absent.
    const deleted = await callDcs(emu, 'DELETE', '/migration-tasks/delete', {
      body: { task_id_list: [taskId, 'no-such-task'] },
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body.task_id_list[0]).toBe(taskId);
    expect((await listAll()).map((task) => task.task_id)).not.toContain(taskId);
    const gone = await callDcs(emu, 'GET', `/migration-task/${taskId}`);
    expect(gone.status).toBe(400);
    expect(gone.body).toMatchObject({ error_code: 'DCS.4133', error_ext_msg: null });
    expect(gone.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('incremental: holds INCRMIGEATING, follows writes, stop → TERMINATING → TERMINATED', async () => {
    await seedSource(200);
    const { taskId, jobId } = await createOnlineTask('incremental');
    await waitForJob(jobId);
    expect(
      (await callDcs(emu, 'POST', `/migration/${taskId}/task`, { body: configureBody('incremental_migration') }))
        .status,
    ).toBe(200);
    await waitForStatus(emu, taskId, ['INCRMIGEATING']);
    await source.set('written-after-full-copy', 'yes');
    await waitFor('the write to reach the target', async () =>
      (await target.get('written-after-full-copy')) === 'yes' ? true : undefined,
    );
    // Still incremental: this state never ends by itself.
    expect((await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body.status).toBe('INCRMIGEATING');

    const stopped = await callDcs(emu, 'POST', `/migration-task/${taskId}/stop`);
    expect(stopped.status).toBe(200);
    expectShape('StopMigrationTask', stopped.body);
    expect(stopped.body.status).toBe('TERMINATING');
    await waitForStatus(emu, taskId, ['TERMINATED']);
    expect(await target.dbsize()).toBe(await source.dbsize());
    // Stopping again is a wrong-state error.
    expect((await callDcs(emu, 'POST', `/migration-task/${taskId}/stop`)).body.error_code).toBe('DCS.4957');
  });

  it('sync-stop answers 204 and the task is TERMINATED right after', async () => {
    const { taskId, jobId } = await createOnlineTask();
    await waitForJob(jobId);
    await callDcs(emu, 'POST', `/migration/${taskId}/task`, { body: configureBody('incremental_migration') });
    await waitForStatus(emu, taskId, ['INCRMIGEATING']);
    const response = await callDcs(emu, 'POST', `/migration-task/${taskId}/sync-stop`);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect((await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body.status).toBe('TERMINATED');
  });

  it('exchange-ip is refused before incremental and for a pair with different passwords; rollback-ip with no switch', async () => {
    // The switch itself (addresses, cut connections, read-only interval): test/emulator-ip-switch.test.ts.
    const { taskId, jobId } = await createOnlineTask();
    await waitForJob(jobId);
    // Not incremental yet: refused.
    expect((await callDcs(emu, 'POST', `/migration-task/${taskId}/exchange-ip`, { body: {} })).body.error_code).toBe(
      'DCS.4957',
    );
    await callDcs(emu, 'POST', `/migration/${taskId}/task`, { body: configureBody('incremental_migration') });
    await waitForStatus(emu, taskId, ['INCRMIGEATING']);
    const refused = await callDcs(emu, 'POST', `/migration-task/${taskId}/exchange-ip`, {
      body: { exchanged_ip: ['10.0.0.1'], is_exchange_domain: false },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error_code: 'DCS.4957', error_msg: expect.stringContaining('same password') });
    expect((await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body.task_status).toBe('');
    expect((await callDcs(emu, 'POST', `/migration-task/${taskId}/rollback-ip`)).body.error_code).toBe('DCS.4957');
  });
});

describe('batch calls, update, legacy create', () => {
  it('batch-stop and batch-restart answer per task; restart goes back to INCRMIGEATING', async () => {
    const { taskId, jobId } = await createOnlineTask();
    await waitForJob(jobId);
    await callDcs(emu, 'POST', `/migration/${taskId}/task`, { body: configureBody('incremental_migration') });
    await waitForStatus(emu, taskId, ['INCRMIGEATING']);

    const stopped = await callDcs(emu, 'POST', '/migration-task/batch-stop', {
      body: { migration_tasks: [taskId, 'unknown-id'] },
    });
    expect(stopped.status).toBe(200);
    expectShape('BatchStopMigrationTasks', stopped.body);
    expect(stopped.body.migration_tasks).toEqual([
      { result: 'success', task_id: taskId },
      { result: 'failed', task_id: 'unknown-id', error_code: 'DCS.4855', error_msg: expect.any(String) },
    ]);
    await waitForStatus(emu, taskId, ['TERMINATED']);

    const update = await callDcs(emu, 'PUT', `/migration-task/${taskId}`, { body: { resume_mode: 'manual' } });
    expect(update.status).toBe(200);
    expect((await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body.resume_mode).toBe('manual');

    await source.set('after-restart', '1');
    const restarted = await callDcs(emu, 'POST', '/migration-tasks/batch-restart', {
      body: { migration_tasks: [taskId] },
    });
    expect(restarted.body.migration_tasks).toEqual([{ result: 'success', task_id: taskId }]);
    await waitForStatus(emu, taskId, ['INCRMIGEATING']);
    expect(await target.get('after-restart')).toBe('1');
    // Restarting a task that is migrating is refused per task, not for the whole batch.
    const again = await callDcs(emu, 'POST', '/migration-tasks/batch-restart', { body: { migration_tasks: [taskId] } });
    expect(again.body.migration_tasks[0]).toMatchObject({ result: 'failed', error_code: 'DCS.4957' });
    await callDcs(emu, 'POST', `/migration-task/${taskId}/stop`);
    await waitForStatus(emu, taskId, ['TERMINATED']);
  });

  it('legacy one-call online migration through CreateMigrationTask, from a self-hosted address', async () => {
    await seedSource(50);
    const { host, port } = emu.instance('dcs-source').endpoint;
    const created = await callDcs(emu, 'POST', '/migration-task', {
      body: {
        task_name: 'legacy',
        migration_type: 'online_migration',
        migration_method: 'full_amount_migration',
        network_type: 'vpc',
        source_instance: { addrs: `${host}:${port}`, password: SOURCE_PASSWORD },
        target_instance: { id: 'dcs-target', password: TARGET_PASSWORD },
      },
    });
    expect(created.status).toBe(200);
    expectShape('CreateMigrationTask', created.body);
    const detail = await waitForStatus(emu, created.body.id, ['SUCCESS', 'FAILED']);
    expect(detail.status).toBe('SUCCESS');
    expect(detail.source_instance.addrs).toBe(`${host}:${port}`);
    expect(await target.dbsize()).toBe(52);
  });

  it('self-hosted addrs as a list: the task shows them all; a bad entry is a 400 naming the field; two standalone servers end FAILED saying why', async () => {
    await seedSource(5);
    const source = emu.instance('dcs-source').endpoint;
    const other = emu.instance('dcs-target').endpoint;
    const legacy = (addrs: string) =>
      callDcs(emu, 'POST', '/migration-task', {
        body: {
          task_name: `addrs-${Date.now()}`,
          migration_type: 'online_migration',
          migration_method: 'full_amount_migration',
          network_type: 'vpc',
          source_instance: { addrs, password: SOURCE_PASSWORD },
          target_instance: { id: 'dcs-target', password: TARGET_PASSWORD },
        },
      });
    const bad = await legacy(`${source.host}:${source.port},nowhere`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('source_instance.addrs');
    const list = `${source.host}:${source.port},${other.host}:${other.port}`;
    const created = await legacy(list);
    expect(created.status).toBe(200);
    const detail = await waitForStatus(emu, created.body.id, ['SUCCESS', 'FAILED']);
    expect(detail.source_instance.addrs).toBe(list);
    expect(detail.status).toBe('FAILED');
    expect(detail.error_message).toMatch(/several addresses .* is no Redis Cluster node/);
  });

  it('a migration that cannot authenticate ends FAILED with error_message in detail and list', async () => {
    await seedSource(10);
    const { taskId, jobId } = await createOnlineTask();
    await waitForJob(jobId);
    const body = configureBody('full_amount_migration');
    body.target_instance.password = 'wrong-password';
    await callDcs(emu, 'POST', `/migration/${taskId}/task`, { body });
    const detail = await waitForStatus(emu, taskId, ['FAILED', 'SUCCESS']);
    expect(detail.status).toBe('FAILED');
    expect(detail.error_message).not.toBe('');
    expect(detail.error_message).not.toContain('wrong-password');
    expect((await listAll()).find((task) => task.task_id === taskId)?.error_message).toBe(detail.error_message);
    const errors = await callDcs(emu, 'GET', `/migration-task/${taskId}/logs?log_level=ERROR`);
    expect(errors.body.log_num).toBeGreaterThan(0);
    expect(errors.body.migration_logs[0].log_level).toBe('ERROR');
  });
});

describe('backup import', () => {
  let donor: RedisServer | undefined;
  afterAll(async () => donor?.stop());

  it('imports an RDB file from a bucket → MIGRATING → SUCCESS; a missing file is a 400 naming the field', async () => {
    donor = await startRedisServer();
    const client = donor.client();
    await client.mset('rdb:1', 'one', 'rdb:2', 'two');
    await client.save();
    client.disconnect();
    await mkdir(path.join(emu.dataDir, 'buckets', 'backups'), { recursive: true });
    await copyFile(path.join(donor.dir, 'dump.rdb'), path.join(emu.dataDir, 'buckets', 'backups', 'dump.rdb'));

    const body = {
      task_name: 'import',
      migration_type: 'backupfile_import',
      migration_method: 'full_amount_migration',
      backup_files: {
        file_source: 'self_build_obs',
        bucket_name: 'backups',
        files: [{ file_name: 'dump.rdb', size: '100' }],
      },
      target_instance: { id: 'dcs-target', password: TARGET_PASSWORD },
    };
    const created = await callDcs(emu, 'POST', '/migration-task', { body });
    expect(created.status).toBe(200);
    expect(['MIGRATING', 'SUCCESS']).toContain(created.body.status);
    const detail = await waitForStatus(emu, created.body.id, ['SUCCESS', 'FAILED']);
    expect(detail.status).toBe('SUCCESS');
    expect(detail.backup_files).toMatchObject({ bucket_name: 'backups', files: [{ file_name: 'dump.rdb' }] });
    expect(await target.mget('rdb:1', 'rdb:2')).toEqual(['one', 'two']);
    expect((await listAll()).find((task) => task.task_id === created.body.id)).toMatchObject({ status: 'SUCCESS' });

    const missing = await callDcs(emu, 'POST', '/migration-task', {
      body: { ...body, backup_files: { ...body.backup_files, files: [{ file_name: 'nope.rdb' }] } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error_code).toBe('DCS.4063');
    expect(missing.body.error_msg).toContain('backup_files.files[0].file_name');
    const escape = await callDcs(emu, 'POST', '/migration-task', {
      body: { ...body, backup_files: { ...body.backup_files, files: [{ file_name: '../../etc/passwd' }] } },
    });
    expect(escape.status).toBe(400);
  });
});

describe('validation and lists', () => {
  it('unknown instance is 404 DCS.3022; bad parameters name the field', async () => {
    const { taskId, jobId } = await createOnlineTask();
    await waitForJob(jobId);
    const unknown = await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
      body: { ...configureBody('full_amount_migration'), target_instance: { id: 'no-such-instance' } },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('DCS.3022');
    const badMethod = await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
      body: { ...configureBody('full_amount_migration'), migration_method: 'sideways' },
    });
    expect(badMethod.status).toBe(400);
    expect(badMethod.body).toMatchObject({ error_code: 'DCS.4063' });
    expect(badMethod.body.error_msg).toContain('migration_method');
    const badBandwidth = await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
      body: { ...configureBody('full_amount_migration'), bandwidth_limit_mb: 10241 },
    });
    expect(badBandwidth.body.error_msg).toContain('bandwidth_limit_mb');
    const empty = await callDcs(emu, 'POST', '/migration/instance', { body: '' });
    expect(empty.body.error_code).toBe('DCS.4004');
    const notJson = await callDcs(emu, 'POST', '/migration/instance', { body: '{"name": ' });
    expect(notJson.body.error_code).toBe('DCS.4005');
    const missingField = await callDcs(emu, 'POST', '/migration/instance', {
      body: { name: 'x', vpc_id: 'v', subnet_id: 's' },
    });
    expect(missingField.body.error_msg).toContain('security_group_id');
    expect((await callDcs(emu, 'GET', '/migration-task/nope/stats')).body.error_code).toBe('DCS.4133');
    expect((await callDcs(emu, 'GET', '/jobs/nope')).status).toBe(400);
  });

  it('list pages by item offset, defaults to 10, caps limit at 1000 and filters by name', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await createOnlineTask(i % 4 === 0 ? 'special' : `task-${i}`)).taskId);
    const first = await callDcs(emu, 'GET', '/migration-tasks');
    expect(first.body.count).toBe(12);
    expect(first.body.migration_tasks).toHaveLength(10);
    const second = await callDcs(emu, 'GET', '/migration-tasks?offset=10&limit=10');
    expect(second.body.migration_tasks.map((task: { task_id: string }) => task.task_id)).toEqual(ids.slice(10));
    expect(
      (await callDcs(emu, 'GET', '/migration-tasks?offset=5&limit=3')).body.migration_tasks.map(
        (t: { task_id: string }) => t.task_id,
      ),
    ).toEqual(ids.slice(5, 8));
    expect((await callDcs(emu, 'GET', '/migration-tasks?name=special')).body.count).toBe(3);
    const tooMany = await callDcs(emu, 'GET', '/migration-tasks?limit=1001');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error_msg).toContain('limit');
    expect((await callDcs(emu, 'GET', '/migration-tasks?offset=-1')).body.error_msg).toContain('offset');
  });

  it('unknown routes are DCS.4001, wrong methods DCS.5001, another project DCS.4002', async () => {
    const notFound = await callDcs(emu, 'GET', '/migration-thing');
    expect(notFound).toMatchObject({ status: 404, body: { error_code: 'DCS.4001' } });
    expect((await callDcs(emu, 'PATCH', '/migration-tasks')).status).toBe(405);
    expect((await callDcs(emu, 'GET', '/migration-tasks/delete')).body.error_code).toBe('DCS.5001');
    const otherProject = await callDcs(emu, 'GET', `//v2/0123456789abcdef0123456789abcdef/migration-tasks`, {
      headers: { 'X-Project-Id': '0123456789abcdef0123456789abcdef' },
    });
    expect(otherProject).toMatchObject({ status: 400, body: { error_code: 'DCS.4002' } });
  });
});
