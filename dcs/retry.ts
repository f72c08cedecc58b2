import type { Backoff } from '../common/backoff.js';
import { DcsError } from './errors/dcs-error.js';
import { DcsNetworkError, DcsRateLimitedError, DcsServerError, DcsTimeoutError } from './errors/error-classes.js';
import { errorFromTransportFailure } from './errors/map-error.js';

/**
 * The one retryability decision for DCS calls. The client does not retry unless asked (`retries`, reads only):
 * Temporal owns retrying; callers that do retry ask here. Client errors carry their answer; raw transport errors (from code that used
 * undici directly) are classified as the client would; anything else (a bug) is not retryable.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof DcsError) return error.retryable;
  return errorFromTransportFailure(error)?.retryable ?? false;
}

/**
 * How long to wait before the next try, in ms: the server's `Retry-After` (a 429 or 5xx), or the hold of the
 * client's throttle that refused the call (`dcs/throttle.ts`); `undefined` if nobody said. A floor for the
 * caller's backoff, not a schedule.
 */
export function retryDelayHint(error: unknown): number | undefined {
  return error instanceof DcsError ? error.retryAfterMs : undefined;
}

/**
 * Whether the error says DCS cannot be reached or will not serve us for now, rather than that this call is wrong:
 * no answer (refused, reset, DNS, timeouts), a 5xx, or a 429 (throttled), whether the server answered it or the
 * client's throttle held the call back. The migration tolerates these for `polling.dcsOutageTolerance`, then
 * fails as `DcsUnavailable`.
 */
export function isDcsUnavailable(error: unknown): boolean {
  const typed = error instanceof DcsError ? error : errorFromTransportFailure(error);
  return (
    typed instanceof DcsNetworkError ||
    typed instanceof DcsTimeoutError ||
    typed instanceof DcsServerError ||
    typed instanceof DcsRateLimitedError
  );
}

/**
 * Whether the client's own opt-in retries may repeat this call: only reads (GET), since repeating a create or a
 * stop whose answer was lost could act twice; and only errors that are retryable.
 */
export function mayRetryCall(method: string, error: unknown): boolean {
  return method.toUpperCase() === 'GET' && isRetryable(error);
}

/**
 * Backoff of the client's opt-in read retries (`DcsClientOptions.retries`), through the project's one formula
 * (`common/backoff.ts`). Shorter than the migration's: these retries happen inside one call, so a caller waits for
 * them, and the server's Retry-After still sets the floor.
 */
export const CLIENT_READ_BACKOFF: Backoff = { initialMs: 250, factor: 2, maxMs: 8_000 };
