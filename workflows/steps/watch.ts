/**
 * Watching the running task until it ends: a full migration or backup import until SUCCESS, an incremental one
 * until it reaches the incremental steady state (common/dcs-status.ts) and then through the hold, which ends as the
 * cutover policy decides (`cutover-gate.ts`: an operator's request or `auto`, the lag gate, the window, the deadline).
 */
import { isCancellation, patched } from '@temporalio/workflow';
import type { RemoteTask } from '../../activities/results.js';
import type { StatusReading } from '../../common/dcs-status.js';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import { callActivity } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { Patch } from '../patches.js';
import { READ_OPTIONS } from '../retry-policy.js';
import { recordError } from '../state.js';
import { breakGateRun, gateArmed, holdEnds, holdWaitCapMs, wakesOnRequest, type GateReading } from './cutover-gate.js';
import { remoteTaskFailed, workflowFailure } from './failures.js';
import { waitForNextRead } from './next-read.js';
import { after, done, fail, noteUnknownStatus, pollTask, WAIT, type PollDecision } from './poll-task.js';
import { readPlan, refineDue, trackProgress } from './predict.js';
import { taskLabel } from './read-task.js';
import { handleTaskFailure, noteStatusAfterRestart } from './restart.js';

export type WatchOutcome = 'succeeded' | 'hold-ended';

/** Returns the poll loop's own promise (no `await` of its own: see `poll-task.ts`). */
export function watchTask(ctx: MigrationContext): Promise<WatchOutcome> {
  const { state } = ctx;
  if (state.phase !== 'incremental-hold') enterPhase(ctx, 'migrating');
  state.timings.migratingAt ??= new Date().toISOString();
  return pollTask<WatchOutcome, boolean>(ctx, {
    absent: () =>
      fail(
        workflowFailure(
          `remote ${taskLabel(ctx)} no longer exists (deleted outside dcs-migrate?)`,
          MigrationFailureType.RemoteTaskMissing,
        ),
      ),
    count: ({ statusClass }) => {
      noteUnknownStatus(ctx, statusClass === 'unknown');
      noteStatusAfterRestart(ctx, statusClass === 'failed');
    },
    // Progress, while the task copies or follows changes: when due, or to refine the estimate of the copy's end.
    readMore: (_task, { statusClass }) =>
      (statusClass === 'pending' || statusClass === 'incremental') &&
      ctx.input.kind !== 'backup_import' &&
      (progressDue(ctx) || refineDue(ctx))
        ? refreshProgress(ctx)
        : undefined,
    found: (task, reading, progressRead) =>
      decide(
        ctx,
        task,
        reading,
        progressRead === undefined ? undefined : progressRead ? { offset: state.progress?.offset } : 'failed',
      ),
    // Shared polling hands over what the watcher saw; otherwise (and on each confirm) the task is read again.
    wait: () => waitForNextRead(ctx, { ...readPlan(ctx), wakeOn: wakesOnRequest(ctx), capMs: holdWaitCapMs(ctx) }),
  });
}

/** The watch's decision on a read: succeeded, failed (restart, or fail), stopped outside, the hold (does it end?), else wait. */
function decide(
  ctx: MigrationContext,
  task: RemoteTask,
  { statusClass }: StatusReading,
  progress: GateReading,
): PollDecision<WatchOutcome> {
  const { state } = ctx;
  if (statusClass !== 'incremental' && state.phase === 'incremental-hold') breakGateRun(ctx);
  switch (statusClass) {
    case 'succeeded':
      return done('succeeded');
    case 'failed':
      // Runs recorded before the patch fail at once, without reading the task's log.
      if (!patched(Patch.TaskLogsAndRestart)) return fail(remoteTaskFailed(ctx, task.errorMessage));
      // Restarted (then watched again), or the failure to end with.
      return after(handleTaskFailure(ctx, task), (outcome) => ('error' in outcome ? fail(outcome.error) : WAIT));
    case 'stopping':
    case 'stopped':
      return fail(
        workflowFailure(
          `remote ${taskLabel(ctx)} was stopped outside dcs-migrate (status ${task.status})`,
          MigrationFailureType.RemoteTaskFailed,
          {
            taskId: state.taskId,
            status: task.status,
          },
        ),
      );
    case 'incremental':
      if (state.phase !== 'incremental-hold') {
        state.timings.holdStartedAt ??= new Date().toISOString();
        enterPhase(ctx, 'incremental-hold');
      }
      return holdEnds(ctx, progress) ? done('hold-ended') : WAIT;
    default:
      return WAIT;
  }
}

/**
 * Progress is read when the status just changed, when it was never read, and then at most every
 * `progressInterval`: on a long hold it is what costs the most calls, and an operator needs it by the minute, not
 * by the poll. Runs recorded before this rule existed read it on every poll (the patch keeps them replayable).
 */
function progressDue(ctx: MigrationContext): boolean {
  const { state, input } = ctx;
  if (!patched(Patch.ProgressInterval)) return true;
  // The cutover gate counts offsets: while it waits for them, each poll reads one.
  if (gateArmed(ctx)) return true;
  if (state.unchangedPolls === 0 || state.progressReadAt === undefined) return true;
  return Date.now() - Date.parse(state.progressReadAt) >= input.polling.progressInterval;
}

/** Progress figures are a nicety: a failed stats call is recorded, never fatal (false; the cutover gate counts it). */
async function refreshProgress(ctx: MigrationContext): Promise<boolean> {
  const { state } = ctx;
  state.progressReadAt = new Date().toISOString();
  try {
    const { progress } = await callActivity(
      state,
      'showTaskStats',
      READ_OPTIONS,
      `Show progress of task ${state.taskId}`,
      state.taskId!,
    );
    state.progress = progress;
    trackProgress(ctx);
    publish(ctx);
    return true;
  } catch (error) {
    if (isCancellation(error)) throw error;
    recordError(state, error, new Date());
    return false;
  }
}
