/**
 * DCS out of reach for hours (issue 28), on the time-skipping layer (test/harness/time-skipping.ts): the real
 * `dcsMigration` code against fake activities that fail as the worker's DCS throttle does while DCS refuses
 * connections or answers 429 (`OutageScript` in test/harness/fake-activities.ts, through the real
 * `toApplicationFailure`). The rule (`workflows/steps/outage.ts`): reads ride out an outage shorter than
 * `polling.dcsOutageTolerance`, whatever `maxFailedPolls` says; a longer one fails the migration as
 * `DcsUnavailable`, and its `onFailure` cleanup waits up to as long again for DCS to come back.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationInputFile } from '../common/migration-input.js';
import { remoteTaskCleanupOf } from '../common/remote-task-cleanup.js';
import { MigrationFailureType, type MigrationResult } from '../common/workflow-contract.js';
import { fakeActivities, timesOf, type TaskScript } from './harness/fake-activities.js';
import { useTimeSkippingEnv, type TimeSkippingEnv } from './harness/time-skipping.js';
import { failureOf } from './workflow-env.js';

const fake = fakeActivities();
let ts: TimeSkippingEnv;
useTimeSkippingEnv(fake.activities, (env) => (ts = env));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let counter = 0;

async function run(input: MigrationInputFile, script: TaskScript) {
  const workflowId = `outage-${counter++}-${Date.now()}`;
  const calls = fake.script(workflowId, script);
  const handle = await ts.start(input, workflowId);
  /** Workflow time from the first DCS call to the run's close. */
  const lasted = async (): Promise<number> => {
    const closed = (await handle.describe()).closeTime!.getTime();
    return closed - calls.find((call) => call.name !== 'checkReferences')!.at;
  };
  return { handle, calls, lasted };
}

/** A backup import that stays MIGRATING until it ends: reads every minute at most. */
function importInput(polling: Record<string, unknown>, extra: Record<string, unknown> = {}): MigrationInputFile {
  return {
    kind: 'backup_import',
    target: { instanceId: 'target' },
    backup: { source: 'backup_record', backupId: 'backup-1' },
    polling: { initialInterval: '5s', maxInterval: '1m', ...polling },
    ...extra,
  } as MigrationInputFile;
}

describe('DCS out of reach (time-skipping server, fake activities)', () => {
  it('rides out 50 minutes of 429s within a 1 h tolerance, though maxFailedPolls is 2', async () => {
    const { handle, calls } = await run(importInput({ maxFailedPolls: 2, dcsOutageTolerance: '1h' }), {
      created: 'MIGRATING',
      reads: [...Array<string>(60).fill('MIGRATING'), 'SUCCESS'],
      outage: { fromMs: 30_000, forMs: 50 * MINUTE, kind: 'throttled' },
    });
    expect(((await handle.result()) as MigrationResult).outcome).toBe('succeeded');
    // A failed list is not followed by a Show while DCS is out of reach: it would fail the same way.
    expect(timesOf(calls, 'showTask')).toEqual([]);
  });

  it(`fails as ${MigrationFailureType.DcsUnavailable} after the tolerance; the cleanup stops the task when DCS is back`, async () => {
    const { handle, calls, lasted } = await run(importInput({ maxFailedPolls: 2, dcsOutageTolerance: '1h' }), {
      created: 'MIGRATING',
      reads: ['MIGRATING'],
      outage: { fromMs: 30_000, forMs: 90 * MINUTE, kind: 'refused' },
    });
    const failure = await failureOf(handle);
    expect(failure.type).toBe(MigrationFailureType.DcsUnavailable);
    expect(failure.message).toMatch(
      /^DCS could not be reached for 1 h \(since .*\), longer than polling\.dcsOutageTolerance \(1 h\)/,
    );
    expect(failure.message).toMatch(/last error: DcsNetworkError: findTaskByName not sent: .*ECONNREFUSED/);
    // The cleanup's reads rode out the rest of the outage; DCS back at 1 h 30, the task was stopped.
    expect(remoteTaskCleanupOf(failure.details)).toMatchObject({ action: 'stopped', status: 'TERMINATED' });
    expect(failure.message).toMatch(/; remote task task-0001 stopped \(TERMINATED\)$/);
    const stop = timesOf(calls, 'stopTask');
    const first = calls.find((call) => call.name !== 'checkReferences')!.at;
    expect(stop.at(-1)! - first).toBeGreaterThanOrEqual(30_000 + 90 * MINUTE);
    expect(await lasted()).toBeLessThan(30_000 + 90 * MINUTE + 5 * MINUTE);
  });

  it('fails on time: within a minute and a poll of the tolerance, not a read span (10 min) later', async () => {
    const { handle, lasted } = await run(importInput({ dcsOutageTolerance: '40m' }, { onFailure: 'keep' }), {
      created: 'MIGRATING',
      reads: ['MIGRATING'],
      outage: { fromMs: 30_000, forMs: 24 * HOUR, kind: 'refused' },
    });
    const failure = await failureOf(handle);
    expect(failure.type).toBe(MigrationFailureType.DcsUnavailable);
    expect(failure.details?.[0]).toMatchObject({ toleranceMs: 40 * MINUTE, lastError: { type: 'DcsNetworkError' } });
    expect(remoteTaskCleanupOf(failure.details)).toMatchObject({ action: 'kept' });
    // The outage began with the first failed read (at 30 s); the run ends by 40 min + one capped read + one poll.
    // Uncapped, the reads (9 min 17 s each: a minute's hold between tries) would end at 47 min.
    expect(await lasted()).toBeGreaterThanOrEqual(30_000 + 40 * MINUTE);
    expect(await lasted()).toBeLessThan(30_000 + 40 * MINUTE + 2 * MINUTE + 10_000);
  });

  it('when DCS never comes back, the cleanup gives up after the tolerance again, saying the task may still run', async () => {
    const { handle, calls, lasted } = await run(importInput({ dcsOutageTolerance: '30m' }), {
      created: 'MIGRATING',
      reads: ['MIGRATING'],
      outage: { fromMs: 30_000, forMs: 24 * HOUR, kind: 'throttled' },
    });
    const failure = await failureOf(handle);
    expect(failure.type).toBe(MigrationFailureType.DcsUnavailable);
    expect(remoteTaskCleanupOf(failure.details)).toMatchObject({ action: 'not-stopped', status: 'MIGRATING' });
    expect(failure.message).toMatch(
      /could not be stopped \(MIGRATING\): DCS could not be reached for 30 min .*DcsRateLimitedError.*it may still be running, stop it yourself$/,
    );
    expect(timesOf(calls, 'stopTask')).toEqual([]);
    expect(await lasted()).toBeGreaterThanOrEqual(60 * MINUTE);
    expect(await lasted()).toBeLessThan(60 * MINUTE + 5 * MINUTE);
  });

  it('the lookup before creating rides out an outage too', async () => {
    const { handle, calls } = await run(importInput({ dcsOutageTolerance: '1h' }), {
      created: 'MIGRATING',
      reads: ['MIGRATING', 'SUCCESS'],
      outage: { fromMs: 0, forMs: 40 * MINUTE, kind: 'refused' },
    });
    expect(((await handle.result()) as MigrationResult).outcome).toBe('succeeded');
    const create = timesOf(calls, 'createBackupImportTask');
    expect(create).toHaveLength(1);
    expect(create[0]! - calls.find((call) => call.name !== 'checkReferences')!.at).toBeGreaterThanOrEqual(40 * MINUTE);
  });
});
