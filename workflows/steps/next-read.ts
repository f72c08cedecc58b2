/**
 * What happens between two reads of the remote task while it runs.
 *
 * - `per-task` polling: a timer (`pauseBeforeNextPoll`); the caller then reads the task.
 * - `shared` polling: a wait on the worker's shared status watcher (`awaitStatusChange`). It ends early when the
 *   watcher sees the task change, handing over what it saw so the caller needs no read of its own; otherwise it
 *   ends after `confirmInterval` (or at `capMs`), and the caller reads the task itself, which catches anything
 *   the watcher missed. If the watcher cannot list, or the worker has none, the workflow falls back to per-task
 *   polling for the next wait.
 */
import { CancellationScope, condition, isCancellation, log } from '@temporalio/workflow';
import type { RemoteTask, StatusWait, StatusWaitRequest } from '../../activities/results.js';
import { runActivity } from '../api.js';
import type { MigrationContext } from '../context.js';
import { migrationTypeOf } from '../migration-type.js';
import { denseIntervalMs, denseLeadMs, missWindowMs, refineLeadsMs } from '../poll-interval.js';
import { watchOptions } from '../retry-policy.js';
import { recordError } from '../state.js';
import { countPoll, pauseBeforeNextPoll, type PauseOptions } from './pause.js';

/** Waits before the next read; returns the task when the shared watcher already saw it change. */
export async function waitForNextRead(
  ctx: MigrationContext,
  options: PauseOptions = {},
): Promise<RemoteTask | undefined> {
  const { state, input } = ctx;
  if (input.polling.mode !== 'shared' || state.taskId === undefined || ctx.sharedWatcherUnusable) {
    ctx.sharedWatcherUnusable = false;
    await pauseBeforeNextPoll(ctx, options);
    return undefined;
  }
  await countPoll(ctx, options);
  const predicted = options.expectedAt === undefined ? undefined : watcherPlan(options.expectedAt, input.polling);
  const maxWaitMs = Math.max(
    1,
    Math.min(input.polling.confirmInterval, options.capMs ?? Infinity, predicted?.wakeInMs ?? Infinity),
  );
  let change: StatusWait | 'woken';
  try {
    change = await waitOnWatcher(ctx, state.taskId, maxWaitMs, options.wakeOn, predicted?.due);
  } catch (error) {
    if (isCancellation(error)) throw error;
    // No watcher on this worker, or the wait itself kept failing: poll on a timer next time.
    recordError(state, error, new Date());
    ctx.sharedWatcherUnusable = true;
    return undefined;
  }
  // Counted whether the watcher answered or a cutover request ended the wait: either way the workflow waited on
  // the watcher instead of a timer (a migration that reaches the hold on its first read waits there only once).
  state.watcherWaits = (state.watcherWaits ?? 0) + 1;
  if (change === 'woken') return undefined;
  switch (change.kind) {
    case 'changed':
      return change.task;
    case 'watcher-failing':
      log.warn('the shared status watcher cannot list tasks; polling on a timer until it recovers', {
        error: change.error,
      });
      recordError(state, Object.assign(new Error(change.error), { type: 'StatusWatcherFailing' }), new Date());
      ctx.sharedWatcherUnusable = true;
      return undefined;
    default:
      // 'timeout' (time to confirm) or 'absent' (the watcher's listing lacked the task): the caller reads it.
      return undefined;
  }
}

/**
 * Predictive polling in shared mode: the workflow wakes for each refining read before the estimate and once the
 * dense window after it has passed (it re-plans then); in between it asks the watcher for rounds at the dense
 * times (`dueAt`, then every `dueEveryMs`), so a change at the estimate is listed within seconds.
 */
function watcherPlan(
  expectedAt: number,
  polling: MigrationContext['input']['polling'],
): { wakeInMs: number; due?: WatcherDue } {
  const now = Date.now();
  const dense = denseIntervalMs(polling);
  const refineAt = refineLeadsMs(polling)
    .map((lead) => expectedAt - lead)
    .find((at) => at > now + dense);
  if (refineAt !== undefined) return { wakeInMs: refineAt - now };
  return {
    wakeInMs: Math.max(dense, expectedAt + missWindowMs(polling) - now),
    due: { dueAt: Math.max(now, expectedAt - denseLeadMs(polling)), dueEveryMs: dense },
  };
}

type WatcherDue = Pick<StatusWaitRequest, 'dueAt' | 'dueEveryMs'>;

/** Runs the wait; `wakeOn` (a cutover request) cancels it and answers 'woken'. */
async function waitOnWatcher(
  ctx: MigrationContext,
  taskId: string,
  maxWaitMs: number,
  wakeOn: (() => boolean) | undefined,
  due: WatcherDue | undefined,
): Promise<StatusWait | 'woken'> {
  const scope = new CancellationScope();
  return scope.run(async () => {
    const waiting = runActivity(
      'awaitStatusChange',
      watchOptions(maxWaitMs),
      `Wait for ${ctx.taskName} to leave ${ctx.state.remoteStatus ?? 'its status'} (shared watcher)`,
      {
        taskId,
        knownStatus: ctx.state.remoteStatus,
        maxWaitMs,
        metricLabels: { task_name: ctx.taskName, kind: migrationTypeOf(ctx.input) },
        ...due,
      },
    );
    const contenders: Array<Promise<StatusWait | 'woken'>> = [waiting];
    if (wakeOn) contenders.push(condition(wakeOn).then(() => 'woken' as const));
    const winner = await Promise.race(contenders);
    // Ends the loser: the pending condition, or the wait activity (TRY_CANCEL: no need to wait for it).
    if (wakeOn) scope.cancel();
    return winner;
  });
}
