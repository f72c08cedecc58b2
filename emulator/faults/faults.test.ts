import type { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index.js';
import { callDcs, waitForStatus } from '../testing/signed-http.js';
import { waitFor } from '../../local/wait.js';

// Fault rules as an operator or a test configures them, observed through real HTTP.

let emu: Emulator;
let source: Redis;

beforeAll(async () => {
  emu = await startEmulator({
    instances: [{ id: 'src' }, { id: 'dst' }],
    timings: { creatingMs: 50, terminatingMs: 50 },
    seed: 42,
  });
  const { Redis } = await import('ioredis');
  source = new Redis({ host: emu.instance('src').endpoint.host, port: emu.instance('src').endpoint.port });
});
afterAll(async () => {
  source?.disconnect();
  await emu?.stop();
});
beforeEach(async () => emu.reset());

const createBody = { name: 'faulty', vpc_id: 'v', subnet_id: 's', security_group_id: 'g' };

describe('fault rules', () => {
  it('answers the configured error a counted number of times, then recovers', async () => {
    emu.faults.add({ operation: 'ListMigrationTask', status: 503, count: 2 });
    emu.faults.add({ operation: 'ShowJobInfo', status: 429 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await callDcs(emu, 'GET', '/migration-tasks'));
    expect(statuses.map((response) => response.status)).toEqual([503, 503, 200]);
    expect(statuses[0]!.body).toMatchObject({ error_code: 'DCS.5000', error_ext_msg: null });
    expect(statuses[0]!.headers['x-request-id']).toBeDefined();
    expect((await callDcs(emu, 'GET', '/jobs/x')).body.error_code).toBe('APIGW.0308');
    emu.faults.add({
      operation: '*',
      status: 400,
      errorCode: 'DCS.4049',
      errorMessage: 'The instance status is not running.',
    });
    expect((await callDcs(emu, 'GET', '/migration-tasks')).body).toMatchObject({
      error_code: 'DCS.4049',
      error_msg: 'The instance status is not running.',
    });
  });

  it('fires probabilistic rules in the same sequence for the same seed', async () => {
    const sequence = async (): Promise<number[]> => {
      emu.faults.clear();
      emu.faults.add({ operation: 'ListMigrationTask', probability: 0.5, status: 500 });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await callDcs(emu, 'GET', '/migration-tasks')).status);
      return statuses;
    };
    const first = await sequence();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await sequence()).toEqual(first);
  });

  it('adds latency', async () => {
    emu.faults.add({ operation: 'ListMigrationTask', latencyMs: 400, count: 1 });
    const started = Date.now();
    expect((await callDcs(emu, 'GET', '/migration-tasks')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('drops the connection before the operation runs: nothing is created', async () => {
    emu.faults.add({ operation: 'CreateOnlineMigrationTask', drop: true, count: 1 });
    await expect(callDcs(emu, 'POST', '/migration/instance', { body: createBody })).rejects.toThrow();
    expect(emu.tasks()).toEqual([]);
    expect(emu.requests().at(-1)).toMatchObject({ operation: 'CreateOnlineMigrationTask', status: 0 });
    expect((await callDcs(emu, 'GET', '/migration-tasks')).status).toBe(200);
  });

  it('commits then drops: the client sees a broken connection but the task exists', async () => {
    emu.faults.add({ operation: 'CreateOnlineMigrationTask', commitThenDrop: true, count: 1 });
    await expect(callDcs(emu, 'POST', '/migration/instance', { body: createBody })).rejects.toThrow();
    expect(emu.tasks()).toHaveLength(1);
    const listed = await callDcs(emu, 'GET', '/migration-tasks');
    expect(listed.body.count).toBe(1);
  });

  it('passes data-plane faults to the run the operation starts: the task ends FAILED', async () => {
    await source.flushall();
    const pipeline = source.pipeline();
    for (let i = 0; i < 2000; i++) pipeline.set(`k${i}`, 'v');
    await pipeline.exec();
    emu.faults.add({ operation: 'SetOnlineMigrationTask', dataPlane: { failAt: 50 } });
    const created = await callDcs(emu, 'POST', '/migration/instance', { body: createBody });
    const taskId = created.body.instance_id;
    await waitForStatus(emu, taskId, ['RUNNING']);
    const configured = await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
      body: {
        migration_method: 'full_amount_migration',
        resume_mode: 'manual',
        source_instance: { id: 'src' },
        target_instance: { id: 'dst' },
      },
    });
    expect(configured.status).toBe(200);
    const detail = await waitForStatus(emu, taskId, ['FAILED', 'SUCCESS']);
    expect(detail.status).toBe('FAILED');
    expect(detail.error_message).toContain('injected');
  });
  it('drops the source connection mid-copy: resume_mode manual fails, auto resumes to SUCCESS', async () => {
    await source.flushall();
    const pipeline = source.pipeline();
    for (let i = 0; i < 3000; i++) pipeline.set(`k${i}`, 'v');
    await pipeline.exec();
    const outcomes: Record<string, string> = {};
    for (const resumeMode of ['manual', 'auto'] as const) {
      emu.faults.add({ operation: 'SetOnlineMigrationTask', dataPlane: { dropSourceAt: 40 }, count: 1 });
      const taskId = (await callDcs(emu, 'POST', '/migration/instance', { body: createBody })).body.instance_id;
      await waitForStatus(emu, taskId, ['RUNNING']);
      await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
        body: {
          migration_method: 'full_amount_migration',
          resume_mode: resumeMode,
          source_instance: { id: 'src' },
          target_instance: { id: 'dst' },
        },
      });
      outcomes[resumeMode] = (await waitForStatus(emu, taskId, ['FAILED', 'SUCCESS'])).status;
    }
    expect(outcomes).toEqual({ manual: 'FAILED', auto: 'SUCCESS' });
  });

  it('logs a lost connection by its own code; batch-restart runs the same task again to SUCCESS', async () => {
    await source.flushall();
    const pipeline = source.pipeline();
    for (let i = 0; i < 3000; i++) pipeline.set(`k${i}`, 'v');
    await pipeline.exec();
    emu.faults.add({ operation: 'SetOnlineMigrationTask', dataPlane: { dropSourceAt: 40 }, count: 1 });
    const taskId = (await callDcs(emu, 'POST', '/migration/instance', { body: createBody })).body.instance_id;
    await waitForStatus(emu, taskId, ['RUNNING']);
    await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
      body: {
        migration_method: 'full_amount_migration',
        resume_mode: 'manual',
        source_instance: { id: 'src' },
        target_instance: { id: 'dst' },
      },
    });
    expect((await waitForStatus(emu, taskId, ['FAILED', 'SUCCESS'])).status).toBe('FAILED');
    const errors = await callDcs(emu, 'GET', `/migration-task/${taskId}/logs?log_level=ERROR`);
    expect(errors.body.migration_logs).toEqual([
      expect.objectContaining({
        log_level: 'ERROR',
        log_code: 'migration.connection.lost',
        keyword: ['failed', 'connection'],
      }),
    ]);
    expect(errors.body.migration_logs[0].message).toMatch(/connection to the source Redis at .* was lost/);

    const restarted = await callDcs(emu, 'POST', '/migration-tasks/batch-restart', {
      body: { migration_tasks: [taskId] },
    });
    expect(restarted.body.migration_tasks).toEqual([{ result: 'success', task_id: taskId }]);
    expect((await waitForStatus(emu, taskId, ['FAILED', 'SUCCESS'])).status).toBe('SUCCESS');
    const dst = emu.instance('dst').endpoint;
    const { Redis } = await import('ioredis');
    const target = new Redis({ host: dst.host, port: dst.port });
    try {
      expect(await target.dbsize()).toBe(3000);
    } finally {
      target.disconnect();
    }
    // Oldest first: the failure, the restart, a second full sync and its success, all on the one task.
    const all = await callDcs(emu, 'GET', `/migration-task/${taskId}/logs?limit=100`);
    const codes: string[] = all.body.migration_logs.map((line: { log_code: string }) => line.log_code);
    const tail = codes.slice(codes.indexOf('migration.connection.lost'));
    expect(
      tail.filter((code) =>
        ['migration.connection.lost', 'migration.restart', 'migration.full.start', 'migration.success'].includes(code),
      ),
    ).toEqual(['migration.connection.lost', 'migration.restart', 'migration.full.start', 'migration.success']);
    expect(emu.tasks()).toHaveLength(1);
  });

  it('a failure other than a lost connection is logged as migration.failed, with the message the fault gives', async () => {
    await source.flushall();
    await source.set('k', 'v');
    emu.faults.add({
      operation: 'SetOnlineMigrationTask',
      dataPlane: { failAt: 0, failMessage: 'target rejected the write' },
      count: 1,
    });
    const taskId = (await callDcs(emu, 'POST', '/migration/instance', { body: createBody })).body.instance_id;
    await waitForStatus(emu, taskId, ['RUNNING']);
    await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
      body: {
        migration_method: 'full_amount_migration',
        resume_mode: 'manual',
        source_instance: { id: 'src' },
        target_instance: { id: 'dst' },
      },
    });
    expect((await waitForStatus(emu, taskId, ['FAILED', 'SUCCESS'])).error_message).toBe('target rejected the write');
    const errors = await callDcs(emu, 'GET', `/migration-task/${taskId}/logs?log_level=ERROR`);
    expect(errors.body.migration_logs).toEqual([
      expect.objectContaining({
        log_code: 'migration.failed',
        message: 'Migration failed: target rejected the write.',
      }),
    ]);
  });
});

