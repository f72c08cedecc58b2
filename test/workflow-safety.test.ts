/**
 * The safety faults of issue 19, on the time-skipping layer against the scripted fake DCS
 * (test/harness/scripted-migrations.ts): a secret reference that does not resolve on the worker fails the
 * migration before any DCS call; a failure after the task was created stops it (or deletes it, or keeps it as
 * asked) and says so; a task another running migration drives is never adopted, stopped or deleted by a second one
 * with the same task name. (That the owner is found through Temporal's visibility is workflow-flows' to show.)
 */
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { readMigration } from '../client/migration-view.js';
import { statusLines } from '../client/render-migration.js';
import { remoteTaskCleanupOf } from '../common/remote-task-cleanup.js';
import { waitFor } from '../local/wait.js';
import { DEFAULT_WORKER_ENV, namesOf, type RecordedCall } from './harness/fake-activities.js';
import { DCS_OPERATIONS } from './harness/fake-faults.js';
import { onlineInput, useScriptedMigrations } from './harness/scripted-migrations.js';
import { failureOf } from './harness/workflow-failure.js';

const { run, env } = useScriptedMigrations('safety');

function dcsCalls(calls: RecordedCall[]): RecordedCall[] {
  return calls.filter((call) => DCS_OPERATIONS[call.name] !== undefined);
}

const stopsOrDeletes = (calls: RecordedCall[]) =>
  namesOf(calls).filter((name) => name === 'stopTask' || name === 'deleteTask');

