/**
 * The cutover policy (input `cutover`) on the time-skipping server against scripted fake activities: the real
 * workflow code decides when the incremental hold ends (the lag gate, the window in a time zone, the deadline),
 * the `cutover` update says what will happen, and the `status` query shows it while it waits. The scripted
 * offsets are what ShowMigrationTaskStats answers, one per progress read.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { MigrationInputFile } from '../common/migration-input.js';
import type { MigrationView } from '../client/migration-view.js';
import { statusLines } from '../client/render-migration.js';
import {
  cutoverUpdate,
  MigrationFailureType,
  statusQuery,
  type MigrationResult,
  type MigrationStatus,
} from '../common/workflow-contract.js';
import { waitFor } from '../local/wait.js';
import { fakeActivities, timesOf, type RecordedCall, type TaskScript } from './harness/fake-activities.js';
import { TIMER_SLACK_MS, useTimeSkippingEnv, type TimeSkippingEnv } from './harness/time-skipping.js';
import { failureOf } from './workflow-env.js';

const fake = fakeActivities();
let ts: TimeSkippingEnv;
useTimeSkippingEnv(fake.activities, (env) => (ts = env));
const SLACK_MS = TIMER_SLACK_MS;

let counter = 0;

function incremental(
  cutover: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
): MigrationInputFile {
  return {
    kind: 'legacy_online',
    source: { addrs: '10.0.0.1:6379' },
    target: { instanceId: 'target' },
    method: 'incremental',
    polling: { initialInterval: '1s', maxInterval: '1s', backoffFactor: 1 },
    ...(cutover ? { cutover } : {}),
    ...extra,
  } as MigrationInputFile;
}

/** Starts a migration that is in sync from its first read (the create answers the incremental state). */
async function run(
  input: MigrationInputFile,
  script: Omit<TaskScript, 'created' | 'reads'> & Partial<TaskScript> = {},
) {
  const workflowId = `cutover-${counter++}-${Date.now()}`;
  const calls = fake.script(workflowId, { created: 'INCRMIGEATING', reads: ['INCRMIGEATING'], ...script });
  const handle = await ts.start(input, workflowId);
  return { handle, calls, result: () => handle.result() as Promise<MigrationResult> };
}

/** The hold, reached in real time (time skipping is locked until the test awaits the result). */
async function holding(handle: Awaited<ReturnType<typeof run>>['handle']) {
  await waitFor(
    'the incremental hold',
    async () => (await handle.query(statusQuery)).phase === 'incremental-hold',
    20_000,
    20,
  );
  return handle.query(statusQuery);
}

/** A running migration as `dcs-migrate status` sees it, from its `status` answer. */
function viewOf(status: MigrationStatus): MigrationView {
  const at = status.timings.startedAt;
  return {
    workflowId: 'w',
    runId: 'r',
    execution: 'RUNNING',
    startTime: at,
    closeTime: undefined,
    phase: status.phase,
    remoteStatus: undefined,
    taskId: undefined,
    migrationType: undefined,
    status,
    result: undefined,
    failure: undefined,
  };
}

/** The offsets the workflow read before it stopped the task. */
function offsetsBeforeStop(calls: RecordedCall[], script: number[]): number[] {
  const stop = timesOf(calls, 'stopTask')[0] ?? Infinity;
  const reads = timesOf(calls, 'showTaskStats').filter((at) => at <= stop);
  return reads.map((_, index) => script[Math.min(index, script.length - 1)]!);
}

