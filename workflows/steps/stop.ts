/**
 * Stopping the remote task and waiting until DCS reports it stopped, for a cutover and for a cancellation (then
 * inside a non-cancellable scope). The stop call runs one attempt at a time with a fresh status read before
 * each, so it is never sent to a task that is already stopping or stopped, and a task that cannot be stopped
 * yet (still being provisioned) is retried until it can.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { isCancellation, log, patched } from '@temporalio/workflow';
import { describeRemoteTaskCleanup, type RemoteTaskCleanup } from '../../common/remote-task-cleanup.js';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import type { RemoteTask } from '../../activities/results.js';
import { callActivity, failureType, isPermanentFailure } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { isFinalClass } from '../../common/dcs-status.js';
import { IDEMPOTENT_WRITE_OPTIONS, READ_OPTIONS, SINGLE_ATTEMPT_OPTIONS } from '../retry-policy.js';
import { describeError, recordError } from '../state.js';
import { Patch } from '../patches.js';
import { ownerOf } from './create-task.js';
import { workflowFailure } from './failures.js';
import { pauseBeforeNextPoll } from './pause.js';
import { after, done, fail, pollTask, WAIT } from './poll-task.js';
import { observeStatus, observeTask, remoteStatusOf, taskLabel } from './read-task.js';

/** Polls spent waiting for a stop before giving up (with the poll interval capped, this is hours on DCS). */
const MAX_STOP_POLLS = 400;

/**
 * Stops the task and waits until it is final; `absent` when it no longer exists. Returns the poll loop's own
 * promise (no `await` of its own: see `poll-task.ts`).
 */
export function stopRemoteTask(ctx: MigrationContext): Promise<'stopped' | 'absent'> {
  const { state } = ctx;
  enterPhase(ctx, 'stopping');
  state.timings.stopRequestedAt ??= new Date().toISOString();
  return pollTask<'stopped' | 'absent'>(ctx, {
    absent: () => done('absent'),
    found: (_task, { statusClass }) => {
      if (isFinalClass(statusClass)) return done('stopped');
      // Stopping already: wait for the end, without a second stop call.
      if (statusClass === 'stopping') return WAIT;
      return after(
        callActivity(state, 'stopTask', SINGLE_ATTEMPT_OPTIONS, `Stop ${taskLabel(ctx)}`, state.taskId!),
        (outcome) => {
          if ('value' in outcome) {
            const answer = observeStatus(ctx, outcome.value.status);
            return answer !== undefined && isFinalClass(answer.statusClass) ? done('stopped') : WAIT;
          }
          if (isCancellation(outcome.error)) return fail(outcome.error);
          // Refused (e.g. the migration machine is still being created) or lost: read again and retry.
          recordError(state, outcome.error, new Date());
          publish(ctx);
          return WAIT;
        },
      );
    },
    beforeWait: (poll) => {
      if (poll >= MAX_STOP_POLLS) {
        throw workflowFailure(
          `remote ${taskLabel(ctx)} did not stop (last status ${state.remoteStatus ?? 'unknown'})`,
          MigrationFailureType.RemoteTaskNotStopped,
        );
      }
    },
    wait: () => pauseBeforeNextPoll(ctx, { allowContinueAsNew: false }),
  });
}

/** Cleanup after a cancellation: find the task even if its creation was never recorded, stop it, maybe delete it. */
export async function cleanUpAfterCancel(ctx: MigrationContext, deleteTask: boolean): Promise<void> {
  const { state } = ctx;
  if (state.taskId === undefined) {
    const { task } = await callActivity(
      state,
      'findTaskByName',
      READ_OPTIONS,
      `Look up task ${ctx.taskName} to stop it`,
      ctx.taskName,
    );
    if (!task) {
      log.info('cancelled before any remote task existed');
      return;
    }
    // A task found by name may be another running migration's (this one was refused adopting it): leave it.
    if (patched(Patch.RefuseOwnedTask) && (await ownerOf(ctx, task.taskId)) !== undefined) return;
    state.taskId = task.taskId;
    observeTask(ctx, task);
  }
  await stopRemoteTask(ctx);
  if (deleteTask) {
    enterPhase(ctx, 'deleting');
    await callActivity(state, 'deleteTask', IDEMPOTENT_WRITE_OPTIONS, `Delete ${taskLabel(ctx)}`, state.taskId);
  }
}

/**
 * Cleanup after a failure (input `onFailure`, run in a non-cancellable scope): stop the task this migration
 * created or adopted, and delete it when asked. Nothing is called when it cannot help: no task of this migration
 * exists (refused, or failed before creating one), the task is gone, or it already ended (FAILED, stopped
 * outside) and no delete was asked. Never throws: what happened is the answer.
 */
