import type { PollingSettings } from '../common/migration-input.js';

type Intervals = Pick<PollingSettings, 'initialInterval' | 'maxInterval' | 'backoffFactor'>;

/**
 * The wait before the next status poll: `initialInterval` right after the status changed, then growing by
 * `backoffFactor` per unchanged poll up to `maxInterval`. A quick start catches fast transitions (a small backup
 * import finishes in seconds); the cap keeps a 30-day incremental hold cheap.
 */
export function nextPollIntervalMs(unchangedPolls: number, polling: Intervals): number {
  const grown = polling.initialInterval * polling.backoffFactor ** Math.max(0, unchangedPolls);
  return Math.round(Math.min(polling.maxInterval, grown));
}

/**
 * Predictive polling (`predictive-polling` patch): when the workflow expects the status to change at a known time
 * (`phase-estimate.ts`), a 60 s backoff would notice it up to a minute late and a fixed short poll would pay for
 * the whole phase. So reads are sparse while the change is far ({@link sparseIntervalMs}), one read with fresh
 * progress lands {@link refineLeadMs} before the estimate to correct it, and then reads are dense
 * ({@link denseIntervalMs}) from just before the estimate until {@link missWindowMs} after it. Past that the
 * estimate proved wrong: the progress read then due makes a new one, or the backoff takes over.
 */
export interface ReadPlanInput {
  /** Workflow time, ms. */
  now: number;
  unchangedPolls: number;
  polling: Intervals;
  /** When the current phase is expected to end (workflow time, ms). */
  expectedAt?: number;
  /** Nothing is expected to change by itself (the incremental hold, ended by a cutover that wakes the workflow). */
  quiet?: boolean;
}

/** Between reads while the change is far off or none is expected: 3 × `maxInterval` (3 min by default). */
export function sparseIntervalMs(polling: Intervals): number {
  return 3 * polling.maxInterval;
}

/** Between reads around the expected change: half of `initialInterval` (2.5 s by default). */
export function denseIntervalMs(polling: Intervals): number {
  return Math.max(1, Math.round(polling.initialInterval / 2));
}

/** The read that refreshes progress to correct the estimate comes this long before it: `maxInterval` / 2. */
export function refineLeadMs(polling: Intervals): number {
  return Math.max(denseIntervalMs(polling), Math.round(polling.maxInterval / 2));
}

/** Reads stay dense this long past the estimate; a read later than that with no change counts it as missed. */
export function missWindowMs(polling: Intervals): number {
  return refineLeadMs(polling);
}

/** The wait before the next read: predictive when there is an estimate (or a quiet phase), else the backoff. */
export function nextReadDelayMs(plan: ReadPlanInput): number {
  const { now, polling, expectedAt } = plan;
  const backoff = nextPollIntervalMs(plan.unchangedPolls, polling);
  if (expectedAt === undefined) return plan.quiet ? sparseIntervalMs(polling) : backoff;
  const remaining = expectedAt - now;
  const dense = denseIntervalMs(polling);
  const lead = refineLeadMs(polling);
  if (remaining < -missWindowMs(polling)) return backoff;
  if (remaining <= lead) return remaining > dense ? remaining - dense : dense;
  // Far: evenly spaced sparse reads, the last one landing at the refining read `lead` before the estimate.
  const toRefine = remaining - lead;
  const sparse = sparseIntervalMs(polling);
  return Math.max(1, Math.round(toRefine / Math.ceil(toRefine / sparse)));
}

/**
 * Whether a read now should also refresh progress for the estimate: once the refining read is due, and again when
 * the dense window has passed without the change (the estimate is then corrected, or counted as missed).
 */
export function estimateRefreshDue(now: number, expectedAt: number | undefined, progressReadAt: number | undefined, polling: Intervals): boolean {
  if (expectedAt === undefined) return false;
  const refineFrom = expectedAt - refineLeadMs(polling) - denseIntervalMs(polling);
  if (now < refineFrom) return false;
  if (progressReadAt === undefined || progressReadAt < refineFrom) return true;
  return now > expectedAt + missWindowMs(polling) && progressReadAt <= expectedAt + missWindowMs(polling);
}