describe('cutover policy (time-skipping server, fake activities)', () => {
  it('auto: cuts over only once the offset stayed at or below maxOffset for consecutiveReads reads', async () => {
    const offsets = [5, 0, 0, 3, 0, 2, 0, 0, 0, 9];
    const { calls, result } = await run(incremental({ mode: 'auto', gate: { maxOffset: 0, consecutiveReads: 3 } }), {
      offsets,
    });
    const outcome = await result();
    expect(outcome.outcome).toBe('cut-over');
    expect(outcome.cutover).toMatchObject({ by: 'auto', reason: 'auto, offset 0 for 3 consecutive reads' });
    // Armed, the gate reads progress at every poll: nine reads, the last three at 0, then the stop.
    expect(offsetsBeforeStop(calls, offsets)).toEqual([5, 0, 0, 3, 0, 2, 0, 0, 0]);
    expect(timesOf(calls, 'stopTask')).toHaveLength(1);
  });

  it('manual with a gate: the update says what it waits for, the status shows the count, the stop follows the gate', async () => {
    const offsets = [40, 12, 0, 0, 4, 0, 0, 0];
    const { handle, calls, result } = await run(incremental({ gate: { maxOffset: 0, consecutiveReads: 3 } }), {
      offsets,
    });
    const before = await holding(handle);
    expect(before.cutoverPolicy).toMatchObject({
      mode: 'manual',
      requested: false,
      ready: false,
      gate: { reads: 0, lastOffset: 40 },
    });
    expect(before.cutoverPolicy?.waitingFor[0]).toBe("an operator's cutover (dcs-migrate cutover)");
    const accepted = await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'after the gate' }] });
    expect(accepted).toMatchObject({
      offset: 40,
      immediate: false,
      outlook: 'waiting for offset 0 for 3 consecutive reads (0 of 3 so far, last offset 40)',
    });
    // What `dcs-migrate status` prints of it.
    const lines = statusLines(viewOf(await handle.query(statusQuery)), undefined);
    expect(lines).toEqual(
      expect.arrayContaining([
        'policy      manual (dcs-migrate cutover)',
        'gate        offset ≤ 0 for 3 reads: 0 of 3 (last offset 40)',
        `next        ${accepted.outlook}`,
      ]),
    );
    const outcome = await result();
    expect(outcome.cutover).toMatchObject({
      by: 'operator',
      note: 'after the gate',
      reason: 'operator request, offset 0 for 3 consecutive reads',
    });
    expect(Date.parse(outcome.cutover!.decidedAt!)).toBeGreaterThan(Date.parse(outcome.cutover!.requestedAt));
    expect(offsetsBeforeStop(calls, offsets)).toEqual(offsets);
  });

  it('a request outside the window is deferred, says why, and runs when the window opens', async () => {
    // A window opening two hours (and a bit) after now in workflow time, written in Shanghai time.
    const opens = DateTime.fromMillis(await ts.env.currentTimeMs(), { zone: 'Asia/Shanghai' })
      .plus({ hours: 2 })
      .startOf('minute')
      .plus({ minutes: 1 });
    const window = {
      start: opens.toFormat('HH:mm'),
      end: opens.plus({ hours: 1 }).toFormat('HH:mm'),
      timeZone: 'Asia/Shanghai',
    };
    const deferred = await run(incremental({ window }, { polling: { initialInterval: '1s', maxInterval: '10m' } }));
    await holding(deferred.handle);
    const accepted = await deferred.handle.executeUpdate(cutoverUpdate, { args: [{}] });
    expect(accepted.immediate).toBe(false);
    expect(accepted.outlook).toMatch(
      new RegExp(`^deferred to the window at ${window.start} Asia/Shanghai \\(in 2 h( \\d+ min)?\\)$`),
    );
    const live = await deferred.handle.query(statusQuery);
    expect(live.cutoverPolicy).toMatchObject({
      requested: true,
      ready: false,
      window: { open: false, opensAt: opens.toUTC().toISO() },
    });
    expect(live.cutoverPolicy?.summary).toBe(accepted.outlook);
    expect(statusLines(viewOf(live), undefined)).toContain(
      `window      ${window.start}–${window.end} Asia/Shanghai: closed, opens ${opens.toUTC().toISO()}`,
    );
    const outcome = await deferred.result();
    expect(outcome.cutover?.by).toBe('operator');
    expect(outcome.cutover?.reason).toContain(`inside the window ${window.start}–${window.end} Asia/Shanghai`);
    const stop = timesOf(deferred.calls, 'stopTask')[0]!;
    expect(stop).toBeGreaterThanOrEqual(opens.toMillis());
    expect(stop).toBeLessThan(opens.toMillis() + SLACK_MS);
    // The wait before the last read was cut short to end at the opening: no read inside the window before the stop's.
    expect(
      timesOf(deferred.calls, 'findTaskByName').filter((at) => at > opens.toMillis() + SLACK_MS && at < stop),
    ).toEqual([]);
  });

  it('onDeadline fail: the deadline before the gate held fails the migration, naming what it waited for', async () => {
    const { handle } = await run(
      incremental(
        { mode: 'auto', gate: { maxOffset: 0, consecutiveReads: 2 }, onDeadline: 'fail' },
        { hold: { maxDuration: '30s' }, onFailure: 'keep' },
      ),
      { offsets: [7] },
    );
    const failure = await failureOf(handle);
    expect(failure.type).toBe(MigrationFailureType.HoldDeadlinePassed);
    expect(failure.message).toMatch(
      /waiting for offset 0 for 2 consecutive reads \(0 of 2 so far, last offset 7\)\); cutover.onDeadline is "fail"/,
    );
  });

  const twentySevens = [...Array<number>(20).fill(7), 0];
  const holdFor = (outcome: MigrationResult) =>
    Date.parse(outcome.timings.stopRequestedAt!) - Date.parse(outcome.timings.holdStartedAt!);

  it('onDeadline hold: the hold outlasts the deadline until the gate holds', async () => {
    const held = await run(
      incremental(
        { mode: 'auto', gate: { maxOffset: 0, consecutiveReads: 1 }, onDeadline: 'hold' },
        { hold: { maxDuration: '10s' } },
      ),
      {
        offsets: twentySevens,
      },
    );
    const outcome = await held.result();
    expect(outcome.cutover?.by).toBe('auto');
    expect(holdFor(outcome)).toBeGreaterThanOrEqual(20_000);
    expect(offsetsBeforeStop(held.calls, twentySevens).at(-1)).toBe(0);
  });

  it('onDeadline cutover (the default): the deadline stops the task though the gate does not hold', async () => {
    const forced = await run(
      incremental({ mode: 'auto', gate: { maxOffset: 0, consecutiveReads: 1 } }, { hold: { maxDuration: '10s' } }),
      {
        offsets: twentySevens,
      },
    );
    const outcome = await forced.result();
    expect(outcome.cutover).toMatchObject({ by: 'deadline' });
    expect(outcome.cutover?.reason).toMatch(
      /^hold.maxDuration passed \(was waiting for offset 0 for 1 consecutive read/,
    );
    expect(holdFor(outcome)).toBeGreaterThanOrEqual(10_000);
    expect(holdFor(outcome)).toBeLessThan(10_000 + 2 * SLACK_MS);
  });

  it('shared polling: an armed gate waits on the watcher at most maxInterval, not confirmInterval', async () => {
    const { calls, result } = await run(
      incremental(
        { mode: 'auto', gate: { maxOffset: 0, consecutiveReads: 2 } },
        { polling: { mode: 'shared', initialInterval: '1s', maxInterval: '2s', confirmInterval: '10m' } },
      ),
      { offsets: [3, 3, 0, 0], watch: ['timeout'] },
    );
    expect((await result()).cutover?.by).toBe('auto');
    const waits = calls
      .filter((call) => call.name === 'awaitStatusChange')
      .map((call) => (call.args[0] as { maxWaitMs: number }).maxWaitMs);
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...waits)).toBe(2_000);
  });

  it('no cutover block: a request cuts over at once, as before the policy', async () => {
    const { handle, result } = await run(incremental(undefined));
    await holding(handle);
    const accepted = await handle.executeUpdate(cutoverUpdate, { args: [{}] });
    expect(accepted).toMatchObject({ immediate: true, outlook: 'cutting over now', policy: { mode: 'manual' } });
    expect((await result()).cutover).toMatchObject({ by: 'operator', reason: 'operator request' });
  });
});
