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
 * the whole phase. So reads are sparse while the change is far ({@link sparseIntervalMs}); reads with fresh
 * progress land at each of the refining leads before the estimate ({@link refineLeadsMs}: 2 × and ½ ×
 * `maxInterval`), each correcting it (the later from a shorter forecast, so a smaller error); then reads are dense
 * ({@link denseIntervalMs}) from a little before the estimate until {@link missWindowMs} after it. Past that the
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

/** How long before the estimate the refining reads come, earliest first (2 min and 30 s by default). */
export function refineLeadsMs(polling: Intervals): [number, number] {
  const dense = denseIntervalMs(polling);
  return [Math.max(4 * dense, 2 * polling.maxInterval), Math.max(2 * dense, Math.round(polling.maxInterval / 2))];
}

/** A progress read this little before a refining point (a quarter of its lead) already serves it. */
function slackOf(lead: number, polling: Intervals): number {
  return Math.max(denseIntervalMs(polling), Math.round(lead / 4));
}

/**
 * Dense reads start this long before the estimate: the last refining read forecasts {@link refineLeadsMs}[1]
 * ahead, and a copy's speed may well be a fifth off over that.
 */
export function denseLeadMs(polling: Intervals): number {
  return Math.max(denseIntervalMs(polling), Math.round(refineLeadsMs(polling)[1] / 5));
}

/** Until a phase has an estimate, its progress is read again once the last read is this old: `initialInterval`. */
export function estimateSampleAfterMs(polling: Intervals): number {
  return polling.initialInterval;
}

/** Reads stay dense this long past the estimate; a read later than that with no change counts it as missed. */
export function missWindowMs(polling: Intervals): number {
  return refineLeadsMs(polling)[1];
}

/** The wait before the next read: predictive when there is an estimate (or a quiet phase), else the backoff. */
export function nextReadDelayMs(plan: ReadPlanInput): number {
  const { now, polling, expectedAt } = plan;
  const backoff = nextPollIntervalMs(plan.unchangedPolls, polling);
  if (expectedAt === undefined) return plan.quiet ? sparseIntervalMs(polling) : backoff;
  const remaining = expectedAt - now;
  if (remaining < -missWindowMs(polling)) return backoff;
  const dense = denseIntervalMs(polling);
  const denseFrom = denseLeadMs(polling);
  if (remaining <= denseFrom + dense / 2) return dense;
  // The next refining read still ahead (one this close was just made, or is served by the last progress read),
  // else the first dense read.
  const target = refineLeadsMs(polling).find((lead) => remaining > lead + slackOf(lead, polling)) ?? denseFrom;
  const toTarget = remaining - target;
  // Evenly spaced sparse reads, the last one landing on the target.
  return Math.max(1, Math.round(toTarget / Math.ceil(toTarget / sparseIntervalMs(polling))));
}

/**
 * Whether a read now should also refresh progress for the estimate: at each refining read (once), and again when
 * the dense window has passed without the change (the estimate is then corrected, or counted as missed).
 */
export function estimateRefreshDue(
  now: number,
  expectedAt: number | undefined,
  progressReadAt: number | undefined,
  polling: Intervals,
): boolean {
  if (expectedAt === undefined) return false;
  // The latest refining point reached; a progress read since shortly before it serves it.
  const reached = refineLeadsMs(polling)
    .map((lead) => ({ at: expectedAt - lead, slack: slackOf(lead, polling) }))
    .filter((point) => now >= point.at - denseIntervalMs(polling))
    .at(-1);
  if (reached === undefined) return false;
  if (progressReadAt === undefined || progressReadAt < reached.at - reached.slack) return true;
  const windowEnd = expectedAt + missWindowMs(polling);
  return now > windowEnd && progressReadAt <= windowEnd;
}
