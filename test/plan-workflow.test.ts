/**
 * The plan workflow's rules (issue 26) on the time-skipping test server: the real `dcsPlan`, whose items run as the
 * real `dcsMigration` against scripted fake activities (test/harness/plan-env.ts). Times are workflow times, so
 * "nothing started after the failure" and "never more than 10 at once" are read off the plan's own records.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  planAddUpdate,
  planCancelSignal,
  planCutoverUpdate,
  planPauseSignal,
  planResumeSignal,
  planRetryUpdate,
  planStatusQuery,
  type PlanItemSize,
  type PlanItemStatus,
  type PlanResult,
  type PlanStatus,
} from '../common/plan-contract.js';
import type { PlanInputFile } from '../common/plan-input.js';
import { fakeActivities, type RecordedCall, type TaskScript } from './harness/fake-activities.js';
import { usePlanEnv, type PlanEnv } from './harness/plan-env.js';

const fake = fakeActivities();
let ts: PlanEnv;
/** The items' source sizes (the ETA's), by target instance id; unknown for the others. */
const sourceSizes = new Map<string, PlanItemSize>();
usePlanEnv(fake, (env) => (ts = env), {
  sizeOf: (input) => sourceSizes.get((input as { target: { instanceId: string } }).target.instanceId) ?? null,
});

let counter = 0;
const keys = (count: number) => Array.from({ length: count }, (_, index) => `item-${String(index).padStart(2, '0')}`);
const MIGRATES = { created: 'MIGRATING', reads: ['MIGRATING', 'MIGRATING', 'SUCCESS'] } satisfies TaskScript;
const FAILS = { created: 'MIGRATING', reads: ['FAILED'] } satisfies TaskScript;

const backupImports = {
  kind: 'backup_import',
  backup: { source: 'backup_record', backupId: 'backup-1' },
  polling: { initialInterval: '1s', maxInterval: '1s' },
};

/** A plan over `count` items and their scripts (by key); returns the plan id and each item's call log. */
function plan(
  count: number,
  scriptOf: (key: string) => TaskScript,
  policy: Partial<PlanInputFile>,
  defaults: object = backupImports,
) {
  const planId = `plan-${counter++}-${Date.now()}`;
  const calls = new Map(keys(count).map((key) => [key, fake.script(`${planId}.${key}`, scriptOf(key))]));
  const file = {
    defaults,
    items: keys(count).map((key) => ({ key, target: { instanceId: `target-${key}` } })),
    ...policy,
  } as PlanInputFile;
  return { planId, file, calls };
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);
const byOutcome = (result: PlanResult) =>
  result.items.reduce<Record<string, number>>(
    (counts, item) => ({ ...counts, [item.outcome ?? item.state]: (counts[item.outcome ?? item.state] ?? 0) + 1 }),
    {},
  );

/** The most items the plan had running at one time, from their start and end times. */
function peakConcurrency(items: PlanItemStatus[]): number {
  const events = items
    .filter((item) => item.startedAt)
    .flatMap((item) => [
      [ms(item.startedAt), 1],
      [ms(item.endedAt), -1],
    ])
    .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let running = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, (running += delta!));
  return peak;
}

const creates = (calls: RecordedCall[]) =>
  calls.filter((call) => call.name === 'createBackupImportTask' || call.name === 'createLegacyOnlineTask');

