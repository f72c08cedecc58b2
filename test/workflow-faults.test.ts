/**
 * Failure handling against the emulator's fault injection: transient faults are retried until the migration
 * succeeds; client errors fail the workflow within seconds with the DcsError type and no retry storm; a lost
 * create answer and a worker restart never make a second remote task.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callsSince } from './harness/emulator-requests.js';
import { statusQuery } from '../common/workflow-contract.js';
import { seedSampleData } from '../local/sample-data.js';
import { compareRedis } from '../verify/compare.js';
import { waitFor } from '../local/wait.js';
import { failureOf, FAST_POLLING, onlineInput, resultOf, startMigrationTestEnvWithWorker, type MigrationTestEnv, type RunningWorker } from './workflow-env.js';

describe('migration workflow under faults', () => {
  let env: MigrationTestEnv;
  let worker: RunningWorker;
  beforeAll(async () => {
    ({ env, worker } = await startMigrationTestEnvWithWorker());
    await seedSampleData(env.emu.instance('source').endpoint, { keys: 2_000, seed: 21 });
  });
  afterAll(async () => {
    await env?.teardown();
  });
  beforeEach(() => env.emu.faults.clear());

  it('with 30% of calls answered 500 and 10% dropped, the migration still succeeds with one task', async () => {
    env.emu.faults.add({ operation: '*', probability: 0.3, status: 500 });
    env.emu.faults.add({ operation: '*', probability: 0.1, drop: true });
    const handle = await env.start(onlineInput('full'), 'faults-flaky');
    const result = await resultOf(handle);
    env.emu.faults.clear();
    expect(result).toMatchObject({ outcome: 'succeeded', remoteStatus: 'SUCCESS' });
    expect(env.emu.tasks().filter((task) => task.name === 'dcsm-faults-flaky')).toHaveLength(1);
    const injected = env.emu.requests().filter((request) => request.status === 500).length;
    expect(injected).toBeGreaterThan(0);
    // Retries show up as attempts beyond one per completed call.
    const calls = Object.values(result.apiCalls).reduce((a, b) => a + b, 0);
    expect(result.activityAttempts).toBeGreaterThan(calls);
    const report = await compareRedis(env.emu.instance('source').endpoint, env.emu.instance('target').endpoint);
    expect(report.totalDifferences).toBe(0);
  });

  const clientErrors: Array<{
    name: string;
    type: string;
    setUp: (env: MigrationTestEnv) => Promise<{ handle: WorkflowHandle; cleanup?: () => Promise<void> }>;
  }> = [
    {
      name: '400 on create',
      type: 'DcsBadRequestError',
      setUp: async (env) => {
        env.emu.faults.add({
          operation: 'CreateOnlineMigrationTask',
          status: 400,
          errorCode: 'DCS.4063',
          errorMessage: 'Invalid vpc_id parameter in the request.',
        });
        return { handle: await env.start(onlineInput('full'), 'faults-400') };
      },
    },
    {
      name: '401 (wrong secret key)',
      type: 'DcsAuthenticationError',
      setUp: async (env) => {
        // One worker per task queue and process: the good one steps aside for the one with a wrong key.
        await worker.stop();
        const badWorker = await env.startWorker({ dcs: env.dcsClient({ ak: env.emu.credentials.ak, sk: 'not-the-secret-key-000000000000000000000' }) });
        return {
          handle: await env.start(onlineInput('full'), 'faults-401'),
          cleanup: async () => {
            await badWorker.stop();
            worker = await env.startWorker();
          },
        };
      },
    },
    {
      name: '403 on list',
      type: 'DcsPermissionDeniedError',
      setUp: async (env) => {
        env.emu.faults.add({ operation: 'ListMigrationTask', status: 403 });
        return { handle: await env.start(onlineInput('full'), 'faults-403') };
      },
    },
    {
      name: '404 (unknown target instance)',
      type: 'DcsNotFoundError',
      setUp: async (env) => ({
        handle: await env.start(
          {
            kind: 'backup_import',
            target: { instanceId: 'no-such-instance' },
            backup: { source: 'obs', bucket: 'b', files: [{ name: 'x.rdb' }] },
            polling: FAST_POLLING,
            // The pre-flight checks would stop it first (target-exists, test/precheck.test.ts): this case is about
            // the create call's own 404, as when the instance goes away between the checks and the create.
            prechecks: { mode: 'off' },
          },
          'faults-404',
        ),
      }),
    },
  ];
  for (const { name, type, setUp } of clientErrors) {
    it(`${name}: fails within seconds as ${type}, without a retry storm`, async () => {
      const before = env.emu.requests().length;
      const started = Date.now();
      const { handle, cleanup } = await setUp(env);
      try {
        const failure = await failureOf(handle);
        expect(failure.type).toBe(type);
        expect(failure.nonRetryable).toBe(true);
        expect(Date.now() - started).toBeLessThan(15_000);
        // A lookup before create and the failing call: a handful of requests, not a storm.
        expect(env.emu.requests().length - before).toBeLessThanOrEqual(4);
        const status = await handle.query(statusQuery).catch(() => undefined);
        if (status) expect(status.phase).toBe('failed');
      } finally {
        await cleanup?.();
      }
    });
  }

  it("a remote task that ends FAILED fails the workflow as RemoteTaskFailed with DCS's error message", async () => {
    env.emu.faults.add({ operation: 'SetOnlineMigrationTask', dataPlane: { failAt: 30 }, count: 1 });
    const handle = await env.start(onlineInput('full'), 'faults-remote-failed');
    const failure = await failureOf(handle);
    expect(failure.type).toBe('RemoteTaskFailed');
    expect(failure.message).toContain('FAILED');
    expect(failure.message).toContain('injected data-plane fault');
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ phase: 'failed', remoteStatus: 'FAILED' });
    expect(env.emu.tasks().find((task) => task.id === status.taskId)?.status).toBe('FAILED');
  });

  it('create committed but its answer lost: exactly one remote task, workflow completes', async () => {
    env.emu.faults.add({ operation: 'CreateOnlineMigrationTask', commitThenDrop: true, count: 1 });
    const before = env.emu.requests().length;
    const result = await resultOf(await env.start(onlineInput('full'), 'faults-commit-drop'));
    expect(result.outcome).toBe('succeeded');
    expect(env.emu.tasks().filter((task) => task.name === 'dcsm-faults-commit-drop')).toHaveLength(1);
    expect(callsSince(env.emu, before, 'CreateOnlineMigrationTask').length).toBe(1);
  });

  it('configure committed but its answer lost: configured once, migration completes', async () => {
    env.emu.faults.add({ operation: 'SetOnlineMigrationTask', commitThenDrop: true, count: 1 });
    const before = env.emu.requests().length;
    const result = await resultOf(await env.start(onlineInput('full'), 'faults-configure-drop'));
    expect(result.outcome).toBe('succeeded');
    expect(callsSince(env.emu, before, 'SetOnlineMigrationTask').length).toBe(1);
  });

  it('worker stopped mid-run and a new one started: one remote task, workflow completes', async () => {
    const handle = await env.start(onlineInput('incremental', { hold: { maxDuration: '2s' } }), 'faults-worker-restart');
    await waitFor('the task to exist', async () => (await handle.query(statusQuery)).taskId !== undefined, 30_000, 50);
    await worker.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    worker = await env.startWorker();
    const result = await resultOf(handle);
    expect(result).toMatchObject({ outcome: 'cut-over', remoteStatus: 'TERMINATED' });
    expect(env.emu.tasks().filter((task) => task.name === 'dcsm-faults-worker-restart')).toHaveLength(1);
  });
});
