/**
 * Every retry and timeout decision of the migration, in one place.
 *
 * - Whether a DCS error is retryable is decided once, by the DCS client (`DcsError.retryable`: 5xx, 429,
 *   timeouts and network errors yes; other 4xx and response validation no). `activities/to-application-failure.ts`
 *   turns that into an ApplicationFailure whose `type` is the DcsError class name and whose `nextRetryDelay` comes
 *   from `retryDelayMs` in `common/backoff.ts` (Retry-After honoured, jitter added).
 * - Reads (list, show, stats, job) are retried by Temporal with these policies, bounded by schedule-to-close.
 * - Calls that change remote state and whose outcome is ambiguous on a lost response (create, configure, stop)
 *   run ONCE per activity; the workflow re-reads the remote state before trying again (see `workflows/steps/`),
 *   so a retry never creates a second task or re-configures a running one. Those loops wait `retryDelayMs`.
 * - Timeouts without a response (start-to-close) fall back to the RetryPolicy's own backoff, which has no
 *   jitter: Temporal adds none, and the next attempt is already spread by when each worker noticed the timeout.
 *
 * This module is pure workflow-side configuration; the backoff formula it shares with the activities and the DCS
 * client is `common/backoff.ts` (activities may not import workflows/).
 */
import type { ActivityOptions, RetryPolicy } from '@temporalio/common';
import { ActivityFailureType } from '../common/activity-failure-type.js';
import { DEFAULT_BACKOFF } from '../common/backoff.js';
import { MigrationFailureType } from '../common/workflow-contract.js';

/**
 * Failure types that are never worth retrying whatever their `nonRetryable` flag says: a refused input, and every
 * failure type the activities raise themselves (derived, so a new one cannot be left out).
 */
export const NON_RETRYABLE_TYPES: string[] = [MigrationFailureType.InvalidInput, ...Object.values(ActivityFailureType)];

const readRetry: RetryPolicy = {
  initialInterval: DEFAULT_BACKOFF.initialMs,
  backoffCoefficient: DEFAULT_BACKOFF.factor,
  maximumInterval: DEFAULT_BACKOFF.maxMs,
  nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
};

/**
 * Start-to-close of one attempt: tight, so an attempt lost with a dead worker is retried on another within a
 * minute, yet above the DCS client's own per-request timeout (30 s to headers by default), so a slow answer
 * surfaces as a typed, jittered DcsTimeoutError rather than as an activity timeout.
 */
const ATTEMPT_TIMEOUT = '45s';

/**
 * Heartbeat timeout of every short activity: the worker beats while one runs (`activities/liveness.ts`), so an
 * attempt lost with a killed worker is retried after this instead of after {@link ATTEMPT_TIMEOUT}, while a slow
 * DCS call that keeps beating still gets its whole attempt. Timeouts are not part of the determinism check, so
 * runs recorded before it replay unchanged.
 */
export const LIVENESS_HEARTBEAT_TIMEOUT = '5s';

/** How long a read retries (schedule-to-close): 10 minutes. */
export const READ_RETRY_SPAN_MS = 600_000;

/**
 * Reads: retried on transient failures for up to 10 minutes, after which the poll counts as failed (the
 * workflow tolerates a few failed polls in a row before giving up, and DCS being unreachable for
 * `polling.dcsOutageTolerance`: `steps/outage.ts`, which shortens a read's span to what the tolerance has left).
 */
export const READ_OPTIONS: ActivityOptions = {
  startToCloseTimeout: ATTEMPT_TIMEOUT,
  heartbeatTimeout: LIVENESS_HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: READ_RETRY_SPAN_MS,
  retry: readRetry,
  cancellationType: 'TRY_CANCEL',
};

/**
 * Ambiguous writes (create, configure, stop): one attempt; the workflow re-reads state and decides again. On
 * cancellation the workflow waits for an in-flight write to finish (it takes seconds at most), so the cleanup
 * that follows sees the task a create call made instead of racing it.
 */
