/**
 * The workflow's timing rules, on the time-skipping test server against scripted fake activities
 * (test/harness/scripted-migrations.ts, test/harness/task-script.ts): the real `dcsMigration` code, with hours of
 * polling passing in milliseconds. Call times are workflow time, so the asserted gaps are the schedule itself.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationInputFile } from '../common/migration-input.js';
import { MigrationFailureType } from '../common/workflow-contract.js';
import { gapsOf, timesOf, type RecordedCall } from './harness/fake-activities.js';
import { useScriptedMigrations } from './harness/scripted-migrations.js';
import { TIMER_SLACK_MS } from './harness/time-skipping.js';
import { failureOf } from './harness/workflow-failure.js';

const { run } = useScriptedMigrations('timing');
const SLACK_MS = TIMER_SLACK_MS;

function expectGaps(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((gap, index) => {
    expect(gap, `gap ${index}: ${actual.join(', ')}`).toBeGreaterThanOrEqual(expected[index]!);
    expect(gap, `gap ${index}: ${actual.join(', ')}`).toBeLessThan(expected[index]! + SLACK_MS);
  });
}

function backupImport(polling: Record<string, unknown>): MigrationInputFile {
  return {
    kind: 'backup_import',
    target: { instanceId: 'target' },
    backup: { source: 'backup_record', backupId: 'backup-1' },
    polling,
  } as MigrationInputFile;
}

function incremental(polling: Record<string, unknown>, maxDuration?: string): MigrationInputFile {
  return {
    kind: 'legacy_online',
    source: { addrs: '10.0.0.1:6379' },
    target: { instanceId: 'target' },
    method: 'incremental',
    polling,
    ...(maxDuration ? { hold: { maxDuration } } : {}),
  } as MigrationInputFile;
}

/**
 * The calls a migration makes to DCS, in order: the reference check before creating (not a DCS call, and the
 * safety tests' business) is left out.
 */
function dcsCallNames(calls: RecordedCall[]): string[] {
  return calls.map((call) => call.name).filter((name) => name !== 'checkReferences');
}

/** Reads of the task after its creation (the first list call is the lookup before creating). */
function readTimes(calls: RecordedCall[]): number[] {
  return timesOf(calls, 'findTaskByName').slice(1);
}

