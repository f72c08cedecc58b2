/**
 * THE place where an error raised inside an activity becomes what Temporal sees. The DCS client has already
 * decided whether an error is worth retrying (`DcsError.retryable`); this keeps that decision, names the failure
 * after the error class (`DcsAuthError`, `DcsServerError`, … — callers and `nonRetryableErrorTypes` match on it),
 * and computes the next delay: the server's Retry-After (or the client throttle's hold) as a floor, exponential
 * backoff with jitter otherwise. The delay goes into the failure's details too, the only place workflow code can
 * read it (common/retry-delay-detail.ts), and so does whether the failure means DCS is unavailable.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ActivityFailureType } from '../common/activity-failure-type.js';
import { DEFAULT_BACKOFF, retryDelayMs, type Backoff } from '../common/backoff.js';
import { failureWithRetryDelay } from '../common/retry-delay-detail.js';
import { DcsError } from '../dcs/errors/index.js';
import { isDcsUnavailable, isRetryable, retryDelayHint } from '../dcs/retry.js';
import type { DcsFailureDetails } from './results.js';
import { SecretUnavailableError } from './secrets.js';

/** Converts `error` thrown by a DCS call in attempt `attempt` (1-based); cancellations pass through untouched. */
export function toApplicationFailure(error: unknown, attempt: number, backoff: Backoff = DEFAULT_BACKOFF): unknown {
  if (error instanceof CancelledFailure || (error instanceof Error && error.name === 'AbortError')) return error;
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof DcsError) {
    const retryable = isRetryable(error);
    const { operation, httpStatus, errorCode, requestId } = error;
    const delay = retryable ? retryDelayMs(attempt, retryDelayHint(error), backoff) : undefined;
    const dcsDetails: DcsFailureDetails = {
      operation,
      httpStatus,
      errorCode,
      requestId,
      // The workflow tolerates these for `polling.dcsOutageTolerance` (it cannot import dcs/ to tell).
      ...(isDcsUnavailable(error) ? { dcsUnavailable: true as const } : {}),
      ...(error.local ? { notSent: true as const } : {}),
    };
    return failureWithRetryDelay(
      { type: error.name, message: error.message, nonRetryable: !retryable, details: [dcsDetails] },
      delay,
    );
  }
  if (error instanceof SecretUnavailableError) {
    return ApplicationFailure.create({
      type: ActivityFailureType.SecretUnavailable,
      message: error.message,
      nonRetryable: true,
    });
  }
  // Anything else is a bug or an unforeseen condition: retried under the schedule-to-close bound, with jitter.
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return failureWithRetryDelay({ type: name, message }, retryDelayMs(attempt, undefined, backoff));
}
