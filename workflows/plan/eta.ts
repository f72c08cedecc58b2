/**
 * The plan's ETA (issue 26), pure: each item's time to its goal is estimated from its source's size (used memory,
 * keys) at a full-sync rate, plus the time it spends outside its full sync; the plan's end is the pace (waves,
 * `maxConcurrency`, the ramp) played forward with those estimates.
 *
 * Before any item finished its full sync the rate is the plan's `eta` assumptions. Then it is learned from the full
 * syncs measured (the `migrating` phase's start and end, as the items reported them): observed seconds against the
 * seconds the assumed rate gives the same size, fitted robustly (Theil–Sen: the median of the pairwise slopes, and
 * the median intercept, over the most recent syncs), so one slow item does not move every estimate. The first
 * estimates are never revised: they are recomputed from the assumptions, to say how far off they were.
 *
 * Deterministic (workflow code: no clock, no I/O); the caller passes `now`.
 */
import type { ItemState, PlanEta, PlanEtaRate, PlanItemEta, PlanItemSize } from '../../common/plan-contract.js';
import { DEFAULT_ETA_PRIOR } from '../../common/plan-policy.js';
import { rampLimit } from './schedule.js';

/** The plan's assumptions (`eta` of the plan file, overhead in ms). */
export interface EtaPrior {
  bytesPerSecond: number;
  keysPerSecond: number;
  overheadMs: number;
}

export interface EtaItem {
  /** The index of its wave (waves run one after another). */
  wave: number;
  state: ItemState;
  /** Reached its goal (in sync, or done well), or ended otherwise: nothing more to wait for. */
  settled: boolean;
  /** Ended without reaching its goal (failed, cancelled): no sample. */
  failed?: boolean;
  startedAtMs?: number;
  /** When it reached its goal (or ended). */
  goalAtMs?: number;
  syncStartedAtMs?: number;
  syncEndedAtMs?: number;
  size?: PlanItemSize;
}

export interface EtaInput {
  items: EtaItem[];
  maxConcurrency: number;
  ramp?: { canary: number; factor: number } | undefined;
  prior: EtaPrior;
  startedAtMs: number;
  nowMs: number;
  /** False while nothing new starts (paused, halted, cancelled): pending items are left out of the end. */
  startsPending: boolean;
}

export interface EtaResult {
  eta: PlanEta;
  /** Each item's ETA, in the order of `items`. */
  items: PlanItemEta[];
}

/** The most recent full syncs the rate is learned from: recent ones weigh all, older ones not at all. */
const RECENT_SYNCS = 64;
/** Two syncs whose sizes differ by less than this share say nothing about the slope. */
const DISTINCT_SIZES = 0.05;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Seconds a full sync of `size` takes at the assumed rate (the unit every learned rate is a multiple of). */
export function priorSyncSeconds(size: PlanItemSize, prior: EtaPrior): number {
  return (size.usedMemoryBytes ?? 0) / prior.bytesPerSecond + (size.keys ?? 0) / prior.keysPerSecond;
}

/** Observed seconds ≈ intercept + slope × assumed seconds, fitted robustly; the assumptions as they are without data. */
export function fitSyncs(samples: Array<{ x: number; y: number }>): { slope: number; interceptS: number } {
  if (samples.length === 0) return { slope: 1, interceptS: 0 };
  const slopes: number[] = [];
  for (let i = 0; i < samples.length; i++)
    for (let j = i + 1; j < samples.length; j++) {
      const [a, b] = [samples[i]!, samples[j]!];
      if (Math.abs(a.x - b.x) > DISTINCT_SIZES * Math.max(a.x, b.x)) slopes.push((b.y - a.y) / (b.x - a.x));
    }
  const sized = samples.filter((sample) => sample.x > 0);
  if (slopes.length > 0 && median(slopes) > 0) {
    const slope = median(slopes);
    const interceptS = median(samples.map((sample) => sample.y - slope * sample.x));
    if (interceptS >= 0) return { slope, interceptS };
    // A negative fixed part means nothing physical: refit through the origin.
  }
  if (sized.length > 0) return { slope: median(sized.map((sample) => sample.y / sample.x)), interceptS: 0 };
  // No size is known: every sync takes the same time.
  return { slope: 1, interceptS: median(samples.map((sample) => sample.y)) };
}

interface Model {
  rate: PlanEtaRate;
  slope: number;
  interceptS: number;
}