describe('plan workflow (time-skipping server, fake activities)', () => {
  it('ETA: learns the full-sync rate from the first wave and predicts the end; says how far the first estimates were off', async () => {
    const MB = 1024 * 1024;
    // A full sync takes 3 polls (1 s each) per MB; the plan assumes 8 MB/s. A first wave of 4 (1 and 4 MB).
    const sizeMb = [1, 4, 1, 4, 1, 2, 4, 1, 2, 4];
    const { planId, file } = plan(
      10,
      (key) => ({
        created: 'MIGRATING',
        reads: [...Array<string>(3 * sizeMb[Number(key.slice(5))]!).fill('MIGRATING'), 'SUCCESS'],
      }),
      {
        waves: [{ items: keys(4) }, { items: keys(10).slice(4) }],
        maxConcurrency: 4,
        eta: { rate: { bytesPerSecond: 8 * MB, keysPerSecond: 1e9 }, overhead: '1s' },
      },
    );
    keys(10).forEach((key, index) =>
      sourceSizes.set(`target-${key}`, { usedMemoryBytes: sizeMb[index]! * MB, keys: 10 }),
    );
    const handle = await ts.start(file, planId);
    // The first wave's items ended (awaiting them lets workflow time pass): what does the plan predict now?
    const wave1 = keys(4).map((key) => ts.env.client.workflow.getHandle(`${planId}.${key}`));
    await untilStarted(wave1);
    // One at a time: concurrent waits unbalance the test server's time-skipping lock (it stays locked after).
    for (const item of wave1) await item.result();
    const afterWave1 = await handle.query(planStatusQuery, {});
    const result = await handle.result();
    const started = ms(result.startedAt);
    const actualEnd = Math.max(...result.items.map((item) => ms(item.endedAt)));
    const offPct = (predicted: number) => (Math.abs(predicted - actualEnd) / (actualEnd - started)) * 100;
    // After the first wave: the rate learned from its two syncs, the end predicted within 25 %.
    expect(afterWave1.eta?.learnedRate.samples).toBe(4);
    expect(offPct(afterWave1.eta!.predictedEndMs!)).toBeLessThan(25);
    // Before anything was measured, the assumed 8 MB/s predicted an end far too early.
    expect(offPct(ms(result.eta!.firstPredictedEnd))).toBeGreaterThan(40);
    expect(result.eta!.learnedRate.samples).toBe(10);
    expect(result.eta!.learnedRate.bytesPerSecond).toBeLessThan(1 * MB);
    expect(result.eta!.firstEstimateErrorPct).toMatchObject({ items: 10, medianPct: expect.any(Number) });
    expect(result.eta!.firstEstimateErrorPct!.medianPct).toBeGreaterThan(40);
    for (const item of result.items) {
      expect(item.size?.usedMemoryBytes, item.key).toBeGreaterThan(0);
      expect(ms(item.syncEndedAt) - ms(item.syncStartedAt), item.key).toBeGreaterThan(0);
    }
    // The second wave's items, estimated with the rate learned: each within 25 % of what it took.
    for (const item of result.items.slice(4))
      expect(Math.abs(item.eta!.estimateMs - item.eta!.actualMs!) / item.eta!.actualMs!, item.key).toBeLessThan(0.25);
  });

  it('50 items, 10 at once, one fails, none tolerated: halts, nothing new starts, running items finish', async () => {
    const { planId, file } = plan(50, (key) => (key === 'item-03' ? FAILS : MIGRATES), {
      maxConcurrency: 10,
      failureTolerance: 0,
    });
    const result = await (await ts.start(file, planId)).result();
    expect(result.outcome).toBe('halted');
    expect(result.halted?.reason).toMatch(/1 item\(s\) failed, more than the 0 tolerated: item-03/);
    expect(result.items).toHaveLength(50);
    const failed = result.items.find((item) => item.key === 'item-03')!;
    expect(failed).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/FAILED/) });
    const started = result.items.filter((item) => item.startedAt);
    // Only the first 10 had started; each started before the failure, and each other one finished well.
    expect(started.map((item) => item.key)).toEqual(keys(10));
    for (const item of started) expect(ms(item.startedAt)).toBeLessThanOrEqual(ms(failed.endedAt));
    expect(byOutcome(result)).toEqual({ failed: 1, succeeded: 9, 'not-started': 40 });
    expect(result.budget).toEqual({ tolerated: 0, failed: 1, left: -1 });
  });

  it('a canary that fails halts the plan before any other item starts, whatever the tolerance', async () => {
    const { planId, file, calls } = plan(12, (key) => (key === 'item-00' ? FAILS : MIGRATES), {
      ramp: { canary: 2 },
      failureTolerance: '50%',
    });
    const result = await (await ts.start(file, planId)).result();
    expect(result.outcome).toBe('halted');
    expect(result.halted?.reason).toBe('canary item item-00 failed');
    expect(byOutcome(result)).toEqual({ failed: 1, succeeded: 1, 'not-started': 10 });
    for (const key of keys(12).slice(2)) expect(calls.get(key), key).toEqual([]);
  });

  it('a ramp starts the rest only once the canary reached its goal, then grows', async () => {
    const { planId, file } = plan(20, () => MIGRATES, { ramp: { canary: 1, factor: 2 }, maxConcurrency: 8 });
    const result = await (await ts.start(file, planId)).result();
    expect(byOutcome(result)).toEqual({ succeeded: 20 });
    const [canary, ...rest] = result.items;
    for (const item of rest) expect(ms(item.startedAt)).toBeGreaterThanOrEqual(ms(canary!.endedAt));
    // 2 at first, then 4 once two reached their goal, then 8.
    expect(peakConcurrency(rest.slice(0, 2))).toBe(2);
    expect(peakConcurrency(rest)).toBe(8);
  });

  it('a together cutover of a 20-item wave: refused naming the items not in sync, then all told at once', async () => {
    const incremental = {
      kind: 'legacy_online',
      method: 'incremental',
      source: { addrs: '10.0.0.1:6379' },
      polling: { initialInterval: '1s', maxInterval: '1s' },
    };
    const slow = new Set(['item-05', 'item-17']);
    const { planId, file, calls } = plan(
      20,
      (key) => ({
        created: 'FULLMIGRATING',
        reads: slow.has(key) ? [...Array<string>(12).fill('FULLMIGRATING'), 'INCRMIGEATING'] : ['INCRMIGEATING'],
      }),
      { maxConcurrency: 10, cutover: { mode: 'together', scope: 'wave', trigger: 'manual' } },
      incremental,
    );
    const handle = await ts.start(file, planId);
    let status = await handle.query(planStatusQuery, {});
    for (let rounds = 0; status.counts.inSync < 18 && rounds < 50; rounds += 1) {
      await ts.env.sleep('1s');
      status = await handle.query(planStatusQuery, {});
    }
    // Items holding in sync no longer count against the concurrency: all 20 started.
    expect(status.counts.pending).toBe(0);
    expect(status.counts.inSync).toBe(18);
    const refused = await handle.executeUpdate(planCutoverUpdate, { args: [{}] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toBe(
      'all cannot cut over together: 2 item(s) not in sync: item-05 (migrating), item-17 (migrating)',
    );
    for (let rounds = 0; status.counts.inSync < 20 && rounds < 50; rounds += 1) {
      await ts.env.sleep('1s');
      status = await handle.query(planStatusQuery, {});
    }
    expect(status.next).toBe('all is in sync: waiting for `plan cutover`');
    for (const log of calls.values()) expect(log.filter((call) => call.name === 'stopTask')).toEqual([]);
    const accepted = await handle.executeUpdate(planCutoverUpdate, { args: [{ note: 'all in sync' }] });
    expect(accepted.items).toEqual(keys(20));
    const result = await handle.result();
    expect(byOutcome(result)).toEqual({ 'cut-over': 20 });
    expect(result.waves[0]?.cutover).toMatchObject({ by: 'operator', items: keys(20), note: 'all in sync' });
    // Every item was stopped after the plan told it, none before.
    for (const [key, log] of calls) {
      const stops = log.filter((call) => call.name === 'stopTask');
      expect(stops, key).toHaveLength(1);
      expect(stops[0]!.at, key).toBeGreaterThanOrEqual(ms(accepted.acceptedAt));
    }
  });

  it("together, trigger auto: waits for every item in sync, then for the plan's window, and cuts over", async () => {
    const now = await ts.env.currentTimeMs();
    const at = (offsetMs: number) => new Date(now + offsetMs).toISOString().slice(11, 16);
    const window = { start: at(30 * 60_000), end: at(90 * 60_000), timeZone: 'UTC' };
    const incremental = {
      kind: 'legacy_online',
      method: 'incremental',
      source: { addrs: '10.0.0.1:6379' },
      polling: { initialInterval: '1m', maxInterval: '10m' },
    };
    const { planId, file, calls } = plan(
      4,
      (key) => ({
        created: 'FULLMIGRATING',
        reads: key === 'item-02' ? ['FULLMIGRATING', 'FULLMIGRATING', 'INCRMIGEATING'] : ['INCRMIGEATING'],
      }),
      { cutover: { mode: 'together', scope: 'plan', trigger: 'auto', window } },
      incremental,
    );
    const result = await (await ts.start(file, planId)).result();
    expect(byOutcome(result)).toEqual({ 'cut-over': 4 });
    const cutover = result.cutover;
    expect(cutover).toMatchObject({ by: 'auto', items: keys(4) });
    const opens = Date.parse(`${new Date(now).toISOString().slice(0, 11)}${window.start}:00.000Z`);
    const windowOpens = opens < now ? opens + 86_400_000 : opens;
    expect(ms(cutover?.signalledAt)).toBeGreaterThanOrEqual(windowOpens);
    for (const [key, log] of calls) {
      const stops = log.filter((call) => call.name === 'stopTask');
      expect(stops, key).toHaveLength(1);
      expect(stops[0]!.at, key).toBeGreaterThanOrEqual(windowOpens);
    }
  });

  it('pause holds new starts, resume goes on; a retried item runs as attempt 2; added items run too', async () => {
    const long = { created: 'MIGRATING', reads: [...Array<string>(12).fill('MIGRATING'), 'SUCCESS'] };
    const { planId, file } = plan(6, (key) => (key === 'item-01' ? FAILS : key === 'item-00' ? long : MIGRATES), {
      maxConcurrency: 2,
    });
    fake.script(`${planId}.item-01.2`, MIGRATES);
    fake.script(`${planId}.extra-1`, MIGRATES);
    const handle = await ts.start(file, planId);
    // Paused once the first two run (before them, the plan reads the sources' sizes for the ETA).
    await until(handle, (s) => s.counts.running + s.counts.failed === 2);
    await handle.signal(planPauseSignal, { reason: 'change freeze' });
    let status = await until(handle, (s) => s.halted !== undefined);
    // Halted by item-01 (and paused): nothing new starts, item-00 goes on.
    expect(status).toMatchObject({
      state: 'halted',
      paused: { reason: 'change freeze' },
      counts: { pending: 4, running: 1, failed: 1 },
    });
    expect(status.next).toMatch(/^halted \(1 item\(s\) failed, more than the 0 tolerated: item-01\)/);
    const retried = await handle.executeUpdate(planRetryUpdate, { args: [{ key: 'item-01' }] });
    expect(retried).toEqual({ key: 'item-01', workflowId: `${planId}.item-01.2`, attempt: 2 });
    // The retry runs though the plan is halted and paused; its success lifts the halt; the others wait for resume.
    status = await until(handle, (s) => s.counts.succeeded === 1);
    expect(status).toMatchObject({ state: 'paused', counts: { pending: 4, running: 1, failed: 0 } });
    expect(status.halted).toBeUndefined();
    const refused = await handle
      .executeUpdate(planRetryUpdate, { args: [{ key: 'item-00' }] })
      .catch((error: unknown) => error);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toBe(
      'item item-00 is running: only a failed or cancelled item is retried',
    );
    const added = await handle.executeUpdate(planAddUpdate, {
      args: [{ items: [{ key: 'extra-1', target: { instanceId: 'target-extra-1' } }] }],
    });
    expect(added).toEqual({ added: ['extra-1'], wave: 'all' });
    const duplicate = await handle
      .executeUpdate(planAddUpdate, {
        args: [{ items: [{ key: 'extra-2', target: { instanceId: 'target-item-02' } }] }],
      })
      .catch((error: unknown) => error);
    expect((duplicate as WorkflowUpdateFailedError).cause?.message).toMatch(
      /items\[7\] \(extra-2\)\.target\.instanceId: "target-item-02" is also items\[2\] \(item-02\)'s/,
    );
    await handle.signal(planResumeSignal, {});
    const result = await handle.result();
    expect(result.outcome).toBe('completed');
    expect(byOutcome(result)).toEqual({ succeeded: 7 });
    expect(result.items.find((item) => item.key === 'item-01')).toMatchObject({
      attempt: 2,
      workflowId: `${planId}.item-01.2`,
    });
  });

  it('cancel stops new starts and cancels the running items; the result says which never started', async () => {
    const { planId, file } = plan(5, () => ({ created: 'MIGRATING', reads: ['MIGRATING'] }), { maxConcurrency: 2 });
    const handle = await ts.start(file, planId);
    await until(handle, (s) => s.counts.running === 2 && s.counts.byPhase.migrating === 2);
    await handle.signal(planCancelSignal, { reason: 'abort the rollout' });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'cancelled', cancel: { reason: 'abort the rollout', items: 'cancel' } });
    expect(byOutcome(result)).toEqual({ cancelled: 2, 'not-started': 3 });
    expect(result.items[0]?.reason).toMatch(/abort the rollout/);
  });

  // Last: their items outlive a run of the plan (continue-as-new, a terminated plan), and the time-skipping test
  // server leaks a time-skipping lock when a child completes to a closed parent run, so the timers of the tests after
  // them would run in real time. A real server has no such lock.
  it('50 items, 10 at once, one fails, tolerated: 49 succeed, over continue-as-new, each started once', async () => {
    const { planId, file, calls } = plan(50, (key) => (key === 'item-03' ? FAILS : MIGRATES), {
      maxConcurrency: 10,
      failureTolerance: '2%',
    });
    const result = await (await ts.start(file, planId, { historyLimit: 300 })).result();
    expect(result.outcome).toBe('completed');
    expect(byOutcome(result)).toEqual({ failed: 1, succeeded: 49 });
    expect(result.items.map((item) => [item.key, item.outcome])).toEqual(
      keys(50).map((key) => [key, key === 'item-03' ? 'failed' : 'succeeded']),
    );
    expect(peakConcurrency(result.items)).toBe(10);
    expect(result.continuedAsNew).toBeGreaterThan(0);
    for (const [key, log] of calls) expect(creates(log), key).toHaveLength(1);
  });

  it('a wide wave starts in batches: never more child starts in one workflow task than startsPerTask', async () => {
    const { planId, file, calls } = plan(12, () => MIGRATES, { maxConcurrency: 12 });
    const handle = await ts.start(file, planId, { startsPerTask: 5 });
    const result = await handle.result();
    expect(byOutcome(result)).toEqual({ succeeded: 12 });
    // The child starts each workflow task of the plan's first run asked for: 5, 5, 2.
    const perTask: number[] = [];
    // A task's commands are recorded right after its WorkflowTaskCompleted event.
    for (const event of (await handle.fetchHistory()).events ?? []) {
      if (event.startChildWorkflowExecutionInitiatedEventAttributes) perTask[perTask.length - 1]! += 1;
      else if (event.workflowTaskCompletedEventAttributes) perTask.push(0);
    }
    expect(perTask.filter((starts) => starts > 0)).toEqual([5, 5, 2]);
    for (const [key, log] of calls) expect(creates(log), key).toHaveLength(1);
  });

  it('a resumed plan starts no item twice: what the first run started is found and followed to its end', async () => {
    const { planId, file, calls } = plan(12, () => MIGRATES, { maxConcurrency: 4 });
    const first = await ts.start(file, planId);
    let status = await first.query(planStatusQuery, {});
    for (let rounds = 0; status.counts.succeeded < 2 && rounds < 50; rounds += 1) {
      await ts.env.sleep('1s');
      status = await first.query(planStatusQuery, {});
    }
    expect(status.counts.running).toBeGreaterThan(0);
    await first.terminate('simulated loss of the plan');
    const result = await (await ts.start(file, planId)).result();
    expect(byOutcome(result)).toEqual({ succeeded: 12 });
    for (const [key, log] of calls) {
      expect(creates(log), key).toHaveLength(1);
      expect(new Set(log.map((call) => call.runId)).size, key).toBe(1);
    }
  });

  it('cancel with items left running: the plan ends at once, its items go on and end on their own', async () => {
    const { planId, file } = plan(3, () => MIGRATES, { maxConcurrency: 3 });
    const handle = await ts.start(file, planId);
    await until(handle, (s) => s.counts.byPhase.migrating === 3);
    await handle.signal(planCancelSignal, { reason: 'hand over to the operators', items: 'leave' });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'cancelled', counts: { running: 3 } });
    for (const item of result.items)
      await expect(ts.env.client.workflow.getHandle(item.workflowId).result()).resolves.toMatchObject({
        outcome: 'succeeded',
      });
  });
});

/**
 * Waits (real time, a few ms: the plan's first steps need no workflow time) until the plan started these items'
 * workflows; cheaper than `until`, whose workflow-time sleeps wait for every other test's workflows too.
 */
async function untilStarted(items: Array<{ describe(): Promise<unknown> }>): Promise<void> {
  for (let tries = 0; ; tries += 1) {
    const found = await Promise.all(
      items.map((item) =>
        item.describe().then(
          () => true,
          () => false,
        ),
      ),
    );
    if (found.every(Boolean)) return;
    expect(tries, 'the plan started its first items').toBeLessThan(200);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Queries the plan (letting workflow time pass between reads) until `test` holds. */
async function until(
  handle: Awaited<ReturnType<PlanEnv['start']>>,
  test: (status: PlanStatus) => boolean,
): Promise<PlanStatus> {
  let status = await handle.query(planStatusQuery, {});
  for (let rounds = 0; !test(status) && rounds < 60; rounds += 1) {
    await ts.env.sleep('1s');
    status = await handle.query(planStatusQuery, {});
  }
  expect(test(status), JSON.stringify(status)).toBe(true);
  return status;
}
