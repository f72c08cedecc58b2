/**
 * Failure handling, on the time-skipping layer against the scripted fake DCS (test/harness/scripted-migrations.ts),
 * whose faults become failures through the DCS client's own error mapping: transient faults are retried until the
 * migration succeeds with one task; client errors fail the workflow at once with the DcsError type and no retry
 * storm; a remote task that ends FAILED fails it with DCS's message; a lost create or configure answer and a worker
 * restart never make a second task or a second configuration. (The same API faults against the emulator, with
 * many migrations at once, are the chaos suite's `api-faults` scenario.)
 */
import { describe, expect, it } from 'vitest';
import { logEntry, namesOf, type FaultRule, type RecordedCall } from './harness/fake-activities.js';
import { DCS_OPERATIONS } from './harness/fake-faults.js';
import { onlineInput, QUICK_POLLING, useScriptedMigrations } from './harness/scripted-migrations.js';
import { failureOf } from './harness/workflow-failure.js';
import { waitFor } from '../local/wait.js';
import type { MigrationInputFile } from '../common/migration-input.js';

// Without a workflow cache: the worker restart test needs the new worker to be handed the run.
const { run, env } = useScriptedMigrations('faults', { cacheWorkflows: false });

/** The calls that reached DCS. */
function dcsCalls(calls: RecordedCall[]): RecordedCall[] {
  return calls.filter((call) => DCS_OPERATIONS[call.name] !== undefined);
}

const FULL_COPY = { reads: ['MIGRATING', 'MIGRATING', 'SUCCESS'] };

describe('migration workflow under faults', () => {
  it("every DCS call's first attempt answered 500 and its second dropped: the migration succeeds, one task", async () => {
    const faults: FaultRule[] = [
      { activity: '*', calls: [1], status: 500 },
      { activity: '*', calls: [2], drop: true },
    ];
    const migration = await run(onlineInput('full'), { ...FULL_COPY, faults });
    const result = await migration.result();
    expect(result).toMatchObject({ outcome: 'succeeded', remoteStatus: 'SUCCESS' });
    expect(migration.task.tasksCreated).toBe(1);
    // Create and configure run one attempt each and are tried again by the workflow after a fresh read.
    expect(namesOf(migration.calls).filter((name) => name === 'createOnlineTask')).toHaveLength(3);
    expect(namesOf(migration.calls).filter((name) => name === 'configureOnlineTask')).toHaveLength(3);
    // Reads are retried by Temporal: attempts beyond one per completed call.
    const calls = Object.values(result.apiCalls).reduce((a, b) => a + b, 0);
    expect(result.activityAttempts).toBeGreaterThan(calls);
  });

  const clientErrors: Array<{
    name: string;
    type: string;
    input?: MigrationInputFile;
    fault: FaultRule;
    failing: RecordedCall['name'];
  }> = [
    {
      name: '400 on create',
      type: 'DcsBadRequestError',
      fault: {
        activity: 'createOnlineTask',
        status: 400,
        errorCode: 'DCS.4063',
        errorMessage: 'Invalid vpc_id parameter in the request.',
      },
      failing: 'createOnlineTask',
    },
    {
      name: '401 on every call (wrong secret key)',
      type: 'DcsAuthenticationError',
      fault: { activity: '*', status: 401 },
      failing: 'findTaskByName',
    },
    {
      name: '403 on list',
      type: 'DcsPermissionDeniedError',
      fault: { activity: 'findTaskByName', status: 403 },
      failing: 'findTaskByName',
    },
    {
      name: '404 (unknown target instance)',
      type: 'DcsNotFoundError',
      input: {
        kind: 'backup_import',
        target: { instanceId: 'no-such-instance' },
        backup: { source: 'obs', bucket: 'b', files: [{ name: 'x.rdb' }] },
        polling: QUICK_POLLING,
      } as MigrationInputFile,
      fault: { activity: 'createBackupImportTask', status: 404, errorCode: 'DCS.3022' },
      failing: 'createBackupImportTask',
    },
  ];
  for (const { name, type, input, fault, failing } of clientErrors) {
    it(`${name}: fails at once as ${type}, without a retry storm`, async () => {
      const migration = await run(input ?? onlineInput('full'), { reads: ['MIGRATING'], faults: [fault] });
      const failure = await failureOf(migration.handle);
      expect(failure.type).toBe(type);
      expect(failure.nonRetryable).toBe(true);
      // The lookup before create and the failing call: tried once each, nothing else reached DCS.
      expect(namesOf(migration.calls).filter((call) => call === failing)).toHaveLength(1);
      expect(dcsCalls(migration.calls).length).toBeLessThanOrEqual(2);
      expect(migration.task.tasksCreated).toBe(0);
      expect((await migration.status()).phase).toBe('failed');
      const { startTime, closeTime } = await migration.handle.describe();
      expect(closeTime!.getTime() - startTime.getTime()).toBeLessThan(10_000);
    });
  }

  it("a remote task that ends FAILED fails the workflow as RemoteTaskFailed with DCS's error message", async () => {
    const failed = {
      status: 'FAILED',
      errorMessage: 'injected data-plane fault at 30%',
      log: [logEntry('migration.failed', 'Migration failed: injected data-plane fault at 30%')],
    };
    const migration = await run(onlineInput('full'), { reads: ['MIGRATING', failed] });
    const failure = await failureOf(migration.handle);
    expect(failure.type).toBe('RemoteTaskFailed');
    expect(failure.message).toContain('ended FAILED: injected data-plane fault at 30%');
    expect(failure.message).toContain(
      'last log entries: 2026-01-01T00:00:00.000Z migration.failed: Migration failed: injected',
    );
    expect(await migration.status()).toMatchObject({ phase: 'failed', remoteStatus: 'FAILED' });
  });

  it('create committed but its answer lost: found by the lookup before the next try, one task, completes', async () => {
    const migration = await run(onlineInput('full'), {
      ...FULL_COPY,
      faults: [{ activity: 'createOnlineTask', calls: [1], commitThenDrop: true }],
    });
    expect((await migration.result()).outcome).toBe('succeeded');
    expect(migration.task.tasksCreated).toBe(1);
    expect(namesOf(migration.calls).filter((name) => name === 'createOnlineTask')).toHaveLength(1);
    // Adopted only after checking that no other running migration drives it.
    expect(namesOf(migration.calls)).toContain('findTaskOwner');
  });

  it('configure committed but its answer lost: configured once, migration completes', async () => {
    const migration = await run(onlineInput('full'), {
      ...FULL_COPY,
      faults: [{ activity: 'configureOnlineTask', calls: [1], commitThenDrop: true }],
    });
    expect((await migration.result()).outcome).toBe('succeeded');
    expect(namesOf(migration.calls).filter((name) => name === 'configureOnlineTask')).toHaveLength(1);
  });

  it('worker stopped mid-run and a new one started: the run resumes from history, one task, completes', async () => {
    const migration = await run(onlineInput('incremental', { hold: { maxDuration: '2s' } }), {
      reads: ['INCRMIGEATING'],
    });
    await waitFor('the task to exist', async () => (await migration.status()).taskId !== undefined, 20_000, 20);
    await env().restartWorker(500);
    const result = await migration.result();
    expect(result).toMatchObject({ outcome: 'cut-over', remoteStatus: 'TERMINATED' });
    expect(migration.task.tasksCreated).toBe(1);
    expect(namesOf(migration.calls).filter((name) => name === 'createOnlineTask')).toHaveLength(1);
  });
});
