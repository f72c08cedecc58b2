/**
 * The one loop that polls the remote task until a step is done with it (provisioning, watching, stopping): read,
 * count the read, record and classify what it found, ask the step's decision function what to do, and otherwise
 * wait and read again. What differs between the steps is only in their {@link TaskPoll}: the decision on a found
 * task (done, wait, fail, or an activity call first and then one of those), what an absent task means, the
 * step's own counters, and the wait.
 *
 * The loop issues the same commands in the same order as the three loops it replaced, and it also keeps their
 * awaits exactly where they were: a decision is synchronous, or it hands the loop the one activity call it makes
 * ({@link after}) and decides on its outcome synchronously, and the steps return the loop's promise itself. Why it
 * matters: notification sends (`notify.ts`) run beside the flow, and within one workflow activation the order of
 * their commands and the flow's is decided by how many microtask turns each takes; one more `await` on the flow's
 * side could put a send before a command that used to precede it, and a run recorded so would not replay.
 */
import { log } from '@temporalio/workflow';
import type { RemoteTask } from '../../activities/results.js';
import type { StatusReading } from '../../common/dcs-status.js';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import type { MigrationContext } from '../context.js';
import { workflowFailure } from './failures.js';
import { checkOutageTolerance, noteDcsReachable } from './outage.js';
import { observeTask, readTask, taskLabel, type ReadResult } from './read-task.js';

/** How an activity call ended: its value, or what it threw. */
export type Outcome<R> = { value: R } | { error: unknown };

/**
 * What to do after a read: end the loop with a value, read again after the wait, fail with `failure`, or make an
 * activity call first and decide on its outcome ({@link after}).
 */
export type PollDecision<T> = { done: T } | 'wait' | { fail: unknown } | AfterCall<T>;

interface AfterCall<T> {
  readonly call: Promise<unknown>;
  readonly then: (outcome: Outcome<unknown>) => PollDecision<T>;
}

export const WAIT = 'wait' as const;
export const done = <T>(value: T): PollDecision<T> => ({ done: value });
export const fail = (failure: unknown): { fail: unknown } => ({ fail: failure });
/** The decision after `call` (already made: an activity's promise) ends, on its outcome. */
export const after = <R, T>(call: Promise<R>, then: (outcome: Outcome<R>) => PollDecision<T>): PollDecision<T> => ({
  call,
  then: then as (outcome: Outcome<unknown>) => PollDecision<T>,
});

export interface TaskPoll<T, More = never> {
  /** Before the first read (the provisioning job), when there is something to wait for. */
  start?(): Promise<void> | undefined;
  /** The task no longer exists. */
  absent(): PollDecision<T>;
  /** The step's own counters of a read that found the task (unknown statuses, reads since a restart). */
  count?(reading: StatusReading): void;
  /**
   * What else this poll reads before deciding, when it does (the watch's progress); undefined: nothing, decide at
   * once. Its answer is handed to {@link found}.
   */
  readMore?(task: RemoteTask, reading: StatusReading): Promise<More> | undefined;
  /** A read found the task (recorded, its status classified once): the decision. */
  found(task: RemoteTask, reading: StatusReading, more: More | undefined): PollDecision<T>;
  /** After a read that did not end the loop, before the wait; `poll` counts the reads before this one. */
  beforeWait?(poll: number): void;
  /** The wait before the next read; a task it hands over (the shared watcher saw it change) is the next read. */
  wait(): Promise<RemoteTask | undefined> | Promise<void>;
}

export async function pollTask<T, More = never>(ctx: MigrationContext, poll: TaskPoll<T, More>): Promise<T> {
  const starting = poll.start?.();
  if (starting) await starting;
  let seen: RemoteTask | undefined;
  for (let count = 0; ; count++) {
    const read: ReadResult = seen ? { kind: 'found', task: seen } : await readTask(ctx);
    countReadOutcome(ctx, read);
    let decision: PollDecision<T> = WAIT;
    if (read.kind === 'absent') decision = poll.absent();
    else if (read.kind === 'found') {
      const reading = observeTask(ctx, read.task);
      poll.count?.(reading);
      const reads = poll.readMore?.(read.task, reading);
      const more = reads === undefined ? undefined : await reads;
      decision = poll.found(read.task, reading, more);
    }
    while (typeof decision === 'object' && 'call' in decision) {
      let outcome: Outcome<unknown>;
      try {
        outcome = { value: await decision.call };
      } catch (error) {
        outcome = { error };
      }
      decision = decision.then(outcome);
    }
    if (decision !== WAIT) {
      if ('fail' in decision) throw decision.fail;
      return decision.done;
    }
    poll.beforeWait?.(count);
    seen = (await poll.wait()) ?? undefined;
  }
}

/**
 * Gives up after `maxFailedPolls` consecutive polls whose reads all failed after their own retries, or, when they
 * failed for DCS being unreachable, once that has lasted `polling.dcsOutageTolerance` (`outage.ts`).
 */
export function countReadOutcome(ctx: MigrationContext, read: ReadResult): void {
  const { state, input } = ctx;
  if (read.kind !== 'unreachable') {
    state.failedPolls = 0;
    noteDcsReachable(ctx);
    return;
  }
  if (read.outage) {
    checkOutageTolerance(ctx);
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
  log.warn('unknown remote status, treating it as pending', {
    status: state.remoteStatus,
    polls: state.unknownStatusPolls,
  });
  if (state.unknownStatusPolls >= input.polling.maxUnknownStatusPolls) {
    throw workflowFailure(
      `remote ${taskLabel(ctx)} reported the unknown status ${state.remoteStatus ?? '(none)'} for ${state.unknownStatusPolls} polls`,
      MigrationFailureType.UnknownRemoteStatus,
      { status: state.remoteStatus },
    );
  }
}