function learn(input: EtaInput, sizeOf: (item: EtaItem) => PlanItemSize): Model {
  const { prior } = input;
  const measured = input.items
    .filter((item) => item.syncStartedAtMs !== undefined && item.syncEndedAtMs !== undefined)
    .sort((a, b) => a.syncEndedAtMs! - b.syncEndedAtMs!)
    .slice(-RECENT_SYNCS);
  const samples = measured.map((item) => ({
    x: priorSyncSeconds(sizeOf(item), prior),
    y: Math.max(0, item.syncEndedAtMs! - item.syncStartedAtMs!) / 1000,
  }));
  const { slope, interceptS } = fitSyncs(samples);
  // Outside the full sync: what the items that reached their goal spent there.
  const outside = input.items
    .filter((item) => item.settled && !item.failed && item.startedAtMs !== undefined && item.goalAtMs !== undefined)
    .filter((item) => item.syncStartedAtMs !== undefined && item.syncEndedAtMs !== undefined)
    .map((item) => item.goalAtMs! - item.startedAtMs! - (item.syncEndedAtMs! - item.syncStartedAtMs!));
  const overheadMs = outside.length > 0 ? Math.max(0, median(outside.slice(-RECENT_SYNCS))) : prior.overheadMs;
  return {
    slope,
    interceptS,
    rate: {
      bytesPerSecond: prior.bytesPerSecond / slope,
      keysPerSecond: prior.keysPerSecond / slope,
      fixedSyncMs: Math.round(interceptS * 1000),
      overheadMs: Math.round(overheadMs),
      samples: samples.length,
    },
  };
}

/** An item without a known size counts as the median of those known (or as empty when none is). */
function sizeLookup(items: EtaItem[]): (item: EtaItem) => PlanItemSize {
  const known = items.map((item) => item.size).filter((size): size is PlanItemSize => size !== undefined);
  const typical: PlanItemSize =
    known.length === 0
      ? {}
      : {
          usedMemoryBytes: median(known.map((size) => size.usedMemoryBytes ?? 0)),
          keys: median(known.map((size) => size.keys ?? 0)),
        };
  return (item) => item.size ?? typical;
}

/** The times the items reach their goals, the pace played forward from `nowMs`; undefined: it will not start. */
export function simulate(
  input: Pick<EtaInput, 'items' | 'maxConcurrency' | 'ramp' | 'nowMs' | 'startsPending'>,
  estimateMs: (index: number) => number,
): Array<number | undefined> {
  const { items, nowMs } = input;
  const goals: Array<number | undefined> = items.map((item, index) =>
    item.settled
      ? (item.goalAtMs ?? nowMs)
      : item.state === 'running'
        ? Math.max(nowMs, (item.startedAtMs ?? nowMs) + estimateMs(index))
        : undefined,
  );
  if (!input.startsPending) return goals;
  const canary = input.ramp ? Math.min(input.ramp.canary, items.length) : 0;
  // The canary runs as a wave of its own: nothing else starts before it reached its goal.
  const groupOf = (index: number) => (index < canary ? -1 : items[index]!.wave);
  const groups = [...new Set(items.map((_, index) => groupOf(index)))].sort((a, b) => a - b);
  let groupStart = nowMs;
  let goalsAfterCanary = items.filter((item, index) => index >= canary && item.settled && !item.failed).length;
  for (const group of groups) {
    const members = items.map((_, index) => index).filter((index) => groupOf(index) === group);
    const limit = () => (group === -1 ? Math.min(canary, input.maxConcurrency) : rampLimitOf(input, goalsAfterCanary));
    // Slots held by running items until their predicted goals; the pending ones take the first free slot.
    const busy = members.filter((index) => items[index]!.state === 'running' && !items[index]!.settled);
    const ends = busy.map((index) => goals[index]!).sort((a, b) => a - b);
    let clock = groupStart;
    for (const index of members.filter((i) => items[i]!.state === 'pending')) {
      while (ends.length >= limit()) {
        clock = Math.max(clock, ends.shift()!);
        if (group !== -1) goalsAfterCanary += 1;
      }
      const end = clock + estimateMs(index);
      goals[index] = end;
      ends.splice(sortedIndex(ends, end), 0, end);
    }
    const memberGoals = members.map((index) => goals[index]).filter((goal): goal is number => goal !== undefined);
    groupStart = Math.max(groupStart, ...memberGoals);
  }
  return goals;
}

