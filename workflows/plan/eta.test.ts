import { describe, expect, it } from 'vitest';
import { computeEta, fitSyncs, priorOf, simulate, type EtaInput, type EtaItem } from './eta.js';

const MB = 1024 * 1024;
const prior = { bytesPerSecond: 1 * MB, keysPerSecond: 1_000_000_000, overheadMs: 1_000 };
const T0 = Date.parse('2026-12-08T00:00:00Z');

/** An item whose full sync really takes `syncS` seconds (plus `outsideS` around it), started at `startS`. */
function finished(wave: number, mb: number, startS: number, syncS: number, outsideS = 2): EtaItem {
  const start = T0 + startS * 1000;
  return {
    wave,
    state: 'done',
    settled: true,
    startedAtMs: start,
    syncStartedAtMs: start + 1000,
    syncEndedAtMs: start + 1000 + syncS * 1000,
    goalAtMs: start + (syncS + outsideS) * 1000,
    size: { usedMemoryBytes: mb * MB, keys: 0 },
  };
}
const pending = (wave: number, mb: number): EtaItem => ({
  wave,
  state: 'pending',
  settled: false,
  size: { usedMemoryBytes: mb * MB },
});

const input = (items: EtaItem[], extra: Partial<EtaInput> = {}): EtaInput => ({
  items,
  maxConcurrency: 2,
  prior,
  startedAtMs: T0,
  nowMs: T0,
  startsPending: true,
  ...extra,
});

describe('fitSyncs', () => {
  it('keeps the assumptions without data', () => {
    expect(fitSyncs([])).toEqual({ slope: 1, interceptS: 0 });
  });

  it('finds the slope and the fixed part of syncs of different sizes, one outlier aside', () => {
    // Real rate: half the assumed one (slope 2), plus 3 s per sync; one sync hit a stall.
    const samples = [1, 2, 4, 8, 1, 2, 4].map((x) => ({ x, y: 3 + 2 * x }));
    samples.push({ x: 2, y: 60 });
    const fit = fitSyncs(samples);
    expect(fit.slope).toBeCloseTo(2, 5);
    expect(fit.interceptS).toBeCloseTo(3, 5);
  });

  it('goes through the origin when every sync had the same size', () => {
    expect(
      fitSyncs([
        { x: 4, y: 10 },
        { x: 4, y: 12 },
        { x: 4, y: 14 },
      ]),
    ).toEqual({ slope: 3, interceptS: 0 });
  });

  it('takes the median duration when no size is known', () => {
    expect(
      fitSyncs([
        { x: 0, y: 5 },
        { x: 0, y: 7 },
        { x: 0, y: 100 },
      ]),
    ).toEqual({ slope: 1, interceptS: 7 });
  });
});

describe('simulate: the pace played forward', () => {
  it('fills maxConcurrency slots in order, a wave after the previous one', () => {
    const items = [pending(0, 1), pending(0, 1), pending(0, 1), pending(1, 1)];
    const goals = simulate(input(items), (index) => [10_000, 20_000, 5_000, 1_000][index]!);
    // Two slots: items 0 and 1 at T0, item 2 when item 0 is done (10 s), wave 1 after all of wave 0 (20 s).
    expect(goals.map((goal) => (goal! - T0) / 1000)).toEqual([10, 20, 15, 21]);
  });

  it('runs the canary alone first, then the ramp grows', () => {
    const items = Array.from({ length: 5 }, () => pending(0, 1));
    const goals = simulate(input(items, { ramp: { canary: 1, factor: 2 }, maxConcurrency: 10 }), () => 10_000);
    // Canary 0–10 s; then 2 at once (10–20), then 2 more (20–30).
    expect(goals.map((goal) => (goal! - T0) / 1000)).toEqual([10, 20, 20, 30, 30]);
  });

  it('leaves pending items out while nothing starts', () => {
    const running: EtaItem = { wave: 0, state: 'running', settled: false, startedAtMs: T0 };
    const goals = simulate(input([running, pending(0, 1)], { startsPending: false }), () => 5_000);
    expect(goals).toEqual([T0 + 5_000, undefined]);
  });
});

