/**
 * The client switch at the cutover (`cutover.switch: ip`), on the time-skipping layer against the scripted fake
 * DCS (test/harness/scripted-migrations.ts), whose exchange moves the addresses the post-switch check looks at:
 * switch, rollback and switch again on the one task; a failed check rolls back by itself; a refused restart after a
 * rollback fails the migration; a lost exchange answer is not repeated; a switch DCS never reports done fails
 * after its bound; an unverified target or an ineligible pair is refused before any switch call. (Clients of the
 * source's address really reaching the target is workflow-flows' end-to-end switch.)
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { cutoverUpdate, MigrationFailureType, rollbackUpdate } from '../common/workflow-contract.js';
import { namesOf, timesOf, type RecordedCall, type TaskScript } from './harness/fake-activities.js';
import { DCS_OPERATIONS } from './harness/fake-faults.js';
import { onlineInput, useScriptedMigrations } from './harness/scripted-migrations.js';
import { failureOf } from './harness/workflow-failure.js';

const { run } = useScriptedMigrations('switch');

/** The switch needs the same password on both sides: the worker's environment says so. */
const SAME_PASSWORD = { SOURCE_REDIS_PASSWORD: 'same-on-both-pw-5d2c', TARGET_REDIS_PASSWORD: 'same-on-both-pw-5d2c' };
const TARGET_RUN_ID = 'run-id-of-the-target-server';

/** Addresses only: these tests are about the switch itself (reverse-sync-rules.test.ts: the rollback keeping writes). */
function switchInput(cutover: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return onlineInput('incremental', { cutover: { switch: 'ip', rollback: 'addresses-only', ...cutover }, ...extra });
}

function switching(script: Partial<TaskScript> = {}): TaskScript {
  return { reads: ['INCRMIGEATING'], workerEnv: SAME_PASSWORD, switch: { targetRunId: TARGET_RUN_ID }, ...script };
}

function count(calls: RecordedCall[], name: RecordedCall['name']): number {
  return namesOf(calls).filter((call) => call === name).length;
}

/** The names of the calls after the first one named `after`. */
function namesAfter(calls: RecordedCall[], after: RecordedCall['name']): string[] {
  const names = namesOf(calls);
  return names.slice(names.indexOf(after) + 1);
}

async function updateError(update: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await update.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
}

