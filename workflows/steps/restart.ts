/**
 * What happens when the remote task ends FAILED (runs that took the `task-logs-and-restart` patch): the end of
 * its log is read (scrubbed by the activity), and then either
 * - the task failed on a lost connection and the input's `restart` policy has restarts left: wait its backoff
 *   (an operator's `restart` update cuts the wait short), restart the same task, and keep watching;
 * - or, with `restart.waitForOperator`, wait that long for an operator's `restart`;
 * - or fail, the failure carrying the last log entries.
 * A restart is always BatchRestartOnlineMigrationTasks on the one task id: never a new task.
 */
import { condition, isCancellation, log } from '@temporalio/workflow';
import type { RemoteTask } from '../../activities/results.js';
import { retryDelayMs } from '../../common/backoff.js';
import { failedOnLostConnection } from '../../common/task-failure.js';
import { MigrationFailureType, type MigrationRestart, type TaskLogEntry } from '../../common/workflow-contract.js';
import { callActivity } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { LOG_READ_OPTIONS, RESTART_OPTIONS } from '../retry-policy.js';
import { recordError } from '../state.js';
import { remoteTaskFailed, workflowFailure } from './failures.js';
import { observeTask, readTask, taskLabel } from './read-task.js';

/** Log entries read after a failure (ERROR ones: what the failure and the decision need). */
const FAILURE_LOG_ENTRIES = 5;

/**
 * Reads of FAILED after a restart that may still be the old failure (DCS may not show the restart at once; the
 * emulator does). A new failure is told by a new ERROR entry in the task's log; without a readable log, after
 * this many reads the failure counts as a new one.
 */
const SETTLE_READS = 3;

/** Clears the restart's settling once the task shows any status other than FAILED. */
export function noteStatusAfterRestart(ctx: MigrationContext, failed: boolean): void {
  if (!failed) ctx.state.readsSinceRestart = undefined;
}

/** True when a FAILED read right after a restart is still the failure that was restarted. */
function oldFailureStill(ctx: MigrationContext, errorEntries: number | undefined): boolean {
  const { state } = ctx;
  if (state.readsSinceRestart === undefined) return false;
  const newError = errorEntries !== undefined && errorEntries > (state.errorEntriesAtRestart ?? 0);
  if (newError || state.readsSinceRestart >= SETTLE_READS) {
    state.readsSinceRestart = undefined;
    return false;
  }
  state.readsSinceRestart += 1;
  return true;
}

/** Returns once the task was restarted; throws the failure the migration ends with otherwise. */
export async function handleTaskFailure(ctx: MigrationContext, task: RemoteTask): Promise<void> {
  const { state, input } = ctx;
  const { entries, total } = await lastErrorEntries(ctx);
  if (oldFailureStill(ctx, total)) return;
  const reason = failureReason(task.errorMessage, entries);
  const policy = input.kind === 'backup_import' ? undefined : input.restart;
  const onConnection = failedOnLostConnection(task.errorMessage, entries);
  const byPolicy = state.restarts?.byPolicy ?? 0;
  if (policy && onConnection && byPolicy < policy.maxAttempts) {
    const waitMs = retryDelayMs(byPolicy + 1, undefined, {
      initialMs: policy.backoff.initial,
      factor: policy.backoff.factor,
      maxMs: policy.backoff.max,
    });
    log.info('remote task lost its connection: restarting it', {
      taskId: state.taskId,
      restart: byPolicy + 1,
      of: policy.maxAttempts,
      waitMs,
    });
    const operator = await waitForRestart(ctx, waitMs, 'policy', reason);
    await restartTask(ctx, operator ? 'operator' : 'policy', reason, total);
    return;
  }
  if (policy && policy.waitForOperator > 0) {
    log.info('remote task failed: waiting for an operator restart', {
      taskId: state.taskId,
      waitMs: policy.waitForOperator,
    });
    if (await waitForRestart(ctx, policy.waitForOperator, 'operator', reason)) {
      await restartTask(ctx, 'operator', reason, total);
      return;
    }
  }
  throw remoteTaskFailed(ctx, task.errorMessage, entries, policyNote(ctx, onConnection));
}