describe('computeEta', () => {
  it('first estimates from sizes at the assumed rate, and the end they predict', () => {
    const { eta, items } = computeEta(input([pending(0, 4), pending(0, 2), pending(0, 1)]));
    expect(items.map((item) => item.firstEstimateMs)).toEqual([5_000, 3_000, 2_000]);
    expect(items.map((item) => item.estimateMs)).toEqual([5_000, 3_000, 2_000]);
    // Two slots: 4 MB (0–5 s) and 2 MB (0–3 s), then 1 MB from 3 s to 5 s.
    expect(eta).toMatchObject({ predictedEndMs: T0 + 5_000, remainingMs: 5_000, itemsLeft: 3, sized: 3 });
    expect(eta.learnedRate).toMatchObject({ bytesPerSecond: MB, samples: 0, overheadMs: 1_000 });
    expect(eta.firstPredictedEnd).toBe(new Date(T0 + 5_000).toISOString());
    expect(eta.firstEstimateErrorPct).toBeUndefined();
  });

  it('learns the real rate from the first wave and revises the rest and the end; says how far the first were off', () => {
    // Real: 4 s per MB (a quarter of the assumed rate) and 2 s outside the sync.
    const wave1 = [finished(0, 1, 0, 4), finished(0, 2, 0, 8)];
    const rest = [pending(1, 4), pending(1, 1), pending(1, 2)];
    const now = T0 + 10_000;
    const { eta, items } = computeEta(input([...wave1, ...rest], { nowMs: now }));
    expect(eta.learnedRate.bytesPerSecond).toBeCloseTo(MB / 4, 0);
    // 1 s before the sync and 1 s after it: 2 s outside, measured (the assumption said 1 s).
    expect(eta.learnedRate).toMatchObject({ samples: 2, overheadMs: 2_000, fixedSyncMs: 0 });
    expect(items.slice(2).map((item) => item.estimateMs)).toEqual([18_000, 6_000, 10_000]);
    // Wave 1 ended at 10 s; 4 MB (10–28 s) and 1 MB (10–16 s), then 2 MB from 16 s to 26 s: end at 28 s.
    expect(eta.predictedEndMs).toBe(T0 + 28_000);
    expect(eta.remainingMs).toBe(18_000);
    expect(eta.itemsLeft).toBe(3);
    // First estimates: 2 s and 3 s against 6 s and 10 s actual: 66.7 % and 70 % off.
    expect(eta.firstEstimateErrorPct).toEqual({ items: 2, medianPct: 68.3, maxPct: 70 });
    expect(items[0]).toMatchObject({ firstEstimateMs: 2_000, actualMs: 6_000 });
    expect(items[0]?.predictedGoalAt).toBeUndefined();
  });

  it('a running item that overran its estimate is predicted at now, not in the past', () => {
    const running: EtaItem = {
      wave: 0,
      state: 'running',
      settled: false,
      startedAtMs: T0,
      size: { usedMemoryBytes: MB },
    };
    const { eta } = computeEta(input([running], { nowMs: T0 + 60_000 }));
    expect(eta.predictedEndMs).toBe(T0 + 60_000);
  });

  it('an item of unknown size counts as the median of the known ones; a failed one is no sample', () => {
    const failed: EtaItem = { ...finished(0, 1, 0, 100), state: 'done', failed: true, syncEndedAtMs: undefined };
    const unknown: EtaItem = { wave: 0, state: 'pending', settled: false };
    const { items, eta } = computeEta(input([failed, pending(0, 3), unknown]));
    // Known: 1 MB and 3 MB, so 2 MB: 1 s + 2 s.
    expect(items[2]?.firstEstimateMs).toBe(3_000);
    expect(eta.learnedRate.samples).toBe(0);
    expect(eta.firstEstimateErrorPct).toBeUndefined();
  });

  it('nothing left: the end is the last goal reached', () => {
    const { eta } = computeEta(input([finished(0, 1, 0, 4), finished(0, 2, 1, 8)], { nowMs: T0 + 20_000 }));
    expect(eta).toMatchObject({ itemsLeft: 0, predictedEndMs: T0 + 11_000, remainingMs: 0 });
  });
});

describe('priorOf', () => {
  it("reads the plan's eta, and gives the defaults to a policy carried from before it existed", () => {
    expect(priorOf({ rate: { bytesPerSecond: 5, keysPerSecond: 6 }, overhead: 7 })).toEqual({
      bytesPerSecond: 5,
      keysPerSecond: 6,
      overheadMs: 7,
    });
    expect(priorOf(undefined).overheadMs).toBeGreaterThan(0);
  });
});
