/**
 * Online migration, between creation and data movement: wait for DCS to provision the migration machine (its
 * job, or the task reaching RUNNING), then configure the task once. Configuring is a single-attempt call; after
 * a failure the task status is read again, and a task already past RUNNING counts as configured, so a lost
 * response never leads to configuring a running migration twice.
 */
import { isCancellation, log } from '@temporalio/workflow';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import { callActivity, isPermanentFailure } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { classifyJobStatus, classifyStatus, normalizeStatus, TaskStatus } from '../../common/dcs-status.js';
import { MAX_WRITE_TRIES, READ_OPTIONS, SINGLE_ATTEMPT_OPTIONS } from '../retry-policy.js';
import { recordError } from '../state.js';
import { remoteTaskFailed, workflowFailure } from './failures.js';
import { pauseBeforeNextPoll } from './pause.js';
import { observeStatus, readTask, taskLabel } from './read-task.js';
import { countReadOutcome, noteUnknownStatus } from './watch.js';

export async function provisionAndConfigure(ctx: MigrationContext): Promise<void> {
  const { state, input } = ctx;
  if (input.kind !== 'online' || state.configured) return;
  enterPhase(ctx, 'provisioning');
  if (state.jobId !== undefined) await waitForJob(ctx, state.jobId);

  let configureFailures = 0;
  let lastConfigureError: unknown;
  for (;;) {
    const read = await readTask(ctx);
    countReadOutcome(ctx, read);
    if (read.kind === 'absent') throw workflowFailure(`remote ${taskLabel(ctx)} disappeared while being provisioned`, MigrationFailureType.RemoteTaskMissing);
    if (read.kind === 'found') {
      observeStatus(ctx, read.task.status, read.task);
      const statusClass = classifyStatus(read.task.status);
      noteUnknownStatus(ctx, statusClass === 'unknown');
      if (statusClass === 'failed') throw remoteTaskFailed(ctx, read.task.errorMessage);
      if (statusClass === 'awaiting-configuration') {
        // A permanent refusal while the task still waits for its configuration is final (bad source address…).
        if (lastConfigureError !== undefined && isPermanentFailure(lastConfigureError)) throw lastConfigureError;
        if (configureFailures >= MAX_WRITE_TRIES) throw lastConfigureError;
        enterPhase(ctx, 'configuring');
        try {
          const { status } = await callActivity(
            state,
            'configureOnlineTask',
            SINGLE_ATTEMPT_OPTIONS,
            `Configure ${taskLabel(ctx)}: ${input.method}`,
            state.taskId!,
            {
              method: input.method,
              resumeMode: input.resumeMode,
              bandwidthLimitMb: input.bandwidthLimitMb,
              source: input.source,
              target: input.target,
            },
          );
          state.configured = true;
          observeStatus(ctx, status);
          return;
        } catch (error) {
          if (isCancellation(error)) throw error;
          configureFailures += 1;
          lastConfigureError = error;
          recordError(state, error, new Date());
          publish(ctx);
        }
      } else if (normalizeStatus(read.task.status) !== TaskStatus.Creating && statusClass !== 'unknown') {
        // Past RUNNING: an earlier configure call went through even though its answer was lost.
        log.info('task already configured', { taskId: state.taskId, status: read.task.status });
        state.configured = true;
        return;
      }
    }
    await pauseBeforeNextPoll(ctx);
  }
}

async function waitForJob(ctx: MigrationContext, jobId: string): Promise<void> {
  const { state } = ctx;
  for (;;) {
    try {
      const job = await callActivity(state, 'showJob', READ_OPTIONS, `Show provisioning job ${jobId}`, jobId);
      const jobClass = classifyJobStatus(job.status);
      if (jobClass === 'succeeded') return;
      if (jobClass === 'failed') {
        throw workflowFailure(
          `provisioning job ${jobId} of ${taskLabel(ctx)} failed: ${job.failReason?.trim() || 'DCS gave no reason'}`,
          MigrationFailureType.RemoteJobFailed,
          { jobId, failReason: job.failReason },
        );
      }
    } catch (error) {
      if (isCancellation(error) || isPermanentFailure(error)) throw error;
      // Transient failures exhausted: the task status tells the same story, so fall back to it.
      recordError(state, error, new Date());
      return;
    }
    state.unchangedPolls += 1;
    await pauseBeforeNextPoll(ctx);
  }
}