/** What the restart policy did, for the failure message (nothing when there is no policy). */
function policyNote(ctx: MigrationContext, onConnection: boolean): string | undefined {
  const policy = ctx.input.kind === 'backup_import' ? undefined : ctx.input.restart;
  if (!policy) return undefined;
  const count = ctx.state.restarts?.count ?? 0;
  const waited =
    policy.waitForOperator > 0
      ? `; no dcs-migrate restart within restart.waitForOperator (${policy.waitForOperator} ms)`
      : '';
  if (!onConnection)
    return `not restarted: not a lost connection${count > 0 ? ` (restarted ${count} time(s) before)` : ''}${waited}`;
  return `not restarted again: restart.maxAttempts (${policy.maxAttempts}) used up after ${count} restart(s)${waited}`;
}

/**
 * The task's last ERROR log entries and how many it has; none (total unknown) when the log cannot be read: the
 * failure is reported without them.
 */
async function lastErrorEntries(
  ctx: MigrationContext,
): Promise<{ entries: TaskLogEntry[]; total: number | undefined }> {
  const { state, input } = ctx;
  const secretRefs = [
    ...('source' in input && input.source.password ? [input.source.password] : []),
    ...(input.target.password ? [input.target.password] : []),
    ...(input.verify?.source.password ? [input.verify.source.password] : []),
    ...(input.verify?.target.password ? [input.verify.target.password] : []),
  ];
  try {
    return await callActivity(state, 'readTaskLog', LOG_READ_OPTIONS, `Read the log of task ${state.taskId}`, {
      taskId: state.taskId!,
      last: FAILURE_LOG_ENTRIES,
      level: 'ERROR',
      secretRefs,
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    recordError(state, error, new Date());
    return { entries: [], total: undefined };
  }
}

/** One line saying why the task failed: its error message, else its last ERROR entry. */
function failureReason(errorMessage: string | undefined, entries: TaskLogEntry[]): string {
  const text = errorMessage?.trim() || entries.at(-1)?.message || 'DCS gave no error message';
  return text.slice(0, 500);
}

/**
 * Waits up to `ms` for an operator's `restart` (which the update accepts only while this wait is pending).
 * Returns true when the operator asked.
 */
async function waitForRestart(
  ctx: MigrationContext,
  ms: number,
  by: 'policy' | 'operator',
  reason: string,
): Promise<boolean> {
  const { state } = ctx;
  state.restartPending = { until: new Date(Date.now() + ms).toISOString(), by, reason };
  publish(ctx);
  try {
    // An update accepted in the activation that also fired the timer still counts.
    return (await condition(() => state.operatorRestart !== undefined, ms)) || state.operatorRestart !== undefined;
  } finally {
    state.restartPending = undefined;
    publish(ctx);
  }
}

/** BatchRestartOnlineMigrationTasks on the task; a refusal fails the migration unless the task runs anyway. */
async function restartTask(
  ctx: MigrationContext,
  by: 'policy' | 'operator',
  reason: string,
  errorEntries: number | undefined,
): Promise<void> {
  const { state } = ctx;
  const taskId = state.taskId!;
  const answer = await callActivity(state, 'restartTask', RESTART_OPTIONS, `Restart ${taskLabel(ctx)}`, taskId);
  if (!answer.delivered) {
    // A `failed` item after a retried call may mean the first attempt restarted it: the task tells.
    const read = await readTask(ctx);
    const statusClass = read.kind === 'found' ? observeTask(ctx, read.task).statusClass : undefined;
    if (statusClass !== 'pending' && statusClass !== 'incremental') {
      throw workflowFailure(
        `DCS refused to restart ${taskLabel(ctx)}: ${answer.errorCode ? `${answer.errorCode} ` : ''}${answer.errorMessage ?? ''} (it had failed: ${reason})`,
        MigrationFailureType.RestartFailed,
        { taskId, errorCode: answer.errorCode, reason },
      );
    }
  }
  const note = by === 'operator' ? state.operatorRestart?.note : undefined;
  const last: MigrationRestart = { at: new Date().toISOString(), by, reason, ...(note ? { note } : {}) };
  state.restarts = {
    count: (state.restarts?.count ?? 0) + 1,
    byPolicy: (state.restarts?.byPolicy ?? 0) + (by === 'policy' ? 1 : 0),
    last,
  };
  state.operatorRestart = undefined;
  state.readsSinceRestart = 0;
  state.errorEntriesAtRestart = errorEntries;
  log.info('remote task restarted', { taskId, by, restarts: state.restarts.count });
  // A restart copies again from the start: the migration is migrating until the task is back in sync.
  enterPhase(ctx, 'migrating');
}
