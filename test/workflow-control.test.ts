/**
 * Operator control: cancel (signal and Temporal's own) in every phase leaves the remote task TERMINATED and the
 * workflow CANCELLED; cutover by signal; continue-as-new keeps state; a bad input fails before any API call.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DcsMigrationApi } from '../activities/index.js';
import { DcsPhase, DcsTaskId } from '../common/search-attributes.js';
import { cancelSignal, cutoverSignal, MIGRATION_WORKFLOW_TYPE, statusQuery, type MigrationPhase } from '../common/workflow-contract.js';
import { seedSampleData } from '../local/sample-data.js';
import { waitFor } from '../local/wait.js';
import { failureOf, onlineInput, resultOf, startMigrationTestEnv, type MigrationTestEnv, type RunningWorker } from './workflow-env.js';

describe('migration workflow control', () => {
  let env: MigrationTestEnv;
  let worker: RunningWorker;
  beforeAll(async () => {
    // Provisioning takes 1.5 s so a test can cancel while the migration machine is being created.
    env = await startMigrationTestEnv({ timings: { creatingMs: 1_500, terminatingMs: 300 } });
    worker = await env.startWorker();
    // Enough data that a 1 MB/s full sync lasts a few seconds.
    await seedSampleData(env.emu.instance('source').endpoint, { keys: 20_000, seed: 3 });
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
  });

  async function waitForPhase(workflowId: string, phase: MigrationPhase): Promise<void> {
    const handle = env.temporal.client.workflow.getHandle(workflowId);
    await waitFor(`phase ${phase}`, async () => (await handle.query(statusQuery)).phase === phase, 60_000, 50);
  }

  async function expectCancelled(workflowId: string): Promise<string> {
    const handle = env.temporal.client.workflow.getHandle(workflowId);
    const error = await handle.result().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(DcsPhase)).toBe('cancelled');
    return description.typedSearchAttributes.get(DcsTaskId) ?? '';
  }

  const cases: Array<{ phase: MigrationPhase; input: ReturnType<typeof onlineInput>; by: 'signal' | 'temporal' }> = [
    { phase: 'provisioning', input: onlineInput('full'), by: 'signal' },
    { phase: 'migrating', input: onlineInput('full', { bandwidthLimitMb: 1 }), by: 'temporal' },
    { phase: 'incremental-hold', input: onlineInput('incremental'), by: 'signal' },
  ];
  for (const { phase, input, by } of cases) {
    it(`cancel by ${by} in phase ${phase} stops the remote task (TERMINATED) and ends CANCELLED`, async () => {
      const workflowId = `cancel-${phase}`;
      const handle = await env.start(input, workflowId);
      await waitForPhase(workflowId, phase);
      if (by === 'signal') await handle.signal(cancelSignal, { reason: `test cancels in ${phase}` });
      else await handle.cancel();
      const taskId = await expectCancelled(workflowId);
      const task = env.emu.tasks().find((candidate) => candidate.id === taskId);
      expect(task?.status).toBe('TERMINATED');
      const status = await handle.query(statusQuery);
      expect(status.cancel?.reason).toBe(by === 'signal' ? `test cancels in ${phase}` : 'workflow cancellation requested');
    });
  }

  for (const { phase, operation, activity } of [
    { phase: 'creating', operation: 'CreateOnlineMigrationTask', activity: 'createOnlineTask' },
    { phase: 'configuring', operation: 'SetOnlineMigrationTask', activity: 'configureOnlineTask' },
  ] as const) {
    it(`cancel while the ${phase} call is in flight: the call finishes, then its task is found and stopped`, async () => {
      env.emu.faults.add({ operation, latencyMs: 1_500, count: 1 });
      const workflowId = `cancel-in-flight-${phase}`;
      const handle = await env.start(onlineInput('full'), workflowId);
      await waitFor(
        `the ${activity} call in flight`,
        async () => {
          const { raw } = await handle.describe();
          return (raw.pendingActivities ?? []).some((pending) => pending.activityType?.name === activity);
        },
        30_000,
        20,
      );
      await handle.cancel();
      await expectCancelled(workflowId);
      const tasks = env.emu.tasks().filter((task) => task.name === `dcsm-${workflowId}`);
      expect(tasks).toHaveLength(1);
      expect(tasks[0]?.status).toBe('TERMINATED');
    });
  }

  it('cancel with delete removes the stopped task', async () => {
    const workflowId = 'cancel-delete';
    const handle = await env.start(onlineInput('incremental'), workflowId);
    await waitForPhase(workflowId, 'incremental-hold');
    const { taskId } = await handle.query(statusQuery);
    await handle.signal(cancelSignal, { reason: 'abandon', delete: true });
    await expectCancelled(workflowId);
    expect(env.emu.tasks().find((task) => task.id === taskId)).toBeUndefined();
  });

  it('cutover signal ends the hold; continue-as-new carries the state across runs', async () => {
    const workflowId = 'cutover-signal-can';
    const handle = await env.start(onlineInput('incremental', { polling: { initialInterval: 50, maxInterval: 100, pollsPerRun: 3 } }), workflowId);
    await waitForPhase(workflowId, 'incremental-hold');
    await waitFor('a continue-as-new', async () => (await handle.query(statusQuery)).continuedAsNew >= 2, 30_000, 100);
    await handle.signal(cutoverSignal, { note: 'by signal' });
    const result = await resultOf(env.temporal.client.workflow.getHandle(workflowId));
    expect(result).toMatchObject({ outcome: 'cut-over', cutover: { by: 'operator' }, remoteStatus: 'TERMINATED' });
    expect(result.continuedAsNew).toBeGreaterThanOrEqual(2);
    // One task, created once, whatever the number of runs.
    expect(result.apiCalls['createOnlineTask']).toBe(1);
    expect(env.emu.tasks().filter((task) => task.name === 'dcsm-cutover-signal-can')).toHaveLength(1);
    const description = await env.temporal.client.workflow.getHandle(workflowId).describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
  });

  it('a status dcs-migrate does not know is treated as pending for a bounded number of polls, then fails clearly', async () => {
    // The real client, with one field rewritten as a newer API might send it: the INCRMIGEATING steady state
    // reported as a status the workflow has never seen.
    const real = env.dcs;
    const rename = <T extends { status: string } | undefined>(task: T): T =>
      task && task.status === 'INCRMIGEATING' ? { ...task, status: 'SYNC_PAUSED' } : task;
    const renamingDcs: DcsMigrationApi = {
      findTaskByName: async (...args) => rename(await real.findTaskByName(...args)),
      listMigrationTask: async (...args) => {
        const page = await real.listMigrationTask(...args);
        return { ...page, migration_tasks: page.migration_tasks.map(rename) };
      },
      showMigrationTask: async (...args) => rename(await real.showMigrationTask(...args)),
      createMigrationTask: (...args) => real.createMigrationTask(...args),
      createOnlineMigrationTask: (...args) => real.createOnlineMigrationTask(...args),
      setOnlineMigrationTask: (...args) => real.setOnlineMigrationTask(...args),
      showMigrationTaskStats: (...args) => real.showMigrationTaskStats(...args),
      stopMigrationTask: (...args) => real.stopMigrationTask(...args),
      deleteMigrationTask: (...args) => real.deleteMigrationTask(...args),
      showJobInfo: (...args) => real.showJobInfo(...args),
      showInstance: (...args) => real.showInstance(...args),
      exchangeInstanceIp: (...args) => real.exchangeInstanceIp(...args),
      rollbackExchangeInstanceIp: (...args) => real.rollbackExchangeInstanceIp(...args),
      listMigrationTaskLogs: (...args) => real.listMigrationTaskLogs(...args),
      batchRestartOnlineMigrationTasks: (...args) => real.batchRestartOnlineMigrationTasks(...args),
    };
    await worker.stop();
    const renamingWorker = await env.startWorker({ dcs: renamingDcs });
    try {
      const handle = await env.start(
        onlineInput('incremental', { polling: { initialInterval: 50, maxInterval: 100, maxUnknownStatusPolls: 4 } }),
        'unknown-status',
      );
      const error = await handle.result().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('UnknownRemoteStatus');
      expect(cause.message).toContain('SYNC_PAUSED');
      const status = await handle.query(statusQuery);
      expect(status.phase).toBe('failed');
      expect(status.polls).toBeGreaterThanOrEqual(3);
    } finally {
      await renamingWorker.stop();
      worker = await env.startWorker();
    }
  });

  it('an invalid input fails at once, naming the field, before any API call', async () => {
    const before = env.emu.requests().length;
    const started = Date.now();
    const handle = await env.temporal.client.workflow.start(MIGRATION_WORKFLOW_TYPE, {
      taskQueue: env.taskQueue,
      workflowId: 'invalid-input',
      args: [{ ...onlineInput('full'), target: { password: { env: 'TARGET_REDIS_PASSWORD' } } }],
    });
    const cause = await failureOf(handle);
    expect(cause.type).toBe('InvalidMigrationInput');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toContain('target.instanceId');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(env.emu.requests().length).toBe(before);
  });
});