describe('migration safety (issue 19)', () => {
  it('unresolvable secret references fail the migration at once, naming each, and no DCS call is made', async () => {
    const input = onlineInput('full', {
      source: { instanceId: 'source', password: { env: 'NO_SUCH_SOURCE_PASSWORD' } },
      verify: {
        source: { address: '10.0.0.1:6379', password: { file: '/nonexistent/dcs-migrate/source.pw' } },
        target: { address: '10.0.0.2:6379', password: { env: 'TARGET_REDIS_PASSWORD' } },
      },
    });
    const migration = await run(input, { reads: ['MIGRATING'] });
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe('SecretUnavailable');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(
      'source.password: environment variable NO_SUCH_SOURCE_PASSWORD is not set on the worker',
    );
    expect(failure.message).toContain(
      'verify.source.password: cannot read password file /nonexistent/dcs-migrate/source.pw',
    );
    expect(failure.message).toContain('no remote task was created');
    // The references that resolve are checked too, but their values never leave the worker.
    const told = JSON.stringify({ message: failure.message, details: failure.details });
    for (const secret of Object.values(DEFAULT_WORKER_ENV)) expect(told).not.toContain(secret);
    expect(namesOf(migration.calls)).toEqual(['checkReferences']);
    expect(migration.task.tasksCreated).toBe(0);
    const status = await migration.status();
    expect(status.phase).toBe('failed');
    expect(status.taskId).toBeUndefined();
  });

  /** A configure refused with a 400: the task exists (a paid migration machine) when the migration fails. */
  async function failAfterCreate(onFailure?: 'stop' | 'delete' | 'keep') {
    const refused = {
      activity: 'configureOnlineTask',
      status: 400,
      errorCode: 'DCS.4961',
      errorMessage: 'Invalid source address.',
    } as const;
    const migration = await run(onlineInput('incremental', onFailure ? { onFailure } : {}), {
      reads: ['INCRMIGEATING'],
      faults: [refused],
    });
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe('DcsBadRequestError');
    expect(failure.message).toContain('Invalid source address.');
    const { taskId } = await migration.status();
    expect(taskId).toBe('task-0001');
    return { migration, failure, taskId: taskId!, view: await readMigration(env().env.client, migration.workflowId) };
  }

  it('a failure after the task was created stops it (onFailure default: stop), and the failure and `status` say so', async () => {
    const { migration, failure, taskId, view } = await failAfterCreate();
    expect(migration.task.stopped).toBe(true);
    expect(stopsOrDeletes(migration.calls)).toEqual(['stopTask']);
    expect(failure.message).toContain(`; remote task ${taskId} stopped (TERMINATED)`);
    expect(remoteTaskCleanupOf(failure.details)).toEqual({ action: 'stopped', taskId, status: 'TERMINATED' });
    expect(statusLines(view, undefined)).toContain(`on failure  remote task ${taskId} stopped (TERMINATED)`);
    expect(view.status).toMatchObject({
      phase: 'failed',
      remoteStatus: 'TERMINATED',
      lastError: { type: 'DcsBadRequestError' },
    });
  });

  it('onFailure: delete stops and deletes the task', async () => {
    const { migration, failure, taskId } = await failAfterCreate('delete');
    expect(migration.task.deleted).toBe(true);
    expect(stopsOrDeletes(migration.calls)).toEqual(['stopTask', 'deleteTask']);
    expect(failure.message).toContain(`; remote task ${taskId} stopped and deleted (onFailure: delete)`);
    expect(remoteTaskCleanupOf(failure.details)?.action).toBe('deleted');
  });

  it('onFailure: keep leaves the task running and says so', async () => {
    const { migration, failure, taskId } = await failAfterCreate('keep');
    expect(failure.message).toContain(`; remote task ${taskId} kept (RUNNING) as requested (onFailure: keep)`);
    expect(stopsOrDeletes(migration.calls)).toEqual([]);
  });

  it('create committed but its answer lost, then the lookup refused: the task is found by name and stopped', async () => {
    // The create commits and its answer is lost; the lookup before the retry is refused (403, final), so the
    // create step fails without ever learning the task id, yet a paid task exists under the migration's name.
    const migration = await run(onlineInput('full'), {
      reads: ['MIGRATING'],
      faults: [
        { activity: 'createOnlineTask', calls: [1], commitThenDrop: true },
        { activity: 'findTaskByName', calls: [2], status: 403 },
      ],
    });
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe('DcsPermissionDeniedError');
    expect(migration.task.tasksCreated).toBe(1);
    expect(migration.task.stopped).toBe(true);
    expect(failure.message).toContain('; remote task task-0001 stopped (TERMINATED)');
  });

  it('a task already FAILED is left as it is: no stop call', async () => {
    const migration = await run(onlineInput('full'), {
      reads: ['MIGRATING', { status: 'FAILED', errorMessage: 'injected data-plane fault' }],
    });
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe('RemoteTaskFailed');
    expect(failure.message).toMatch(
      /; remote task \S+ left as it is \(FAILED\): it has already ended, nothing to stop$/,
    );
    expect(stopsOrDeletes(migration.calls)).toEqual([]);
  });

  it('a task another running migration drives is refused (RemoteTaskOwned, naming it), never touched', async () => {
    const taskName = 'shared-task-name-1';
    const intruder = await run(onlineInput('full', { taskName }), {
      existing: true,
      owner: 'safety-owner',
      reads: ['INCRMIGEATING'],
    });
    const failure = await failureOf(intruder.handle);
    expect(failure.type).toBe('RemoteTaskOwned');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(
      `remote task task-0001 (${taskName}) is driven by the running migration safety-owner`,
    );
    expect(failure.message).toContain('the task of the other migration was left alone');
    const status = await intruder.status();
    expect(status.taskId).toBeUndefined();
    expect(status.apiCalls['stopTask'] ?? 0).toBe(0);
    // It looked the name up and asked for the owner; it created, configured, stopped or deleted nothing.
    expect(namesOf(dcsCalls(intruder.calls))).toEqual(['findTaskByName']);
    expect(namesOf(intruder.calls)).toContain('findTaskOwner');
  });

  it("cancelling a second migration with the same taskName never stops the first one's task", async () => {
    const taskName = 'shared-task-name-2';
    // Cancelled while its first lookup is in flight: its cleanup looks the task up by name (its own create could
    // have been under way) and finds the other migration's.
    const intruder = await run(onlineInput('full', { taskName }), {
      existing: true,
      owner: 'safety-owner-2',
      reads: ['INCRMIGEATING'],
      faults: [{ activity: 'findTaskByName', calls: [1], latencyMs: 500 }],
    });
    await waitFor(
      'the lookup in flight',
      () => intruder.calls.some((call) => call.name === 'findTaskByName'),
      10_000,
      10,
    );
    await intruder.handle.cancel();
    const error = await intruder.result().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(stopsOrDeletes(intruder.calls)).toEqual([]);
    expect(namesOf(intruder.calls).filter((name) => name === 'findTaskOwner')).toHaveLength(1);
    expect(intruder.task.tasksCreated).toBe(0);
  });
});
