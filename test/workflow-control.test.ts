/**
 * Operator control, on the time-skipping layer against the scripted fake DCS (test/harness/scripted-migrations.ts):
 * cancel (signal and Temporal's own) in every phase stops the remote task and ends the run CANCELLED, a call in
 * flight finishes first and its task is stopped; cancel with delete removes the task; cutover by signal;
 * continue-as-new keeps the state; an unknown status fails after a bound; a bad input fails before any call.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { DcsPhase, DcsTaskId } from '../common/search-attributes.js';
import {
  cancelSignal,
  cutoverSignal,
  MIGRATION_WORKFLOW_TYPE,
  type MigrationPhase,
} from '../common/workflow-contract.js';
import { waitFor } from '../local/wait.js';
import { namesOf, type TaskScript } from './harness/fake-activities.js';
import { onlineInput, SLOW_POLLING, useScriptedMigrations, type ScriptedRun } from './harness/scripted-migrations.js';
import { failureOf } from './harness/workflow-failure.js';

const { run, env, fake } = useScriptedMigrations('control');

/** Asserts the run closed CANCELLED, published as cancelled, with its task stopped by one of its last calls. */
async function expectCancelled(migration: ScriptedRun): Promise<void> {
  const error = await migration.result().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  const description = await migration.handle.describe();
  expect(description.status.name).toBe('CANCELLED');
  expect(description.typedSearchAttributes.get(DcsPhase)).toBe('cancelled');
  expect(description.typedSearchAttributes.get(DcsTaskId)).toBe('task-0001');
  expect(migration.task.stopped).toBe(true);
  expect((await migration.status()).remoteStatus).toBe('TERMINATED');
}