describe('cutover.switch: ip', () => {
  it('switches, rolls back on request, restarts the task and holds, switches again, cuts over after the window', async () => {
    const migration = await run(
      switchInput({ rollbackWindow: '1h', afterRollback: 'hold', canaryKey: 'dcs-migrate:canary' }),
      switching(),
    );
    await migration.phase('incremental-hold');
    // Nothing to roll back yet: refused, nothing recorded.
    expect((await updateError(migration.handle.executeUpdate(rollbackUpdate, { args: [{}] }))).type).toBe(
      MigrationFailureType.RollbackRejected,
    );
    expect((await migration.status()).switch).toBeUndefined();
    await migration.handle.executeUpdate(cutoverUpdate, { args: [{ note: 'switch test' }] });
    await migration.phase('switched');

    const switched = await migration.status();
    expect(switched.switch).toMatchObject({ mode: 'ip', state: 'switched', switches: 1, check: { outcome: 'passed' } });
    expect(switched.switch?.check?.evidence).toContain('took the canary dcs-migrate:canary');
    // Checked through the source's old address against the server the target's address answered with before.
    const check = migration.calls.find((call) => call.name === 'checkSwitched')!.args[0];
    expect(check).toMatchObject({
      address: '10.0.0.1:6379',
      expectRunId: TARGET_RUN_ID,
      canaryKey: 'dcs-migrate:canary',
    });
    expect(migration.calls.find((call) => call.name === 'exchangeIp')!.args[1]).toEqual({
      exchangedIp: ['10.0.0.1'],
      domain: false,
    });

    const done = await migration.handle.executeUpdate(rollbackUpdate, { args: [{ note: 'back' }] });
    expect(done.finishedAt).toBeDefined();
    // afterRollback: hold — the same task restarted copies again, and the next cutover switches again.
    await migration.phase('incremental-hold');
    expect(namesAfter(migration.calls, 'rollbackIp')).toContain('restartTask');
    await migration.handle.executeUpdate(cutoverUpdate, { args: [{ note: 'again' }] });
    await migration.phase('switched');
    // No rollback this time: the window ends (skipped time), the task is stopped, the clients stay on the target.
    const result = await migration.result();
    expect(result).toMatchObject({
      outcome: 'cut-over',
      remoteStatus: 'TERMINATED',
      switch: { state: 'switched', switches: 2 },
    });
    expect(migration.task.tasksCreated).toBe(1);
    expect([
      count(migration.calls, 'exchangeIp'),
      count(migration.calls, 'rollbackIp'),
      count(migration.calls, 'restartTask'),
    ]).toEqual([2, 1, 1]);
    const exchanges = timesOf(migration.calls, 'exchangeIp');
    const stop = timesOf(migration.calls, 'stopTask')[0]!;
    expect(stop - exchanges[1]!).toBeGreaterThanOrEqual(60 * 60_000);
  });

  it('a failed post-switch check rolls back by itself; afterRollback: end ends rolled back with one task', async () => {
    const migration = await run(
      switchInput({ mode: 'auto', rollbackWindow: 0, afterRollback: 'end' }),
      switching({ switch: { targetRunId: TARGET_RUN_ID, unmovedExchanges: [1] } }),
    );
    const result = await migration.result();
    expect(result.outcome).toBe('rolled-back');
    expect(result.switch).toMatchObject({
      state: 'rolled-back',
      check: { outcome: 'failed' },
      rollback: { by: 'check' },
    });
    expect(result.switch?.check?.evidence).toContain('is still answered by run-id-of-the-source-server');
    expect(result.apiCalls['rollbackIp']).toBe(1);
    expect(migration.task.tasksCreated).toBe(1);
    // Ended rolled back: no restart, no stop, the clients on the source.
    expect(namesAfter(migration.calls, 'rollbackIp')).not.toContain('restartTask');
    expect(count(migration.calls, 'stopTask')).toBe(0);
  });

  const refusedRestart = {
    delivered: false,
    errorCode: 'DCS.4975',
    errorMessage: 'The task cannot be restarted in its current state.',
  } as const;
  for (const { by, onFailure } of [
    { by: 'rollback update', onFailure: 'stop' },
    { by: 'failed check', onFailure: 'delete' },
  ] as const) {
    it(`a refused restart after a rollback (${by}) fails RestartFailed, task cleaned up (onFailure: ${onFailure})`, async () => {
      // A deadline: if the refusal went unnoticed, the run would hold again and cut over at it instead of failing.
      const cutover = { mode: by === 'failed check' ? 'auto' : 'manual', rollbackWindow: '10m', afterRollback: 'hold' };
      const unmovedExchanges = by === 'failed check' ? [1] : [];
      const migration = await run(
        switchInput(cutover, { onFailure, hold: { maxDuration: '2m' } }),
        switching({ restarts: [refusedRestart], switch: { targetRunId: TARGET_RUN_ID, unmovedExchanges } }),
      );
      if (by === 'rollback update') {
        await migration.phase('incremental-hold');
        await migration.handle.executeUpdate(cutoverUpdate, { args: [{}] });
        await migration.phase('switched');
        await migration.handle.executeUpdate(rollbackUpdate, { args: [{ note: 'back' }] });
      }
      const failure = await failureOf(migration.handle);
      expect(failure.type).toBe(MigrationFailureType.RestartFailed);
      expect(failure.message).toContain('DCS refused to restart task task-0001');
      expect(failure.message).toContain(
        'after the rollback: DCS.4975 The task cannot be restarted in its current state.',
      );
      const cleanup = onFailure === 'delete' ? 'stopped and deleted (onFailure: delete)' : 'stopped (TERMINATED)';
      expect(failure.message).toContain(`; remote task task-0001 ${cleanup}`);
      // Refused once, never switched again: cleaned up right after the refusal.
      expect(count(migration.calls, 'restartTask')).toBe(1);
      expect(count(migration.calls, 'exchangeIp')).toBe(1);
      expect(namesAfter(migration.calls, 'restartTask')).toContain('stopTask');
      expect(migration.task.deleted).toBe(onFailure === 'delete');
      expect((await migration.status()).switch).toMatchObject({ state: 'rolled-back' });
    });
  }

  it('an exchange DCS took although its answer was lost is not sent again', async () => {
    const migration = await run(
      switchInput({ mode: 'auto', rollbackWindow: 0 }),
      switching({ faults: [{ activity: 'exchangeIp', calls: [1], commitThenDrop: true }] }),
    );
    const result = await migration.result();
    expect(result).toMatchObject({
      outcome: 'cut-over',
      switch: { state: 'switched', switches: 1, check: { outcome: 'passed' } },
    });
    expect(count(migration.calls, 'exchangeIp')).toBe(1);
    // The switch state read right after the lost answer showed the exchange under way.
    expect(namesAfter(migration.calls, 'exchangeIp')[0]).toBe('showSwitchState');
  });

  it(`a switch DCS never reports done fails the migration as ${MigrationFailureType.SwitchFailed} after 30 minutes`, async () => {
    const polling = { initialInterval: '1m', maxInterval: '1m' };
    const migration = await run(
      switchInput({ mode: 'auto' }, { polling }),
      switching({ switch: { settleReads: 'never' } }),
    );
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe(MigrationFailureType.SwitchFailed);
    expect(failure.message).toContain('DCS did not report EXCHANGE_SUCCESS for task task-0001');
    expect(failure.message).toContain('(task_status EXCHANGING)');
    const reads = timesOf(migration.calls, 'showSwitchState');
    const exchanged = timesOf(migration.calls, 'exchangeIp')[0]!;
    expect(reads.at(-1)! - exchanged).toBeGreaterThan(30 * 60_000);
    expect(reads.at(-1)! - exchanged).toBeLessThan(32 * 60_000);
    expect(count(migration.calls, 'checkSwitched')).toBe(0);
  });

  it('a target the verify step finds different is refused before any switch call: the clients stay on the source', async () => {
    const verify = {
      source: { address: '10.0.0.1:6379', password: { env: 'SOURCE_REDIS_PASSWORD' } },
      target: { address: '10.0.0.2:6379', password: { env: 'TARGET_REDIS_PASSWORD' } },
      rounds: 0,
    };
    const found = { outcome: 'differences', mode: 'reverse', totalDifferences: 1 } as const;
    const migration = await run(switchInput({ mode: 'auto' }, { verify }), switching({ verify: found }));
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe(MigrationFailureType.SwitchRefused);
    expect(failure.message).toMatch(/switch-verified: the verify step found 1 difference/);
    const status = await migration.status();
    expect(status.switch).toMatchObject({
      state: 'refused',
      eligibility: [expect.objectContaining({ id: 'switch-verified', verdict: 'fail' })],
    });
    expect(count(migration.calls, 'exchangeIp')).toBe(0);
    expect(namesOf(migration.calls)).toContain('verifyData');
  });

  it('an ineligible pair (different passwords) is refused before any DCS call', async () => {
    const migration = await run(
      switchInput({}),
      switching({ workerEnv: { SOURCE_REDIS_PASSWORD: 'one-password', TARGET_REDIS_PASSWORD: 'another' } }),
    );
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe(MigrationFailureType.SwitchRefused);
    const status = await migration.status();
    expect(status.switch).toMatchObject({
      state: 'refused',
      eligibility: [expect.objectContaining({ id: 'switch-same-password', verdict: 'fail' })],
    });
    // The passwords were compared on the worker; nothing reached DCS.
    expect(namesOf(migration.calls)).toEqual(['checkReferences', 'comparePasswords']);
    expect(migration.calls.filter((call) => DCS_OPERATIONS[call.name] !== undefined)).toEqual([]);
    // Nothing to roll back: the run is over.
    await expect(migration.handle.executeUpdate(rollbackUpdate, { args: [{}] })).rejects.toThrow();
  });
});
