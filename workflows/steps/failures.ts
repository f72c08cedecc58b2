/** The failures the workflow raises itself, each with a type from the contract so callers can match it. */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import type { MigrationContext } from '../context.js';
import { taskLabel } from './read-task.js';

export function remoteTaskFailed(ctx: MigrationContext, errorMessage: string | undefined): ApplicationFailure {
  const status = ctx.state.remoteStatus ?? 'FAILED';
  return ApplicationFailure.nonRetryable(
    `remote ${taskLabel(ctx)} ended ${status}: ${errorMessage?.trim() || 'DCS gave no error message'}`,
    MigrationFailureType.RemoteTaskFailed,
    { taskId: ctx.state.taskId, status, errorMessage },
  );
}

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