describe('workflow timing (time-skipping server, fake activities)', () => {
  it('polls at initialInterval after a change, growing by backoffFactor up to maxInterval', async () => {
    const { calls, result } = await run(backupImport({ initialInterval: '1s', backoffFactor: 2, maxInterval: '8s' }), {
      created: 'MIGRATING',
      reads: ['MIGRATING', 'MIGRATING', 'MIGRATING', 'MIGRATING', 'MIGRATION_SUCCESS', 'MIGRATION_SUCCESS', 'SUCCESS'],
    });
    const outcome = await result();
    expect(outcome.outcome).toBe('succeeded');
    // Unchanged since the create answered MIGRATING: 2, 4, 8, 8 (cap); the change to MIGRATION_SUCCESS resets to 1, then 2.
    expectGaps(gapsOf(readTimes(calls)), [2_000, 4_000, 8_000, 8_000, 1_000, 2_000]);
    expect(outcome.polls).toBe(6);
  });

  it('reads progress at most every progressInterval in the hold, and on a status change', async () => {
    const { calls, result } = await run(
      incremental({ initialInterval: '1s', maxInterval: '1s', backoffFactor: 1, progressInterval: '5s' }, '40s'),
      {
        created: 'MIGRATING',
        reads: ['INCRMIGEATING'],
      },
    );
    expect((await result()).cutover?.by).toBe('deadline');
    const stats = timesOf(calls, 'showTaskStats');
    const reads = readTimes(calls);
    // The quiet hold reads every 3 × maxInterval (3 s) for 40 s; the stats when the hold began, then on the first
    // read at least 5 s after the last: 0, 6, 12, …, 36.
    expect(reads.length).toBeGreaterThanOrEqual(13);
    expect(stats.length).toBeGreaterThanOrEqual(6);
    expect(stats.length).toBeLessThanOrEqual(7);
    expect(stats.length).toBeLessThan(reads.length);
    expect(stats[0]).toBe(reads[0]! + (stats[0]! - reads[0]!));
    expect(stats[0]! - reads[0]!).toBeLessThan(SLACK_MS);
    for (const gap of gapsOf(stats)) {
      expect(gap).toBeGreaterThanOrEqual(5_000);
      expect(gap).toBeLessThan(6_000 + SLACK_MS);
    }
  });

  it('ends the hold at hold.maxDuration, shortening the last wait to the deadline', async () => {
    const { calls, result } = await run(
      incremental({ initialInterval: '1s', backoffFactor: 2, maxInterval: '4s' }, '30s'),
      {
        created: 'MIGRATING',
        reads: ['INCRMIGEATING'],
      },
    );
    const outcome = await result();
    expect(outcome).toMatchObject({ outcome: 'cut-over', cutover: { by: 'deadline' }, remoteStatus: 'TERMINATED' });
    const reads = readTimes(calls);
    const stop = timesOf(calls, 'stopTask');
    expect(stop).toHaveLength(1);
    // The hold began at the first read; nothing is expected to change in it, so the waits are 3 × maxInterval:
    // 12, 12, then the rest (6 s, not 12) to the 30 s deadline; the read at the deadline is the stop step's own,
    // right before the stop call.
    const holdReads = reads.filter((at) => at <= stop[0]!);
    expectGaps(gapsOf(holdReads).slice(0, 2), [12_000, 12_000]);
    expect(holdReads).toHaveLength(5);
    expect(holdReads[3]! - holdReads[0]!).toBeGreaterThanOrEqual(30_000);
    expect(holdReads[3]! - holdReads[0]!).toBeLessThan(30_000 + SLACK_MS);
    expect(stop[0]! - holdReads[3]!).toBeLessThan(SLACK_MS);
    expect(
      Date.parse(outcome.timings.stopRequestedAt!) - Date.parse(outcome.timings.holdStartedAt!),
    ).toBeGreaterThanOrEqual(30_000);
  });

  it(`fails with ${MigrationFailureType.RemoteTaskNotStopped} when the task never leaves TERMINATING`, async () => {
    const { handle, calls } = await run(
      incremental({ initialInterval: '1s', backoffFactor: 1.5, maxInterval: '1m' }, '1s'),
      {
        created: 'MIGRATING',
        reads: ['INCRMIGEATING'],
        afterStop: ['TERMINATING'],
      },
    );
    const failure = await failureOf(handle);
    expect(failure.type).toBe(MigrationFailureType.RemoteTaskNotStopped);
    expect(failure.message).toMatch(/did not stop \(last status TERMINATING\)/);
    const stop = timesOf(calls, 'stopTask');
    expect(stop).toHaveLength(1);
    // MAX_STOP_POLLS (400) waits after the stop call, a read after each: 401 reads once stopping, one stop call.
    const stoppingReads = timesOf(calls, 'findTaskByName').filter((at) => at >= stop[0]!);
    expect(stoppingReads).toHaveLength(400);
    // At the capped interval (1 min), that is about 400 minutes of workflow time.
    expect(stoppingReads.at(-1)! - stop[0]!).toBeGreaterThan(390 * 60_000);
  });

  it(`fails with ${MigrationFailureType.PollingFailed} after maxFailedPolls consecutive failed reads`, async () => {
    // onFailure: keep, so the reads counted are the rule's alone (the cleanup's stop is test/workflow-safety.test.ts's).
    const { handle, calls } = await run(
      { ...backupImport({ initialInterval: '1s', maxFailedPolls: 3 }), onFailure: 'keep' },
      {
        created: 'MIGRATING',
        reads: [{ fail: 'DCS down' }],
      },
    );
    const failure = await failureOf(handle);
    expect(failure.type).toBe(MigrationFailureType.PollingFailed);
    expect(failure.message).toMatch(/in 3 consecutive polls; last error: DCS down/);
    // Each poll tried the list, then Show by id; the interval does not grow (no status was seen).
    expect(readTimes(calls)).toHaveLength(3);
    expect(timesOf(calls, 'showTask')).toHaveLength(3);
    expectGaps(gapsOf(readTimes(calls)), [1_000, 1_000]);
  });

  it('counts only consecutive failed reads: a good read in between resets the count', async () => {
    const fail = { fail: 'DCS down' };
    const { result } = await run(backupImport({ initialInterval: '1s', maxFailedPolls: 3 }), {
      created: 'MIGRATING',
      reads: [fail, fail, 'MIGRATING', fail, fail, 'SUCCESS'],
    });
    expect((await result()).outcome).toBe('succeeded');
  });

  it(`fails with ${MigrationFailureType.UnknownRemoteStatus} after maxUnknownStatusPolls polls of an unknown status`, async () => {
    const { handle, calls } = await run(
      { ...backupImport({ initialInterval: '1s', maxUnknownStatusPolls: 4 }), onFailure: 'keep' },
      {
        created: 'MIGRATING',
        reads: ['MIGRATING', 'SOMETHING_NEW'],
      },
    );
    const failure = await failureOf(handle);
    expect(failure.type).toBe(MigrationFailureType.UnknownRemoteStatus);
    expect(failure.message).toMatch(/unknown status SOMETHING_NEW for 4 polls/);
    expect(readTimes(calls)).toHaveLength(5);
  });

  it('treats an unknown status as pending while it lasts fewer than maxUnknownStatusPolls polls in a row', async () => {
    const { result } = await run(backupImport({ initialInterval: '1s', maxUnknownStatusPolls: 3 }), {
      created: 'MIGRATING',
      reads: ['ODD', 'ODD', 'MIGRATING', 'ODD', 'ODD', 'SUCCESS'],
    });
    expect((await result()).outcome).toBe('succeeded');
  });

  it('continues as new after pollsPerRun polls, carrying the state over', async () => {
    const { calls, result } = await run(
      backupImport({ initialInterval: '1s', backoffFactor: 2, maxInterval: '64s', pollsPerRun: 3 }),
      {
        created: 'MIGRATING',
        reads: ['MIGRATING', 'MIGRATING', 'MIGRATING', 'MIGRATING', 'MIGRATING', 'MIGRATING', 'MIGRATING', 'SUCCESS'],
      },
    );
    const outcome = await result();
    expect(outcome).toMatchObject({ outcome: 'succeeded', continuedAsNew: 2, polls: 7, taskId: 'task-0001' });
    // Three runs, one create: the new runs find the task id in the carried state.
    expect(new Set(calls.map((call) => call.runId)).size).toBe(3);
    expect(timesOf(calls, 'createBackupImportTask')).toHaveLength(1);
    expect(timesOf(calls, 'findTaskByName')).toHaveLength(9);
    // The third poll of a run continues as new instead of waiting, and the new run reads at once (gap 0); the
    // interval keeps growing across runs (unchangedPolls is carried): 2, 4, –, 16, 32, –, 64 (cap).
    expectGaps(gapsOf(readTimes(calls)), [2_000, 4_000, 0, 16_000, 32_000, 0, 64_000]);
  });

  it('shared polling: waits on the watcher for confirmInterval, reads on a timeout, takes the task a change hands over', async () => {
    const { calls, result } = await run(
      backupImport({ mode: 'shared', confirmInterval: '30s', initialInterval: '1s' }),
      {
        created: 'MIGRATING',
        reads: ['MIGRATING', 'MIGRATING', 'MIGRATION_SUCCESS', 'SUCCESS'],
        watch: ['timeout', 'changed', 'timeout'],
      },
    );
    const outcome = await result();
    expect(outcome).toMatchObject({ outcome: 'succeeded', polls: 3 });
    expect(dcsCallNames(calls)).toEqual([
      'findTaskByName',
      'createBackupImportTask',
      'findTaskByName',
      'awaitStatusChange',
      'findTaskByName',
      'awaitStatusChange',
      'awaitStatusChange',
      'findTaskByName',
    ]);
    for (const call of calls.filter((c) => c.name === 'awaitStatusChange')) {
      expect(call.args[0]).toMatchObject({ taskId: 'task-0001', maxWaitMs: 30_000 });
    }
    // The change handed over MIGRATION_SUCCESS, so the next wait knew it.
    expect(calls.filter((call) => call.name !== 'checkReferences')[6]!.args[0]).toMatchObject({
      knownStatus: 'MIGRATION_SUCCESS',
    });
  });

  it('shared polling: falls back to a per-task timer for one wait when the watcher fails or is failing', async () => {
    const { calls, result } = await run(
      backupImport({
        mode: 'shared',
        confirmInterval: '30s',
        initialInterval: '1s',
        backoffFactor: 2,
        maxInterval: '8s',
      }),
      {
        created: 'MIGRATING',
        reads: ['MIGRATING', 'MIGRATING', 'MIGRATING', 'MIGRATING', 'MIGRATING', 'SUCCESS'],
        watch: ['fail', 'timeout', 'watcher-failing', 'timeout'],
      },
    );
    expect((await result()).outcome).toBe('succeeded');
    expect(dcsCallNames(calls)).toEqual([
      'findTaskByName',
      'createBackupImportTask',
      'findTaskByName',
      'awaitStatusChange', // fails: no watcher
      'findTaskByName', // read at once, then a timer (4 s: 2 unchanged polls)
      'findTaskByName',
      'awaitStatusChange', // back on the watcher: timeout
      'findTaskByName',
      'awaitStatusChange', // watcher-failing
      'findTaskByName', // read at once, then a timer (8 s, the cap)
      'findTaskByName',
    ]);
    expectGaps(gapsOf(readTimes(calls)), [0, 4_000, 0, 0, 8_000]);
  });

  it('shared polling in the hold: the watcher wait never outlasts the hold deadline', async () => {
    const { calls, result } = await run(
      {
        ...incremental(
          { mode: 'shared', confirmInterval: '10m', initialInterval: '1s', backoffFactor: 2, maxInterval: '1m' },
          '45s',
        ),
      },
      { created: 'MIGRATING', reads: ['INCRMIGEATING'], watch: ['fail'] },
    );
    expect((await result()).cutover?.by).toBe('deadline');
    const waits = calls
      .filter((call) => call.name === 'awaitStatusChange')
      .map((call) => (call.args[0] as { maxWaitMs: number }).maxWaitMs);
    expect(waits.length).toBeGreaterThan(0);
    for (const maxWaitMs of waits) expect(maxWaitMs).toBeLessThanOrEqual(45_000);
    expect(waits[0]).toBeGreaterThan(45_000 - SLACK_MS);
  });

  it('notices the end of a full sync with steady progress within seconds, with fewer reads than the backoff', async () => {
    const FULL_SYNC_MS = 30 * 60_000;
    const { calls, result } = await run(
      {
        kind: 'legacy_online',
        source: { addrs: '10.0.0.1:6379' },
        target: { instanceId: 'target' },
        method: 'full',
      } as MigrationInputFile,
      { created: 'FULLMIGRATING', reads: [], timeline: { fullSyncMs: FULL_SYNC_MS } },
    );
    expect((await result()).outcome).toBe('succeeded');
    const created = timesOf(calls, 'createLegacyOnlineTask')[0]!;
    const reads = readTimes(calls);
    // Default polling: the refining read 30 s before the estimate, then reads every 2.5 s from just before it.
    const lag = reads.at(-1)! - (created + FULL_SYNC_MS);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(3_000);
    // The backoff alone reads about 37 times in 30 min (and up to 60 s late); progress stays on its 5-min cadence,
    // plus the refining read.
    expect(reads.length).toBeLessThanOrEqual(20);
    expect(timesOf(calls, 'showTaskStats').length).toBeLessThanOrEqual(9);
  });

  it('retries a refused create after the jittered backoff, looking the name up before each attempt', async () => {
    const { calls, result } = await run(backupImport({ initialInterval: '1s' }), {
      created: 'MIGRATING',
      reads: ['SUCCESS'],
      faults: [{ activity: 'createBackupImportTask', calls: [1, 2], status: 500 }],
    });
    expect((await result()).outcome).toBe('succeeded');
    expect(timesOf(calls, 'createBackupImportTask')).toHaveLength(3);
    // retryDelayMs: 1 s then 2 s, with equal jitter (half fixed, half random).
    const [first, second] = gapsOf(timesOf(calls, 'findTaskByName').slice(0, 3));
    expect(first).toBeGreaterThanOrEqual(500);
    expect(first).toBeLessThan(1_000 + SLACK_MS);
    expect(second).toBeGreaterThanOrEqual(1_000);
    expect(second).toBeLessThan(2_000 + SLACK_MS);
  });

  // The SDK's failure converter drops `nextRetryDelay` when it decodes a failure for workflow code, so the delay
  // reaches `retryAfter()` (workflows/steps/create-task.ts) through the failure's details instead.
  it('retries a throttled create no sooner than its Retry-After', async () => {
    const { calls, result } = await run(backupImport({ initialInterval: '1s' }), {
      created: 'MIGRATING',
      reads: ['SUCCESS'],
      faults: [{ activity: 'createBackupImportTask', calls: [1], status: 429, retryAfterMs: 7_000 }],
    });
    expect((await result()).outcome).toBe('succeeded');
    const [gap] = gapsOf(timesOf(calls, 'findTaskByName').slice(0, 2));
    expect(gap).toBeGreaterThanOrEqual(7_000);
  });
});