describe('migration workflow control', () => {
  const cases: Array<{
    phase: MigrationPhase;
    method: 'full' | 'incremental';
    script: TaskScript;
    by: 'signal' | 'temporal';
  }> = [
    // Still being provisioned: DCS refuses the first stop (wrong state), the stop is tried again until it is taken.
    {
      phase: 'provisioning',
      method: 'full',
      script: {
        provisioning: ['CREATING'],
        reads: [],
        faults: [{ activity: 'stopTask', calls: [1], status: 400, errorCode: 'DCS.4957' }],
      },
      by: 'signal',
    },
    { phase: 'migrating', method: 'full', script: { reads: ['MIGRATING'] }, by: 'temporal' },
    { phase: 'incremental-hold', method: 'incremental', script: { reads: ['INCRMIGEATING'] }, by: 'signal' },
  ];
  for (const { phase, method, script, by } of cases) {
    it(`cancel by ${by} in phase ${phase} stops the remote task (TERMINATED) and ends CANCELLED`, async () => {
      const migration = await run(onlineInput(method, { polling: SLOW_POLLING }), script);
      await migration.phase(phase);
      await migration.idle();
      if (by === 'signal') await migration.handle.signal(cancelSignal, { reason: `test cancels in ${phase}` });
      else await migration.handle.cancel();
      await expectCancelled(migration);
      expect((await migration.status()).cancel?.reason).toBe(
        by === 'signal' ? `test cancels in ${phase}` : 'workflow cancellation requested',
      );
      expect(namesOf(migration.calls).filter((name) => name === 'stopTask')).toHaveLength(
        phase === 'provisioning' ? 2 : 1,
      );
      expect(migration.calls.some((call) => call.name === 'deleteTask')).toBe(false);
    });
  }

  for (const activity of ['createOnlineTask', 'configureOnlineTask'] as const) {
    it(`cancel while the ${activity} call is in flight: the call finishes, then its task is found and stopped`, async () => {
      const migration = await run(onlineInput('full'), {
        reads: ['MIGRATING'],
        faults: [{ activity, latencyMs: 800 }],
      });
      await waitFor(
        `the ${activity} call in flight`,
        () => migration.calls.some((call) => call.name === activity),
        10_000,
        10,
      );
      await migration.handle.cancel();
      await expectCancelled(migration);
      expect(migration.task.tasksCreated).toBe(1);
      expect(migration.task.configured).toBe(activity === 'configureOnlineTask');
      // Stopped after the call in flight, never before it: the cleanup waited for it.
      const names = namesOf(migration.calls);
      expect(names.indexOf('stopTask')).toBeGreaterThan(names.indexOf(activity));
      expect(names.filter((name) => name === 'createOnlineTask')).toHaveLength(1);
    });
  }

  it('cancel with delete removes the stopped task', async () => {
    const migration = await run(onlineInput('incremental', { polling: SLOW_POLLING }), { reads: ['INCRMIGEATING'] });
    await migration.phase('incremental-hold');
    await migration.idle();
    await migration.handle.signal(cancelSignal, { reason: 'abandon', delete: true });
    await expectCancelled(migration);
    expect(migration.task.deleted).toBe(true);
    const names = namesOf(migration.calls);
    expect(names.at(-2)).toBe('deleteTask');
    expect(names.indexOf('deleteTask')).toBeGreaterThan(names.indexOf('stopTask'));
    expect(migration.calls.find((call) => call.name === 'deleteTask')?.args).toEqual(['task-0001']);
  });

  it('cutover signal ends the hold; continue-as-new carries the state across runs', async () => {
    const polling = { initialInterval: 50, maxInterval: 100, pollsPerRun: 3 };
    const migration = await run(onlineInput('incremental', { polling }), { reads: ['INCRMIGEATING'] });
    await migration.phase('incremental-hold');
    await waitFor('a continue-as-new', async () => (await migration.status()).continuedAsNew >= 2, 20_000, 20);
    await migration.idle();
    await migration.handle.signal(cutoverSignal, { note: 'by signal' });
    // The run that decides the cutover is the last one: it stops the task without continuing as new.
    await waitFor('the cutover decided', async () => (await migration.status()).cutover?.decidedAt, 20_000, 20);
    const result = await migration.result();
    expect(result).toMatchObject({
      outcome: 'cut-over',
      cutover: { by: 'operator', note: 'by signal' },
      remoteStatus: 'TERMINATED',
    });
    expect(result.continuedAsNew).toBeGreaterThanOrEqual(2);
    // One task, created once, whatever the number of runs.
    expect(result.apiCalls['createOnlineTask']).toBe(1);
    expect(migration.task.tasksCreated).toBe(1);
    expect(new Set(migration.calls.map((call) => call.runId)).size).toBeGreaterThanOrEqual(3);
    expect((await migration.handle.describe()).runId).not.toBe(migration.handle.firstExecutionRunId);
  });

  it('a status dcs-migrate does not know is treated as pending for a bounded number of polls, then fails clearly', async () => {
    // The incremental steady state reported as a status the workflow has never seen, as a newer API might.
    const polling = { initialInterval: 50, maxInterval: 100, maxUnknownStatusPolls: 4 };
    const migration = await run(onlineInput('incremental', { polling }), { reads: ['SYNC_PAUSED'] });
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe('UnknownRemoteStatus');
    expect(failure.message).toContain('reported the unknown status SYNC_PAUSED for 4 polls');
    const status = await migration.status();
    expect(status.phase).toBe('failed');
    expect(status.polls).toBeGreaterThanOrEqual(3);
  });

  it('an invalid input fails at once, naming the field, before any activity call', async () => {
    const workflowId = `control-invalid-${Date.now()}`;
    const calls = fake.script(workflowId, { reads: [] });
    const handle = await env().env.client.workflow.start(MIGRATION_WORKFLOW_TYPE, {
      taskQueue: env().taskQueue,
      workflowId,
      args: [{ ...onlineInput('full'), target: { password: { env: 'TARGET_REDIS_PASSWORD' } } }],
    });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('InvalidMigrationInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('target.instanceId');
    expect(calls).toEqual([]);
    // No retry and no wait: the run closed within the second it started, in workflow time.
    const { startTime, closeTime } = await handle.describe();
    expect(closeTime!.getTime() - startTime.getTime()).toBeLessThan(1_000);
  });
});