export const SINGLE_ATTEMPT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: ATTEMPT_TIMEOUT,
  heartbeatTimeout: LIVENESS_HEARTBEAT_TIMEOUT,
  retry: { maximumAttempts: 1 },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
};

/**
 * The pre-flight checks: reads only (ShowInstance, read-only Redis probes), each DCS read already tried a few
 * times inside; a lost worker or a crash is retried a few times, bounded well below a read's ten minutes.
 */
export const PRECHECK_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: LIVENESS_HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '5m',
  retry: { ...readRetry, maximumAttempts: 3 },
  cancellationType: 'TRY_CANCEL',
};

/**
 * The keep-writes rollback's scan of the source for keys the target deleted (`activities/rollback-prune.ts`): one
 * pass over the source's keys, beating while it runs, tried a few times; the rollback waits for it.
 */
export const PRUNE_OPTIONS: ActivityOptions = {
  ...PRECHECK_OPTIONS,
  startToCloseTimeout: '30m',
  scheduleToCloseTimeout: '60m',
};

/** Idempotent writes (delete ignores unknown ids): retried like reads. */
export const IDEMPOTENT_WRITE_OPTIONS: ActivityOptions = READ_OPTIONS;

/**
 * The log read after a task failed: a nicety for the failure report and the restart decision, so it gives up
 * within two minutes (the failure is reported without log entries then) instead of holding the failure back.
 */
export const LOG_READ_OPTIONS: ActivityOptions = { ...READ_OPTIONS, scheduleToCloseTimeout: '2m' };

/**
 * BatchRestartOnlineMigrationTasks: retried like a read. A repeat after a lost answer cannot start a second task
 * (restart acts on the one task id, and DCS refuses it per task while the task runs); the workflow reads the task
 * when the answer is `failed` to tell a refusal from a restart an earlier attempt already delivered.
 */
export const RESTART_OPTIONS: ActivityOptions = READ_OPTIONS;

/** How many times the workflow tries an ambiguous write (re-reading state in between) before failing. */
export const MAX_WRITE_TRIES = 8;

/**
 * The verify activity: one long attempt that heartbeats a checkpoint; a lost worker is noticed within the
 * heartbeat timeout, and the retry resumes from the checkpoint. Unreachable servers are retried a few times.
 */
export const VERIFY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '24h',
  heartbeatTimeout: '30s',
  retry: { ...readRetry, maximumAttempts: 5 },
  cancellationType: 'TRY_CANCEL',
};

/**
 * Heartbeat timeout of a wait on the shared status watcher: a wait lost with its worker is retried on another
 * within this. Long enough that thousands of waiting migrations heartbeat only a few times a minute each.
 */
export const WATCH_HEARTBEAT_TIMEOUT_MS = 90_000;

/**
 * A wait on the shared status watcher (`awaitStatusChange`): one attempt lasts at most the wait plus a margin; a
 * lost worker is noticed by the heartbeat timeout and the wait is retried like a read.
 */
export function watchOptions(maxWaitMs: number): ActivityOptions {
  return {
    startToCloseTimeout: maxWaitMs + 120_000,
    scheduleToCloseTimeout: maxWaitMs + 600_000,
    heartbeatTimeout: WATCH_HEARTBEAT_TIMEOUT_MS,
    retry: { ...readRetry, maximumAttempts: 5 },
    cancellationType: 'TRY_CANCEL',
  };
}

/**
 * A notification (`sendNotification`): a few quick tries over about a minute, then it is given up and shown as a
 * warning; a webhook must never hold the migration up for long, nor fail it. Refusals (`WebhookRejected`, a URL
 * that does not resolve) are not retried.
 */
export const NOTIFY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '15s',
  heartbeatTimeout: LIVENESS_HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '90s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['WebhookRejected', ...NON_RETRYABLE_TYPES],
  },
  cancellationType: 'TRY_CANCEL',
};