export async function cleanUpAfterFailure(ctx: MigrationContext, error: unknown): Promise<RemoteTaskCleanup> {
  const { state, input } = ctx;
  // DCS was out of reach for the whole tolerance: the cleanup waits up to as long again for it to come back (its
  // reads ride out the outage like the migration's did), then gives up saying the task may still run.
  if (failureType(error) === MigrationFailureType.DcsUnavailable) state.dcsUnreachableSince = undefined;
  if (state.taskId === undefined) {
    if (failureType(error) === MigrationFailureType.RemoteTaskOwned)
      return { action: 'left', reason: 'the task of the other migration was left alone' };
    const found = await taskOfLostCreate(ctx, error).catch((lookupError: unknown) => ({
      error: describeError(lookupError).message,
    }));
    if ('error' in found)
      return {
        action: 'not-stopped',
        error: `could not look for a task its last create call may have made: ${found.error}`,
      };
    if (!found.task) return { action: 'left', reason: 'no remote task was created' };
    state.taskId = found.task.taskId;
    observeTask(ctx, found.task);
  }
  const taskId = state.taskId;
  const onFailure = input.onFailure ?? 'stop';
  const statusClass = remoteStatusOf(ctx)?.statusClass ?? 'unknown';
  const known = (extra: Partial<RemoteTaskCleanup>): RemoteTaskCleanup =>
    ({ taskId, ...(state.remoteStatus ? { status: state.remoteStatus } : {}), ...extra }) as RemoteTaskCleanup;
  if (failureType(error) === MigrationFailureType.RemoteTaskMissing)
    return known({ action: 'left', reason: 'it no longer exists' });
  if (onFailure === 'keep') return known({ action: 'kept' });
  // The cutover's stop already waited its full bound: another round would not do better.
  if (failureType(error) === MigrationFailureType.RemoteTaskNotStopped)
    return known({ action: 'not-stopped', error: 'it did not reach a final status' });
  const ended = isFinalClass(statusClass);
  if (onFailure === 'stop' && (ended || statusClass === 'stopping'))
    return known({
      action: 'left',
      reason: ended ? 'it has already ended, nothing to stop' : 'it is already stopping',
    });
  try {
    if (!ended && (await stopRemoteTask(ctx)) === 'absent')
      return known({ action: 'left', reason: 'it no longer exists' });
    if (onFailure === 'delete') {
      enterPhase(ctx, 'deleting');
      await callActivity(
        state,
        'deleteTask',
        IDEMPOTENT_WRITE_OPTIONS,
        `Delete ${taskLabel(ctx)} (onFailure: delete)`,
        taskId,
      );
      return known({ action: 'deleted' });
    }
    return known({ action: 'stopped' });
  } catch (cleanupError) {
    log.warn('could not clean up the remote task after the failure', {
      taskId,
      error: describeError(cleanupError).message,
    });
    return known({ action: 'not-stopped', error: describeError(cleanupError).message });
  }
}

/** The failure to end with: `failure` with what was done to the remote task told in its message and details. */
export function withCleanup(failure: ApplicationFailure, cleanup: RemoteTaskCleanup): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${failure.message}; ${describeRemoteTaskCleanup(cleanup)}`,
    type: failure.type ?? MigrationFailureType.PollingFailed,
    nonRetryable: true,
    details: [...(failure.details ?? []), { remoteTask: cleanup }],
    ...(failure.cause ? { cause: failure.cause } : {}),
  });
}

const CREATE_ACTIVITIES = ['createOnlineTask', 'createLegacyOnlineTask', 'createBackupImportTask'] as const;

/**
 * The task a create call may have made although its answer was lost (the migration then failed before a lookup
 * found it: the create retries ran out, or the next lookup was refused). Only once a create was sent, and not
 * when the failure is a create refused for good (nothing was made). Looked up by name, and left alone if another
 * running migration drives it.
 */
async function taskOfLostCreate(ctx: MigrationContext, error: unknown): Promise<{ task?: RemoteTask }> {
  const { state } = ctx;
  if (!CREATE_ACTIVITIES.some((name) => (state.apiCalls[name] ?? 0) > 0)) return {};
  const refusedCreate =
    error instanceof ActivityFailure &&
    (CREATE_ACTIVITIES as readonly string[]).includes(error.activityType ?? '') &&
    isPermanentFailure(error);
  if (refusedCreate) return {};
  const { task } = await callActivity(
    state,
    'findTaskByName',
    READ_OPTIONS,
    `Look up task ${ctx.taskName} to stop it`,
    ctx.taskName,
  );
  if (!task || (await ownerOf(ctx, task.taskId)) !== undefined) return {};
  return { task };
}
