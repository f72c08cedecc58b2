/**
 * Stopping the remote task and waiting until DCS reports it stopped, for a cutover and for a cancellation (then
 * inside a non-cancellable scope). The stop call runs one attempt at a time with a fresh status read before
 * each, so it is never sent to a task that is already stopping or stopped, and a task that cannot be stopped
 * yet (still being provisioned) is retried until it can.
 */
import { isCancellation, log } from '@temporalio/workflow';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import { callActivity } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { classifyStatus, isFinalStatus } from '../../common/dcs-status.js';
import { IDEMPOTENT_WRITE_OPTIONS, READ_OPTIONS, SINGLE_ATTEMPT_OPTIONS } from '../retry-policy.js';
import { recordError } from '../state.js';
import { workflowFailure } from './failures.js';
import { pauseBeforeNextPoll } from './pause.js';
import { observeStatus, readTask, taskLabel } from './read-task.js';
import { countReadOutcome } from './watch.js';

/** Polls spent waiting for a stop before giving up (with the poll interval capped, this is hours on DCS). */
const MAX_STOP_POLLS = 400;

export async function stopRemoteTask(ctx: MigrationContext): Promise<void> {
  const { state } = ctx;
  enterPhase(ctx, 'stopping');
  state.timings.stopRequestedAt ??= new Date().toISOString();
  for (let poll = 0; ; poll++) {
    const read = await readTask(ctx);
    countReadOutcome(ctx, read);
    if (read.kind === 'absent') return;
    if (read.kind === 'found') {
      observeStatus(ctx, read.task.status, read.task);
      if (isFinalStatus(read.task.status)) return;
      if (classifyStatus(read.task.status) !== 'stopping') {
        try {
          const { status } = await callActivity(state, 'stopTask', SINGLE_ATTEMPT_OPTIONS, `Stop ${taskLabel(ctx)}`, state.taskId!);
          observeStatus(ctx, status);
          if (isFinalStatus(status)) return;
        } catch (error) {
          if (isCancellation(error)) throw error;
          // Refused (e.g. the migration machine is still being created) or lost: read again and retry.
          recordError(state, error, new Date());
          publish(ctx);
        }
      }
    }
    if (poll >= MAX_STOP_POLLS) {
      throw workflowFailure(`remote ${taskLabel(ctx)} did not stop (last status ${state.remoteStatus ?? 'unknown'})`, MigrationFailureType.RemoteTaskNotStopped);
    }
    await pauseBeforeNextPoll(ctx, { allowContinueAsNew: false });
  }
}

/** Cleanup after a cancellation: find the task even if its creation was never recorded, stop it, maybe delete it. */
export async function cleanUpAfterCancel(ctx: MigrationContext, deleteTask: boolean): Promise<void> {
  const { state } = ctx;
  if (state.taskId === undefined) {
    const { task } = await callActivity(state, 'findTaskByName', READ_OPTIONS, `Look up task ${ctx.taskName} to stop it`, ctx.taskName);
    if (!task) {
      log.info('cancelled before any remote task existed');
      return;
    }
    state.taskId = task.taskId;
    observeStatus(ctx, task.status, task);
  }
  await stopRemoteTask(ctx);
  if (deleteTask) {
    enterPhase(ctx, 'deleting');
    await callActivity(state, 'deleteTask', IDEMPOTENT_WRITE_OPTIONS, `Delete ${taskLabel(ctx)}`, state.taskId);
  }
}