function rampLimitOf(input: Pick<EtaInput, 'maxConcurrency' | 'ramp'>, goalsAfterCanary: number): number {
  return rampLimit(
    { maxConcurrency: input.maxConcurrency, ...(input.ramp ? { ramp: input.ramp } : {}) },
    goalsAfterCanary,
  );
}

function sortedIndex(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

const iso = (ms: number) => new Date(ms).toISOString();

function firstEstimateErrors(items: EtaItem[], first: number[]): PlanEta['firstEstimateErrorPct'] {
  const errors = items.flatMap((item, index) => {
    if (!item.settled || item.failed || item.startedAtMs === undefined || item.goalAtMs === undefined) return [];
    const actual = item.goalAtMs - item.startedAtMs;
    return actual > 0 ? [(Math.abs(first[index]! - actual) / actual) * 100] : [];
  });
  if (errors.length === 0) return undefined;
  const round = (value: number) => Math.round(value * 10) / 10;
  return { items: errors.length, medianPct: round(median(errors)), maxPct: round(Math.max(...errors)) };
}

/** Every item's estimate and the plan's predicted end, with the rate learned from the full syncs measured so far. */
export function computeEta(input: EtaInput): EtaResult {
  const sizeOf = sizeLookup(input.items);
  const model = learn(input, sizeOf);
  const { prior } = input;
  const first = input.items.map((item) => prior.overheadMs + priorSyncSeconds(sizeOf(item), prior) * 1000);
  const estimates = input.items.map(
    (item) => model.rate.overheadMs + (model.interceptS + model.slope * priorSyncSeconds(sizeOf(item), prior)) * 1000,
  );
  const goals = simulate(input, (index) => estimates[index]!);
  const firstGoals = simulate(
    {
      ...input,
      nowMs: input.startedAtMs,
      startsPending: true,
      items: input.items.map((item) => ({ wave: item.wave, state: 'pending', settled: false })),
    },
    (index) => first[index]!,
  );
  const open = input.items.map((item, index) => (!item.settled ? goals[index] : undefined));
  const left = input.items.filter((item, index) => !item.settled && goals[index] !== undefined).length;
  const ends = goals.filter((goal): goal is number => goal !== undefined);
  const endMs = ends.length > 0 ? Math.round(Math.max(...ends)) : undefined;
  const firstEnd = firstGoals.filter((goal): goal is number => goal !== undefined);
  const firstErrors = firstEstimateErrors(input.items, first);
  const eta: PlanEta = {
    ...(endMs === undefined
      ? {}
      : { predictedEndMs: endMs, predictedEnd: iso(endMs), remainingMs: Math.max(0, endMs - input.nowMs) }),
    itemsLeft: left,
    sized: input.items.filter((item) => item.size !== undefined).length,
    learnedRate: model.rate,
    ...(firstEnd.length > 0 ? { firstPredictedEnd: iso(Math.round(Math.max(...firstEnd))) } : {}),
    ...(firstErrors ? { firstEstimateErrorPct: firstErrors } : {}),
  };
  const items = input.items.map((item, index): PlanItemEta => {
    const actual =
      item.settled && !item.failed && item.startedAtMs !== undefined && item.goalAtMs !== undefined
        ? { actualMs: item.goalAtMs - item.startedAtMs }
        : {};
    const goal = open[index];
    return {
      firstEstimateMs: Math.round(first[index]!),
      estimateMs: Math.round(estimates[index]!),
      ...(goal === undefined ? {} : { predictedGoalAt: iso(Math.round(goal)) }),
      ...actual,
    };
  });
  return { eta, items };
}

/** The plan file's `eta` as the ETA uses it; a policy carried from before `eta` existed gets the defaults. */
export function priorOf(
  eta: { rate?: { bytesPerSecond: number; keysPerSecond: number }; overhead?: number } | undefined,
): EtaPrior {
  return {
    bytesPerSecond: eta?.rate?.bytesPerSecond ?? DEFAULT_ETA_PRIOR.bytesPerSecond,
    keysPerSecond: eta?.rate?.keysPerSecond ?? DEFAULT_ETA_PRIOR.keysPerSecond,
    overheadMs: eta?.overhead ?? DEFAULT_ETA_PRIOR.overheadMs,
  };
}
