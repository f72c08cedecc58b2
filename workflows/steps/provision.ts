/**
 * Online migration, between creation and data movement: wait for DCS to provision the migration machine (its
 * job, or the task reaching RUNNING), then configure the task once. Configuring is a single-attempt call; after
 * a failure the task status is read again, and a task already past RUNNING counts as configured, so a lost
 * response never leads to configuring a running migration twice.
 */
import { isCancellation, log } from '@temporalio/workflow';
import type { MigrationInputOf } from '../../common/migration-input.js';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import { callActivity, isPermanentFailure } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { classifyJobStatus, TaskStatus } from '../../common/dcs-status.js';
import { MAX_WRITE_TRIES, READ_OPTIONS, SINGLE_ATTEMPT_OPTIONS } from '../retry-policy.js';
import { recordError } from '../state.js';
import { remoteTaskFailed, workflowFailure } from './failures.js';
import { pauseBeforeNextPoll } from './pause.js';
import { after, done, fail, noteUnknownStatus, pollTask, WAIT, type PollDecision } from './poll-task.js';
import { observeStatus, taskLabel } from './read-task.js';

/** Returns the poll loop's own promise (no `await` of its own: see `poll-task.ts`). */
export function provisionAndConfigure(ctx: MigrationContext): Promise<void> {
  const { state, input } = ctx;
  if (input.kind !== 'online' || state.configured) return Promise.resolve();
  enterPhase(ctx, 'provisioning');
  const configure = configureOnce(ctx, input);
  return pollTask(ctx, {
    start: () => (state.jobId !== undefined ? waitForJob(ctx, state.jobId) : undefined),
    absent: () =>
      fail(
        workflowFailure(
          `remote ${taskLabel(ctx)} disappeared while being provisioned`,
          MigrationFailureType.RemoteTaskMissing,
        ),
      ),
    count: ({ statusClass }) => noteUnknownStatus(ctx, statusClass === 'unknown'),
    found: (task, { statusClass, known }) => {
      if (statusClass === 'failed') return fail(remoteTaskFailed(ctx, task.errorMessage));
      if (statusClass === 'awaiting-configuration') return configure();
      if (known !== undefined && known !== TaskStatus.Creating) {
        // Past RUNNING: an earlier configure call went through even though its answer was lost.
        log.info('task already configured', { taskId: state.taskId, status: task.status });
        state.configured = true;
        return done(undefined);
      }
      return WAIT;
    },
    wait: () => pauseBeforeNextPoll(ctx),
  });
}

/**
 * The decision on a task waiting for its configuration: configure it (one attempt), done once DCS accepted; after
 * a failure, read again and retry, up to {@link MAX_WRITE_TRIES} tries; a permanent refusal while the task still
 * waits for its configuration is final (bad source address…).
 */
function configureOnce(ctx: MigrationContext, input: MigrationInputOf<'online'>): () => PollDecision<void> {
  const { state } = ctx;
  let failures = 0;
  let lastError: unknown;
  return () => {
    if (lastError !== undefined && isPermanentFailure(lastError)) return fail(lastError);
    if (failures >= MAX_WRITE_TRIES) return fail(lastError);
    enterPhase(ctx, 'configuring');
    const configuring = callActivity(
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
    return after(configuring, (outcome) => {
      if ('value' in outcome) {
        state.configured = true;
        observeStatus(ctx, outcome.value.status);
        return done(undefined);
      }
      if (isCancellation(outcome.error)) return fail(outcome.error);
      failures += 1;
      lastError = outcome.error;
      recordError(state, outcome.error, new Date());
      publish(ctx);
      return WAIT;
    });
  };
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
