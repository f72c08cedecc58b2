/**
 * Typed fake activities for the time-skipping workflow tests: an object of the real `Activities` type (a changed
 * signature breaks it at compile time), answering from a per-workflow script (looked up by workflow id, so one
 * worker serves every test of a file and continue-as-new keeps its script) and recording every call with its
 * workflow time (the server's schedule time of the attempt: with time skipping, the virtual clock).
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/index.js';
import type { RemoteTask, StatusWait, StatusWaitRequest } from '../../activities/results.js';
import { parseMigrationInputOrFail } from '../../common/migration-input-failure.js';

/** What one read of the task answers: a status, a failed read (retryable, retries exhausted at once), or no task. */
export type ReadAnswer = string | { fail: string } | { absent: true };

/** What one wait on the shared status watcher answers, or `fail` to throw as a worker without a watcher does. */
export type WatchAnswer = StatusWait['kind'] | 'fail';

export interface TaskScript {
  /** The status the create call answers (undefined: none, as CreateOnlineMigrationTask). */
  created?: string;
  /** Answers of successive reads (list by name; Show by id repeats the list's answer); the last one repeats. */
  reads: ReadAnswer[];
  /** What stopTask answers (default TERMINATING). */
  stopAnswer?: string;
  /** Reads after the stop call (default: TERMINATED); the last one repeats. */
  afterStop?: ReadAnswer[];
  /** Answers of successive shared-watcher waits; the last one repeats. `changed` hands over the next read answer. */
  watch?: WatchAnswer[];
  /** Answers of successive create calls before the one that succeeds: a failure, with its suggested retry delay. */
  createFailures?: Array<{ type: string; nextRetryDelayMs?: number }>;
}

export interface RecordedCall {
  name: keyof Activities;
  /** Workflow time (ms since epoch) the attempt was scheduled at. */
  at: number;
  runId: string;
  args: unknown[];
}

interface Scripted {
  script: TaskScript;
  calls: RecordedCall[];
  created: boolean;
  stopped: boolean;
  reads: number;
  readsAfterStop: number;
  waits: number;
  createFailures: number;
  lastRead: ReadAnswer | undefined;
}

const TASK_ID = 'task-0001';

export interface FakeActivities {
  activities: Activities;
  /** Scripts the workflow `workflowId` will run against; returns its call log (filled as the workflow runs). */
  script(workflowId: string, script: TaskScript): RecordedCall[];
}

/** Any read answer that is not a plain status counts against `maxFailedPolls` / as an absent task. */
function taskOf(answer: ReadAnswer, taskName: string): RemoteTask | undefined {
  if (typeof answer !== 'string') {
    if ('fail' in answer) throw ApplicationFailure.create({ message: answer.fail, type: 'DcsServerError', nextRetryDelay: '1d' });
    return undefined;
  }
  return { taskId: TASK_ID, taskName, status: answer };
}

function pick<T>(list: T[], index: number): T {
  return list[Math.min(index, list.length - 1)]!;
}

