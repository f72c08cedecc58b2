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
import { failureWithRetryDelay } from '../../common/retry-delay-detail.js';

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
  /** Offsets of successive progress reads (showTaskStats); the last one repeats (default 0). */
  offsets?: number[];
  /** Answers of successive create calls before the one that succeeds: a failure, with its suggested retry delay. */
  createFailures?: Array<{ type: string; nextRetryDelayMs?: number }>;
  /** Answer by workflow time instead of `reads` (until a stop): see {@link TimelineScript}. */
  timeline?: TimelineScript;
}

/**
 * A copy that runs on a clock: FULLMIGRATING for `fullSyncMs` (workflow time) from the configure call (online:
 * RUNNING until then) or else from the create call, with stats growing steadily over `keys` keys, then `endStatus`.
 */
export interface TimelineScript {
  fullSyncMs: number;
  endStatus?: string;
  keys?: number;
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
  statsReads: number;
  lastRead: ReadAnswer | undefined;
  /** Workflow time of the create call that succeeded, and of the configure call (online). */
  createdAt: number | undefined;
  configuredAt: number | undefined;
  online: boolean;
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

  /** The fraction copied by now, per the script's timeline (workflow time of the calling attempt). */
  function timelineFraction(scripted: Scripted): number {
    const timeline = scripted.script.timeline!;
    const elapsed = activityInfo().currentAttemptScheduledTimestampMs - (scripted.configuredAt ?? scripted.createdAt ?? 0);
    return Math.min(1, Math.max(0, elapsed / timeline.fullSyncMs));
  }

  function nextRead(scripted: Scripted): ReadAnswer {
    const { script } = scripted;
    const timeline = script.timeline;
    if (timeline && !scripted.stopped) {
      scripted.lastRead =
        scripted.online && scripted.configuredAt === undefined
          ? 'RUNNING'
          : timelineFraction(scripted) < 1
            ? 'FULLMIGRATING'
            : (timeline.endStatus ?? 'SUCCESS');
      return scripted.lastRead;
    }
    const answer = scripted.stopped ? pick(script.afterStop ?? ['TERMINATED'], scripted.readsAfterStop++) : pick(script.reads, scripted.reads++);
    scripted.lastRead = answer;
    return answer;
  }

  function created(scripted: Scripted) {
    const failure = scripted.script.createFailures?.[scripted.createFailures];
    if (failure) {
      scripted.createFailures += 1;
      // Shaped as the real activities shape it (activities/to-application-failure.ts): the delay in the details too.
      throw failureWithRetryDelay({ message: 'create refused', type: failure.type }, failure.nextRetryDelayMs);
    }
    scripted.created = true;
    scripted.createdAt = activityInfo().currentAttemptScheduledTimestampMs;
    return { taskId: TASK_ID, ...(scripted.script.created !== undefined ? { status: scripted.script.created } : {}), attempts: 1 };
  }

  const activities: Activities = {
    async validateMigrationInput(raw) {
      return parseMigrationInputOrFail(raw);
    },
    async verifyData() {
      throw ApplicationFailure.nonRetryable('verifyData is not scripted', 'NotScripted');
    },
    // The client switch is tested against the emulator (test/workflow-switch.test.ts), not scripted here.
    ...(Object.fromEntries(
      (['comparePasswords', 'showSwitchState', 'exchangeIp', 'rollbackIp', 'identifyServers', 'checkSwitched'] as const).map((name) => [
        name,
        () => Promise.reject(ApplicationFailure.nonRetryable(`${name} is not scripted`, 'NotScripted')),
      ]),
    ) as unknown as Pick<Activities, 'comparePasswords' | 'showSwitchState' | 'exchangeIp' | 'rollbackIp' | 'identifyServers' | 'checkSwitched'>),
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
      const scripted = record('createOnlineTask', [request]);
      scripted.online = true;
      return created(scripted);
    },
    async showJob(jobId) {
      record('showJob', [jobId]);
      return { status: 'SUCCESS', attempts: 1 };
    },
    async configureOnlineTask(taskId, request) {
      const scripted = record('configureOnlineTask', [taskId, request]);
      scripted.configuredAt ??= activityInfo().currentAttemptScheduledTimestampMs;
      return { status: 'MIGRATING', attempts: 1 };
    },
    async showTaskStats(taskId) {
      const scripted = record('showTaskStats', [taskId]);
      const timeline = scripted.script.timeline;
      if (!timeline) return { progress: { offset: pick(scripted.script.offsets ?? [0], scripted.statsReads++) }, attempts: 1 };
      const keys = timeline.keys ?? 100_000;
      const fraction = timelineFraction(scripted);
      return {
        progress: { fullMigrationProgress: Math.floor(fraction * 100), sourceDbSize: keys, targetDbSize: Math.floor(fraction * keys), offset: 0 },
        attempts: 1,
      };
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
    // Failed-task logs and restarts are tested against the emulator (test/workflow-restart.test.ts).
    async readTaskLog(request) {
      record('readTaskLog', [request]);
      return { entries: [], total: 0, attempts: 1 };
    },
    async restartTask(taskId) {
      record('restartTask', [taskId]);
      return { delivered: false, errorCode: 'NotScripted', errorMessage: 'restartTask is not scripted', attempts: 1 };
    },
    // The references and the owner are the safety checks' business (test/workflow-safety.test.ts): here every
    // reference resolves and no other migration owns a task.
    async checkReferences(input) {
      record('checkReferences', [input]);
      return { checked: [], attempts: 1 };
    },
    // The pre-flight checks are test/precheck.test.ts's business: here every one passes, and the call is not
    // recorded, so the DCS call sequences the timing tests assert stay as they were.
    async runPrechecks() {
      return { outcomes: [], attempts: 1 };
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
      scripts.set(workflowId, {
        script,
        calls,
        created: false,
        stopped: false,
        reads: 0,
        readsAfterStop: 0,
        waits: 0,
        createFailures: 0,
        statsReads: 0,
        lastRead: undefined,
        createdAt: undefined,
        configuredAt: undefined,
        online: false,
      });
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