describe('admin API', () => {
  it('manages faults, lists tasks, instances and requests, resets, without secrets', async () => {
    const admin = async (method: string, path: string, body?: unknown) => {
      const response = await request(`${emu.url}/_emulator${path}`, {
        method: method as 'GET',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.body.text();
      return { status: response.statusCode, body: text ? JSON.parse(text) : undefined };
    };
    expect((await admin('GET', '/health')).body).toMatchObject({ status: 'ok', instances: 2 });
    const added = await admin('POST', '/faults', [
      { operation: 'ShowMigrationTask', status: 500, count: 1 },
      { latencyMs: 1 },
    ]);
    expect(added.status).toBe(201);
    expect(added.body.ids).toHaveLength(2);
    expect((await admin('GET', '/faults')).body.faults).toHaveLength(2);
    const invalid = await admin('POST', '/faults', { operation: 'NoSuchOperation' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error_msg).toContain('operation');
    expect((await admin('DELETE', '/faults')).status).toBe(204);
    expect((await admin('GET', '/faults')).body.faults).toEqual([]);

    await callDcs(emu, 'POST', '/migration/instance', { body: createBody });
    expect((await admin('GET', '/tasks')).body.tasks).toMatchObject([{ name: 'faulty', type: 'online_migration' }]);
    const requests = (await admin('GET', '/requests')).body.requests;
    expect(requests.at(-1)).toMatchObject({ method: 'GET', path: '/_emulator/tasks' });
    expect(requests.some((entry: { operation?: string }) => entry.operation === 'CreateOnlineMigrationTask')).toBe(
      true,
    );
    expect(JSON.stringify(requests)).not.toContain(emu.credentials.sk);

    const instance = await admin('POST', '/instances', { id: 'extra', password: 'extra-secret' });
    expect(instance.status).toBe(201);
    const instances = await admin('GET', '/instances');
    expect(instances.body.instances.map((entry: { id: string }) => entry.id)).toEqual(['src', 'dst', 'extra']);
    expect(JSON.stringify(instances.body)).not.toContain('extra-secret');
    expect((await admin('POST', '/instances', { id: 'extra' })).status).toBe(400);

    expect((await admin('POST', '/reset')).status).toBe(204);
    expect((await admin('GET', '/tasks')).body.tasks).toEqual([]);
    expect((await admin('GET', '/nope')).body.error_code).toBe('DCS.4001');
    await waitFor('instance answers', async () => (emu.instance('extra').endpoint.port > 0 ? true : undefined));
  });
});
