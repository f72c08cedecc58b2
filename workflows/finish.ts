/**
 * How a run ends. {@link finishRun} is the one way for every ending (success, failure, cancellation): it records
 * when the run finished, enters the final phase (published, notified) and waits for what must not be cut off.
 * {@link failedRun} and {@link cancelledRun} first clean up the remote task, outside cancellation, then finish and
 * return the failure the run ends with.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { allHandlersFinished, CancellationScope, condition, log, patched } from '@temporalio/workflow';
import { MigrationFailureType, type MigrationPhase } from '../common/workflow-contract.js';
import { callActivity } from './api.js';
import { enterPhase, type MigrationContext } from './context.js';
import { Patch } from './patches.js';
import { READ_OPTIONS } from './retry-policy.js';
import { recordError } from './state.js';
import { surfaceActivityFailure, workflowFailure } from './steps/failures.js';
import { notificationsPending } from './steps/notify.js';
import { cleanUpReverseTask, hasReverseTask, withReverseCleanup } from './steps/reverse-sync.js';
import { cleanUpAfterCancel, cleanUpAfterFailure, withCleanup } from './steps/stop.js';

export type FinalPhase = Extract<MigrationPhase, 'succeeded' | 'cut-over' | 'rolled-back' | 'failed' | 'cancelled'>;

interface FinishOptions {
  /**
   * Wait for running signal and update handlers before the run closes: `wait`, or `wait-non-cancellable` when the
   * root scope may be cancelled by then. Failures close without waiting, as the runs recorded so far did.
   */
  handlers?: 'wait' | 'wait-non-cancellable';
  /** Runs once the final phase is entered, before the waits (the cancellation's request to close as cancelled). */
  beforeClosing?: () => Promise<void>;
}

/** Ends the run in `phase`: `finishedAt`, the phase, then the waits (handlers when asked, pending notifications). */
export async function finishRun(ctx: MigrationContext, phase: FinalPhase, options: FinishOptions = {}): Promise<void> {
  ctx.state.timings.finishedAt = new Date().toISOString();
  enterPhase(ctx, phase);
  if (options.beforeClosing) await options.beforeClosing();
  if (options.handlers === 'wait') await condition(allHandlersFinished);
  else if (options.handlers === 'wait-non-cancellable')
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  await notificationsPending(ctx);
}

/**
 * The failure to end with after `error`: with the `clean-up-remote-task-on-failure` patch, the remote task is
 * cleaned up first (`cleanUpAfterFailure`, not cancellable: a cancel arriving now must not leave a paid task
 * running) and the failure tells what was done to it.
 */
export async function failedRun(ctx: MigrationContext, error: unknown): Promise<unknown> {
  const { state } = ctx;
  recordError(state, error, new Date());
  const surfaced = surfaceActivityFailure(error);
  // Before the patch, and for what is not a Temporal failure (a bug in workflow code: the workflow task fails and
  // is retried, nothing to report yet), the run ends without touching the task.
  if (!patched(Patch.CleanUpOnFailure) || !(surfaced instanceof ApplicationFailure)) {
    await finishRun(ctx, 'failed');
    return surfaced;
  }
  const lastError = state.lastError;
  const cleanup = await CancellationScope.nonCancellable(() => cleanUpAfterFailure(ctx, error));
  // The reverse task of a rollback window (steps/reverse-sync.ts) goes the same way as the migration's own task.
  const onFailure = ctx.input.onFailure ?? 'stop';
  const cleanUpReverse = () => cleanUpReverseTask(ctx, onFailure);
  const reverse = hasReverseTask(ctx) ? await CancellationScope.nonCancellable(cleanUpReverse) : undefined;
  // The status keeps showing why the migration failed, not what the cleanup's reads ran into.
  state.lastError = lastError;
  await finishRun(ctx, 'failed');
  return withReverseCleanup(withCleanup(surfaced, cleanup), reverse);
}

/** Stops (and maybe deletes) the remote task, then returns the cancellation to rethrow so the run ends CANCELLED. */
export async function cancelledRun(ctx: MigrationContext, error: unknown): Promise<unknown> {
  const { state, input } = ctx;
  const request = state.cancel ?? { reason: 'workflow cancellation requested' };
  state.cancel = request;
  try {
    const deleteTask = request.delete ?? input.deleteOnCancel;
    try {
      await CancellationScope.nonCancellable(() => cleanUpAfterCancel(ctx, deleteTask));
    } finally {
      // The reverse task of a rollback window (steps/reverse-sync.ts), whatever became of the migration's own.
      // Only runs that made one get here (no extra await for the others: replays keep their command order).
      const cleanUpReverse = () => cleanUpReverseTask(ctx, deleteTask ? 'delete' : 'stop', { rethrow: true });
      if (hasReverseTask(ctx)) await CancellationScope.nonCancellable(cleanUpReverse);
    }
  } catch (cleanupError) {
    recordError(state, cleanupError, new Date());
    await finishRun(ctx, 'failed');
    return workflowFailure(
      `cancel requested (${request.reason}), but the remote task could not be stopped: ${state.lastError?.message ?? 'unknown error'}`,
      MigrationFailureType.CleanupFailed,
      { taskId: state.taskId, status: state.remoteStatus },
    );
  }
  // The root scope may be cancelled by now: wait for handlers outside it.
  await finishRun(ctx, 'cancelled', {
    beforeClosing: () => closeAsCancelled(ctx, request.reason),
    handlers: 'wait-non-cancellable',
  });
  return error instanceof CancelledFailure ? error : new CancelledFailure(`cancelled: ${request.reason}`);
}

/**
 * A run closes as CANCELLED only when Temporal itself cancelled it, and the server refuses a workflow's request to
 * cancel itself. After a cancel *signal*, an activity asks Temporal (through the worker's client) to cancel this
 * run; once that request arrives, the rethrow closes the run as CANCELLED rather than FAILED.
 */
async function closeAsCancelled(ctx: MigrationContext, reason: string): Promise<void> {
  if (ctx.root.consideredCancelled) return;
  await CancellationScope.nonCancellable(async () => {
    try {
      await callActivity(
        ctx.state,
        'requestWorkflowCancellation',
        READ_OPTIONS,
        'Close this workflow as cancelled',
        reason,
      );
      await condition(() => ctx.root.consideredCancelled, 30_000);
    } catch (cancelError) {
      log.warn('could not close the workflow as cancelled; it ends failed with a CancelledFailure', {
        error: String(cancelError),
      });
    }
  });
}
