/**
 * Watching the running task until it ends: a full migration or backup import until SUCCESS, an incremental one
 * until it reaches the incremental steady state (common/dcs-status.ts) and then through the hold, which ends as the
 * cutover policy decides (`cutover-gate.ts`: an operator's request or `auto`, the lag gate, the window, the deadline).
 */
import { isCancellation, log, patched } from '@temporalio/workflow';
import type { RemoteTask } from '../../activities/results.js';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import { callActivity } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { classifyStatus } from '../../common/dcs-status.js';
import { READ_OPTIONS } from '../retry-policy.js';
import { Patch } from '../patches.js';
import { recordError } from '../state.js';
import { breakGateRun, gateArmed, holdEnds, holdWaitCapMs, wakesOnRequest, type GateReading } from './cutover-gate.js';
import { remoteTaskFailed, workflowFailure } from './failures.js';
import { waitForNextRead } from './next-read.js';
import { readPlan, refineDue, trackProgress } from './predict.js';
import { observeStatus, readTask, taskLabel, type ReadResult } from './read-task.js';
import { handleTaskFailure, noteStatusAfterRestart } from './restart.js';

export type WatchOutcome = 'succeeded' | 'hold-ended';

export async function watchTask(ctx: MigrationContext): Promise<WatchOutcome> {
  const { state } = ctx;
  if (state.phase !== 'incremental-hold') enterPhase(ctx, 'migrating');
  state.timings.migratingAt ??= new Date().toISOString();
  // Shared polling hands over what the watcher saw; otherwise (and on each confirm) the task is read here.
  let seen: RemoteTask | undefined;
  for (;;) {
    const read: ReadResult = seen ? { kind: 'found', task: seen } : await readTask(ctx);
    countReadOutcome(ctx, read);
    if (read.kind === 'absent')
      throw workflowFailure(`remote ${taskLabel(ctx)} no longer exists (deleted outside dcs-migrate?)`, MigrationFailureType.RemoteTaskMissing);
    if (read.kind === 'found') {
      observeStatus(ctx, read.task.status, read.task);
      const statusClass = classifyStatus(read.task.status);
      noteUnknownStatus(ctx, statusClass === 'unknown');
      noteStatusAfterRestart(ctx, statusClass === 'failed');
      let reading: GateReading;
      if ((statusClass === 'pending' || statusClass === 'incremental') && ctx.input.kind !== 'backup_import' && (progressDue(ctx) || refineDue(ctx)))
        reading = (await refreshProgress(ctx)) ? { offset: state.progress?.offset } : 'failed';
      if (statusClass !== 'incremental' && state.phase === 'incremental-hold') breakGateRun(ctx);
      switch (statusClass) {
        case 'succeeded':
          return 'succeeded';
        case 'failed':
          // Runs recorded before the patch fail at once, without reading the task's log.
          if (!patched(Patch.TaskLogsAndRestart)) throw remoteTaskFailed(ctx, read.task.errorMessage);
          await handleTaskFailure(ctx, read.task);
          break;
        case 'stopping':
        case 'stopped':
          throw workflowFailure(
            `remote ${taskLabel(ctx)} was stopped outside dcs-migrate (status ${read.task.status})`,
            MigrationFailureType.RemoteTaskFailed,
            { taskId: state.taskId, status: read.task.status },
          );
        case 'incremental':
          if (state.phase !== 'incremental-hold') {
            state.timings.holdStartedAt ??= new Date().toISOString();
            enterPhase(ctx, 'incremental-hold');
          }
          if (holdEnds(ctx, reading)) return 'hold-ended';
          break;
        default:
          break;
      }
    }
    seen = await waitForNextRead(ctx, { ...readPlan(ctx), wakeOn: wakesOnRequest(ctx), capMs: holdWaitCapMs(ctx) });
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
    const { progress } = await callActivity(state, 'showTaskStats', READ_OPTIONS, `Show progress of task ${state.taskId}`, state.taskId!);
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

/** Gives up after `maxFailedPolls` consecutive polls whose reads all failed after their own retries. */
export function countReadOutcome(ctx: MigrationContext, read: ReadResult): void {
  const { state, input } = ctx;
  if (read.kind !== 'unreachable') {
    state.failedPolls = 0;
    return;
  }
  state.failedPolls += 1;
  if (state.failedPolls >= input.polling.maxFailedPolls) {
    throw workflowFailure(
      `could not read the status of ${taskLabel(ctx)} in ${state.failedPolls} consecutive polls; last error: ${state.lastError?.message ?? 'unknown'}`,
      MigrationFailureType.PollingFailed,
    );
  }
}

/** Unknown statuses are treated as pending for `maxUnknownStatusPolls` polls in a row, then the workflow fails. */
export function noteUnknownStatus(ctx: MigrationContext, unknown: boolean): void {
  const { state, input } = ctx;
  if (!unknown) {
    state.unknownStatusPolls = 0;
    return;
  }
  state.unknownStatusPolls += 1;
  log.warn('unknown remote status, treating it as pending', { status: state.remoteStatus, polls: state.unknownStatusPolls });
  if (state.unknownStatusPolls >= input.polling.maxUnknownStatusPolls) {
    throw workflowFailure(
      `remote ${taskLabel(ctx)} reported the unknown status ${state.remoteStatus ?? '(none)'} for ${state.unknownStatusPolls} polls`,
      MigrationFailureType.UnknownRemoteStatus,
      { status: state.remoteStatus },
    );
  }
}
