/**
 * The one backoff formula of the project, shared by the DCS client's opt-in read retries (`dcs/client.ts`) and by
 * the migration's retries of DCS failures (activities' `nextRetryDelay`, the workflow's write loops). One formula
 * so the two cannot drift; each caller brings its own parameters.
 *
 * Pure and deterministic given `random`: workflow code calls it (Temporal makes `Math.random` replay-safe there),
 * so changing the formula changes recorded timers — keep it as it is unless histories are re-recorded.
 */

/** Parameters of an exponential backoff. */
export interface Backoff {
  /** Step of the first retry, in ms. */
  initialMs: number;
  /** Growth of the step per retry. */
  factor: number;
  /** Largest step, in ms. */
  maxMs: number;
}

/** Backoff of the migration's retries of DCS failures. Workers may shorten it (tests) through `createActivities({ backoff })`. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, factor: 2, maxMs: 30_000 };

/**
 * Delay before retry `attempt + 1` after a failed `attempt` (1-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so many callers hitting a sick endpoint do not retry in lockstep. A server's
 * Retry-After is a floor: never retry sooner than asked.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  backoff: Backoff = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
