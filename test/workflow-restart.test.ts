/**
 * Task logs and the restart policy, on the time-skipping layer against the scripted fake DCS
 * (test/harness/scripted-migrations.ts): a task that fails on a lost source connection is restarted — the same
 * remote task — by the input's `restart` policy or by the operator's `restart` update; when restarts are used up,
 * nobody restarts in time, or the failure is not a lost connection, the migration fails with the task's last log
 * entries in its failure, scrubbed of secrets. (A real dropped connection restarted by DCS, `dcs-migrate restart`
 * and `dcs-migrate logs` are workflow-flows' end-to-end restart.)
 */
import type { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { restartUpdate, type TaskLogEntry } from '../common/workflow-contract.js';
import { waitFor } from '../local/wait.js';
import {
  DEFAULT_WORKER_ENV,
  logEntry,
  namesOf,
  timesOf,
  type ReadAnswer,
  type RecordedCall,
} from './harness/fake-activities.js';
import { onlineInput, useScriptedMigrations } from './harness/scripted-migrations.js';
import { failureOf } from './harness/workflow-failure.js';

const { run } = useScriptedMigrations('restart');

/** Restarts without the production 30 s wait. */
const QUICK_BACKOFF = { initial: '100ms', max: '200ms' };

const input = (restart: Record<string, unknown>) => onlineInput('full', { onFailure: 'keep', restart });

/** The task failed on a dropped source connection, and wrote so in its log (a new entry each time). */
function connectionLost(): ReadAnswer {
  return {
    status: 'FAILED',
    errorMessage: 'the connection to the source Redis 10.0.0.1:6379 was lost',
    log: [logEntry('migration.connection.lost', 'Migration failed, connection lost: read ECONNRESET')],
  };
}

function restarts(calls: RecordedCall[]): RecordedCall[] {
  return calls.filter((call) => call.name === 'restartTask');
}

describe('restart policy', () => {
  it('a task failed on a lost source connection is restarted by the policy after its backoff and succeeds', async () => {
    const migration = await run(input({ maxAttempts: 1, backoff: { initial: '5s', max: '5s' } }), {
      reads: ['FULLMIGRATING', connectionLost(), 'FULLMIGRATING', 'SUCCESS'],
    });
    const result = await migration.result();
    expect(result).toMatchObject({
      outcome: 'succeeded',
      remoteStatus: 'SUCCESS',
      restarts: { count: 1, byPolicy: 1, last: { by: 'policy' } },
    });
    expect(result.restarts?.last.reason).toMatch(/connection to the source Redis .* was lost/);
    expect(restarts(migration.calls).map((call) => call.args)).toEqual([['task-0001']]);
    expect(migration.task.tasksCreated).toBe(1);
    // The log was read before deciding, and the restart waited the policy's backoff (equal jitter: 2.5–5 s).
    const names = namesOf(migration.calls);
    expect(names.indexOf('readTaskLog')).toBeLessThan(names.indexOf('restartTask'));
    const waited = timesOf(migration.calls, 'restartTask')[0]! - timesOf(migration.calls, 'readTaskLog')[0]!;
    expect(waited).toBeGreaterThanOrEqual(2_500);
    expect(waited).toBeLessThan(5_500);
  });

  it('with no restarts left by policy, an operator restart (the `restart` update) restarts the same task', async () => {
    const migration = await run(input({ maxAttempts: 0, waitForOperator: '60s' }), {
      reads: ['FULLMIGRATING', connectionLost(), 'FULLMIGRATING', 'SUCCESS'],
    });
    // Refused (nothing recorded) while the task has not failed.
    const early = await migration.handle.executeUpdate(restartUpdate, { args: [{}] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((early as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('RestartRejected');

    const pending = await waitFor(
      'a wait for an operator restart',
      async () => (await migration.status()).restartPending,
      20_000,
      20,
    );
    expect(pending).toMatchObject({ by: 'operator', reason: expect.stringMatching(/was lost/) });
    const accepted = await migration.handle.executeUpdate(restartUpdate, { args: [{ note: 'source is back' }] });
    expect(accepted.reason).toMatch(/was lost/);
    const result = await migration.result();
    expect(result).toMatchObject({
      outcome: 'succeeded',
      restarts: { count: 1, byPolicy: 0, last: { by: 'operator', note: 'source is back' } },
    });
    expect(restarts(migration.calls)).toHaveLength(1);
    expect(migration.task.tasksCreated).toBe(1);
  });

  it('without an operator restart within restart.waitForOperator the migration fails, saying so', async () => {
    const migration = await run(input({ maxAttempts: 0, waitForOperator: '10m' }), {
      reads: ['FULLMIGRATING', connectionLost()],
    });
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe('RemoteTaskFailed');
    expect(failure.message).toContain('no dcs-migrate restart within restart.waitForOperator (600000 ms)');
    expect(restarts(migration.calls)).toEqual([]);
    const [failedAt] = timesOf(migration.calls, 'readTaskLog');
    expect((await migration.handle.describe()).closeTime!.getTime() - failedAt!).toBeGreaterThanOrEqual(600_000);
  });

  it('after maxAttempts failed restarts the migration fails with the last log entries in its failure', async () => {
    const migration = await run(input({ maxAttempts: 2, backoff: QUICK_BACKOFF }), {
      reads: ['FULLMIGRATING', connectionLost(), 'FULLMIGRATING', connectionLost(), 'FULLMIGRATING', connectionLost()],
    });
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe('RemoteTaskFailed');
    expect(failure.message).toMatch(/ended FAILED: the connection to the source Redis .* was lost/);
    expect(failure.message).toMatch(
      /last log entries: \S+ migration\.connection\.lost: Migration failed, connection lost/,
    );
    expect(failure.message).toContain('restart.maxAttempts (2) used up after 2 restart(s)');
    const details = failure.details?.[0] as { logs: TaskLogEntry[]; restarts: number };
    expect(details.restarts).toBe(2);
    // Three failures of the one task: the first run's and each restart's.
    expect(details.logs.filter((entry) => entry.code === 'migration.connection.lost')).toHaveLength(3);
    expect(restarts(migration.calls)).toHaveLength(2);
    expect(migration.task.tasksCreated).toBe(1);
  });

  it('a failure that is not a lost connection is not restarted; secrets in the log are scrubbed from the failure', async () => {
    const password = DEFAULT_WORKER_ENV['TARGET_REDIS_PASSWORD']!;
    const refused = `target refused: AUTH ${password} password=hunter2-x sk=AKSK-secret-key-0123456789`;
    const migration = await run(input({ maxAttempts: 3, backoff: QUICK_BACKOFF }), {
      reads: [
        'FULLMIGRATING',
        {
          status: 'FAILED',
          errorMessage: refused,
          log: [logEntry('migration.failed', `Migration failed: ${refused}`)],
        },
      ],
    });
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe('RemoteTaskFailed');
    expect(failure.message).toContain('not restarted: not a lost connection');
    expect(failure.message).toContain('migration.failed: Migration failed: target refused: AUTH [REDACTED]');
    const everything = JSON.stringify({ message: failure.message, details: failure.details });
    for (const secret of [password, 'hunter2-x', 'AKSK-secret-key-0123456789'])
      expect(everything).not.toContain(secret);
    expect(restarts(migration.calls)).toEqual([]);
  });
});
