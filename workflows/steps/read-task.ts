/**
 * Reading the remote task: the list API filtered by the exact task name (paginated by the activity) is the
 * authoritative source (after a delete, Show may still answer SUCCESS; docs/dcs-api.md §6.6), with Show by id as the
 * fallback when the list fails or does not show the task.
 */
import { isCancellation } from '@temporalio/workflow';
import type { RemoteTask } from '../../activities/results.js';
import { readStatus, type AnyTaskStatus, type StatusReading } from '../../common/dcs-status.js';
import { callActivity, isPermanentFailure } from '../api.js';
import { publish, type MigrationContext } from '../context.js';
import { countFailedPoll } from '../metrics.js';
import { recordError } from '../state.js';
import { countsAsOutage, readOptions } from './outage.js';

/** `unreachable` with `outage`: the reads failed for DCS being unavailable, which the tolerance rule counts (`outage.ts`). */
export type ReadResult =
  { kind: 'found'; task: RemoteTask } | { kind: 'absent' } | { kind: 'unreachable'; outage?: true };

/** Looks the task up by name (then by id). 4xx failures are thrown; transient ones exhausted give `unreachable`. */
export async function readTask(ctx: MigrationContext): Promise<ReadResult> {
  const { state } = ctx;
  let listFailed = false;
  const startedAt = Date.now();
  try {
    const { task } = await callActivity(
      state,
      'findTaskByName',
      readOptions(ctx),
      `List tasks named ${ctx.taskName}`,
      ctx.taskName,
    );
    if (task && (state.taskId === undefined || task.taskId === state.taskId)) return { kind: 'found', task };
  } catch (error) {
    if (isCancellation(error) || isPermanentFailure(error)) throw error;
    recordError(state, error, new Date());
    // DCS did not answer the list: a Show would not be answered either.
    if (countsAsOutage(ctx, error, startedAt)) return unreachable(ctx, true);
    listFailed = true;
  }
  if (state.taskId === undefined) return listFailed ? unreachable(ctx) : { kind: 'absent' };
  try {
    const { task } = await callActivity(state, 'showTask', readOptions(ctx), `Show task ${state.taskId}`, state.taskId);
    return task ? { kind: 'found', task } : { kind: 'absent' };
  } catch (error) {
    if (isCancellation(error) || isPermanentFailure(error)) throw error;
    recordError(state, error, new Date());
    return unreachable(ctx, countsAsOutage(ctx, error, startedAt));
  }
}

function unreachable(ctx: MigrationContext, outage = false): ReadResult {
  countFailedPoll(ctx);
  return outage ? { kind: 'unreachable', outage } : { kind: 'unreachable' };
}

/**
 * Records what a read or a write answered about the task, resetting the adaptive interval on change; returns what
 * the status answered means (none when it answered none).
 */
export function observeStatus(
  ctx: MigrationContext,
  status: AnyTaskStatus | undefined,
  task?: RemoteTask,
): StatusReading | undefined {
  const { state } = ctx;
  if (task) {
    state.taskId ??= task.taskId;
    state.taskName = task.taskName;
    // A task in hand is a successful read (by this workflow, or by the shared watcher it waited on).
    state.statusReadAt = new Date().toISOString();
  }
  if (status !== undefined && status !== state.remoteStatus) {
    state.remoteStatus = status;
    state.unchangedPolls = 0;
  } else {
    state.unchangedPolls += 1;
  }
  publish(ctx);
  return status === undefined ? undefined : readingOf(ctx, status);
}

/** Records a task in hand (read by this workflow, or by the shared watcher it waited on); returns what its status means. */
export function observeTask(ctx: MigrationContext, task: RemoteTask): StatusReading {
  observeStatus(ctx, task.status, task);
  return readingOf(ctx, task.status);
}

/**
 * What the task's current status (`state.remoteStatus`) means, or undefined before any status is known. Every
 * step decides on this (or on what `observeStatus` / `observeTask` return), never on the string: the status is
 * classified once per status read (`readStatus`), whatever set it.
 */
export function remoteStatusOf(ctx: MigrationContext): StatusReading | undefined {
  const status = ctx.state.remoteStatus;
  return status === undefined ? undefined : readingOf(ctx, status);
}

function readingOf(ctx: MigrationContext, status: AnyTaskStatus): StatusReading {
  if (ctx.statusReading?.status !== status) ctx.statusReading = readStatus(status);
  return ctx.statusReading;
}

/** For log lines and failure messages. */
export function taskLabel(ctx: MigrationContext): string {
  return ctx.state.taskId ? `task ${ctx.state.taskId} (${ctx.taskName})` : `task ${ctx.taskName}`;
}