export function fakeActivities(): FakeActivities {
  const scripts = new Map<string, Scripted>();

  /** Records the call and returns the script of the calling workflow. */
  function record(name: keyof Activities, args: unknown[]): Scripted {
    const info = activityInfo();
    const workflowId = info.workflowExecution?.workflowId ?? '(none)';
    const scripted = scripts.get(workflowId);
    if (!scripted) throw ApplicationFailure.nonRetryable(`no script for workflow ${workflowId}`, 'NotScripted');
    scripted.calls.push({ name, at: info.currentAttemptScheduledTimestampMs, runId: info.workflowExecution?.runId ?? '', args });
    return scripted;
  }

  function nextRead(scripted: Scripted): ReadAnswer {
    const { script } = scripted;
    const answer = scripted.stopped ? pick(script.afterStop ?? ['TERMINATED'], scripted.readsAfterStop++) : pick(script.reads, scripted.reads++);
    scripted.lastRead = answer;
    return answer;
  }

  function created(scripted: Scripted) {
    const failure = scripted.script.createFailures?.[scripted.createFailures];
    if (failure) {
      scripted.createFailures += 1;
      throw ApplicationFailure.create({
        message: 'create refused',
        type: failure.type,
        ...(failure.nextRetryDelayMs !== undefined ? { nextRetryDelay: failure.nextRetryDelayMs } : {}),
      });
    }
    scripted.created = true;
    return { taskId: TASK_ID, ...(scripted.script.created !== undefined ? { status: scripted.script.created } : {}), attempts: 1 };
  }

  const activities: Activities = {
    async validateMigrationInput(raw) {
      return parseMigrationInputOrFail(raw);
    },
    async verifyData() {
      throw ApplicationFailure.nonRetryable('verifyData is not scripted', 'NotScripted');
    },
    async sendNotification() {
      throw ApplicationFailure.nonRetryable('sendNotification is not scripted', 'NotScripted');
    },
    async findTaskByName(taskName) {
      const scripted = record('findTaskByName', [taskName]);
      if (!scripted.created) return { task: undefined, attempts: 1 };
      return { task: taskOf(nextRead(scripted), taskName), attempts: 1 };
    },
    async showTask(taskId) {
      const scripted = record('showTask', [taskId]);
      return { task: taskOf(scripted.lastRead ?? { absent: true }, ''), attempts: 1 };
    },
    async createBackupImportTask(request) {
      return created(record('createBackupImportTask', [request]));
    },
    async createLegacyOnlineTask(request) {
      return created(record('createLegacyOnlineTask', [request]));
    },
    async createOnlineTask(request) {
      return created(record('createOnlineTask', [request]));
    },
    async showJob(jobId) {
      record('showJob', [jobId]);
      return { status: 'SUCCESS', attempts: 1 };
    },
    async configureOnlineTask(taskId, request) {
      record('configureOnlineTask', [taskId, request]);
      return { status: 'MIGRATING', attempts: 1 };
    },
    async showTaskStats(taskId) {
      record('showTaskStats', [taskId]);
      return { progress: { offset: 0 }, attempts: 1 };
    },
    async stopTask(taskId) {
      const scripted = record('stopTask', [taskId]);
      scripted.stopped = true;
      return { status: scripted.script.stopAnswer ?? 'TERMINATING', attempts: 1 };
    },
    async requestWorkflowCancellation(reason) {
      record('requestWorkflowCancellation', [reason]);
      throw ApplicationFailure.nonRetryable('cancellation is not scripted', 'CancellationUnavailable');
    },
    async awaitStatusChange(request: StatusWaitRequest): Promise<StatusWait & { attempts: number }> {
      const scripted = record('awaitStatusChange', [request]);
      const answer = pick(scripted.script.watch ?? ['fail'], scripted.waits++);
      switch (answer) {
        case 'fail':
          throw ApplicationFailure.nonRetryable('this worker runs no shared status watcher', 'StatusWatcherUnavailable');
        case 'changed': {
          const task = taskOf(nextRead(scripted), String((scripted.calls[0]?.args[0] as string | undefined) ?? ''));
          return task ? { kind: 'changed', task, attempts: 1 } : { kind: 'absent', attempts: 1 };
        }
        case 'watcher-failing':
          return { kind: 'watcher-failing', error: 'list failed', attempts: 1 };
        default:
          // 'absent' or 'timeout' (in the real watcher, after `maxWaitMs` of real time; here at once).
          return { kind: answer as 'absent' | 'timeout', attempts: 1 };
      }
    },
    async deleteTask(taskId) {
      record('deleteTask', [taskId]);
      return { attempts: 1 };
    },
    // The references and the owner are the safety checks' business (test/workflow-safety.test.ts): here every
    // reference resolves and no other migration owns a task.
    async checkReferences(input) {
      record('checkReferences', [input]);
      return { checked: [], attempts: 1 };
    },
    async findTaskOwner(taskId) {
      record('findTaskOwner', [taskId]);
      return { attempts: 1 };
    },
  };

  return {
    activities,
    script(workflowId, script) {
      const calls: RecordedCall[] = [];
      scripts.set(workflowId, { script, calls, created: false, stopped: false, reads: 0, readsAfterStop: 0, waits: 0, createFailures: 0, lastRead: undefined });
      return calls;
    },
  };
}

/** The times of the calls named `name`. */
export function timesOf(calls: RecordedCall[], name: keyof Activities): number[] {
  return calls.filter((call) => call.name === name).map((call) => call.at);
}

/** Differences between successive times. */
export function gapsOf(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - times[index]!);
}
