/**
 * An activity's suggested retry delay, carried to workflow code in its failure's details.
 *
 * An activity sets `nextRetryDelay` on its failure so Temporal's own retries wait that long (the server reads it
 * from the encoded failure). Workflow code that retries by itself (the create loop, `workflows/steps/create-task.ts`)
 * needs the same delay, but the SDK's failure converter drops `nextRetryDelay` when it decodes a failure for
 * workflow code (`DefaultFailureConverter.failureToErrorInner` passes `undefined`, up to 1.24 at least). Details
 * survive decoding (they are ordinary payloads, through the codec too), so the delay travels there as well, as its
 * own entry `{ nextRetryDelayMs }` (found by scanning, like `{ remoteTask }` in `remote-task-cleanup.ts`).
 */
import { ApplicationFailure, type ApplicationFailureOptions } from '@temporalio/common';

export interface RetryDelayDetail {
  nextRetryDelayMs: number;
}

type FailureOptions = Omit<ApplicationFailureOptions, 'nextRetryDelay'>;

/** An `ApplicationFailure` whose delay reaches both Temporal's retries and workflow code (none when undefined). */
export function failureWithRetryDelay(options: FailureOptions, nextRetryDelayMs?: number): ApplicationFailure {
  if (nextRetryDelayMs === undefined) return ApplicationFailure.create(options);
  const detail: RetryDelayDetail = { nextRetryDelayMs };
  const details = [...(options.details ?? []), detail];
  return ApplicationFailure.create({ ...options, nextRetryDelay: nextRetryDelayMs, details });
}

/** The delay in a failure's details, if any (details are untyped once they cross the wire). */
export function retryDelayOf(details: readonly unknown[] | undefined | null): number | undefined {
  for (const detail of details ?? []) {
    const candidate = (detail as Partial<RetryDelayDetail> | null)?.nextRetryDelayMs;
    if (typeof candidate === 'number' && Number.isFinite(candidate) && candidate >= 0) return candidate;
  }
  return undefined;
}
