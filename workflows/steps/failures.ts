/** The failures the workflow raises itself, each with a type from the contract so callers can match it. */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { MigrationFailureType, type TaskLogEntry } from '../../common/workflow-contract.js';
import type { MigrationContext } from '../context.js';
import { taskLabel } from './read-task.js';

/**
 * The remote task ended FAILED. `logs` (the end of its log, scrubbed by the activity that read it) go into the
 * details whole and into the message as the last few ERROR entries, so the one line an operator sees says why;
 * `note` tells what the restart policy did (used up, not a lost connection).
 */
export function remoteTaskFailed(
  ctx: MigrationContext,
  errorMessage: string | undefined,
  logs?: TaskLogEntry[],
  note?: string,
): ApplicationFailure {
  const status = ctx.state.remoteStatus ?? 'FAILED';
  const errors = (logs ?? []).filter((entry) => entry.level.toUpperCase() === 'ERROR').slice(-MESSAGE_LOG_ENTRIES);
  const logText =
    errors.length > 0
      ? `; last log entries: ${errors.map((entry) => `${entry.at} ${entry.code}: ${entry.message}`).join(' | ')}`
      : '';
  const restarts = ctx.state.restarts;
  const restartText = note ? `; ${note}` : restarts ? `; restarted ${restarts.count} time(s)` : '';
  return ApplicationFailure.nonRetryable(
    `remote ${taskLabel(ctx)} ended ${status}: ${errorMessage?.trim() || 'DCS gave no error message'}${logText}${restartText}`,
    MigrationFailureType.RemoteTaskFailed,
    {
      taskId: ctx.state.taskId,
      status,
      errorMessage,
      ...(logs ? { logs } : {}),
      ...(restarts ? { restarts: restarts.count } : {}),
    },
  );
}

/** ERROR log entries quoted in a failure message (the details carry every entry read). */
const MESSAGE_LOG_ENTRIES = 3;

export function workflowFailure(message: string, type: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type, ...(details ? [details] : []));
}

/**
 * The failure the workflow ends with when an activity failed for good: the activity's own failure type (a
 * DcsError class name such as `DcsAuthError`) is kept at the top so callers match it directly on
 * `WorkflowFailedError.cause.type`.
 */
export function surfaceActivityFailure(error: unknown): unknown {
  if (!(error instanceof ActivityFailure)) return error;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message: `${error.activityType ?? 'activity'} failed: ${cause.message}`,
      type: cause.type ?? 'ActivityFailed',
      nonRetryable: true,
      details: cause.details ?? undefined,
      cause: error,
    });
  }
  return ApplicationFailure.create({
    message: `${error.activityType ?? 'activity'} failed: ${cause?.message ?? error.message}`,
    type: MigrationFailureType.PollingFailed,
    nonRetryable: true,
    cause: error,
  });
}
