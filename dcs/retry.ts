import { DcsError } from './errors/dcs-error.js';
import { DcsRateLimitedError, DcsServerError } from './errors/error-classes.js';
import { errorFromTransportFailure } from './errors/map-error.js';

/**
 * The one retryability decision for DCS calls. The client never retries by itself (Temporal owns retrying);
 * callers that do retry ask here. Client errors carry their answer; raw transport errors (from code that used
 * undici directly) are classified as the client would; anything else (a bug) is not retryable.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof DcsError) return error.retryable;
  return errorFromTransportFailure(error)?.retryable ?? false;
}

/**
 * How long the server asked to wait before the next try (`Retry-After` on a 429 or 5xx), in ms; `undefined` if it
 * did not say. A floor for the caller's backoff, not a schedule.
 */
export function retryDelayHint(error: unknown): number | undefined {
  return error instanceof DcsRateLimitedError || error instanceof DcsServerError ? error.retryAfterMs : undefined;
}
