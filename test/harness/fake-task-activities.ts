/**
 * The migration task's own DCS calls in the fake (see `fake-activities.ts`): lookups and reads, creation,
 * configuration, progress, stop, delete, the log and restarts, each answered from the task's model
 * (`fake-task.ts`); and the shared watcher's waits, which hand over the next read.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/index.js';
import type { RemoteTask, StatusWait } from '../../activities/results.js';
import type { SecretResolver } from '../../activities/secrets.js';
import type { TaskLogEntry } from '../../common/workflow-contract.js';
import { scrubSecrets } from '../../dcs/errors/index.js';
import type { ListMigrationTaskLogsQuery, ListMigrationTaskLogsResponse } from '../../dcs/schemas/index.js';
import { readTaskLogs } from '../../dcs/task-logs.js';
import { TASK_ID, type FakeCall, type FakeTask } from './fake-task.js';
import type { ReadAnswer } from './task-script.js';

type TaskActivities = Pick<
  Activities,
  | 'findTaskByName'
  | 'showTask'
  | 'createBackupImportTask'
  | 'createLegacyOnlineTask'
  | 'createOnlineTask'
  | 'showJob'
  | 'configureOnlineTask'
  | 'showTaskStats'
  | 'stopTask'
  | 'deleteTask'
  | 'readTaskLog'
  | 'restartTask'
  | 'awaitStatusChange'
>;

/** A read's answer as the list API's task; a failed read throws (retryable, retries exhausted at once). */
function remoteTaskOf(answer: ReadAnswer, taskName: string): RemoteTask | undefined {
  if (typeof answer === 'string') return { taskId: TASK_ID, taskName, status: answer };
  if ('fail' in answer) {
    throw ApplicationFailure.create({ message: answer.fail, type: 'DcsServerError', nextRetryDelay: '1d' });
  }
  if ('absent' in answer) return undefined;
  const task: RemoteTask = { taskId: TASK_ID, taskName, status: answer.status };
  // As the activity does: DCS's error text goes into history, so password-like values are scrubbed.
  if (answer.errorMessage) task.errorMessage = scrubSecrets(answer.errorMessage, []);
  return task;
}

/** One page of ListMigrationTaskLogs over the task's log, as DCS answers it (oldest first, `log_num` in all). */
function logPage(log: readonly TaskLogEntry[], query: ListMigrationTaskLogsQuery): ListMigrationTaskLogsResponse {
  const lines = log.filter((entry) => query.log_level === undefined || entry.level === query.log_level);
  const offset = Number(query.offset ?? 0);
  const page = lines.slice(offset, offset + Number(query.limit ?? lines.length));
  const wire = ({ at, level, code, message }: TaskLogEntry) => ({
    created_at: at,
    log_level: level,
    log_code: code,
    message,
  });
  return { log_num: lines.length, migration_logs: page.map(wire) };
}

/** What the create call answers once the task exists. */
function created(task: FakeTask, at: number, online: boolean) {
  task.created(at, online);
  const status = task.script.created;
  return { taskId: TASK_ID, ...(status !== undefined ? { status } : {}), attempts: 1 };
}

/** Progress: the script's offsets, or the timeline's copy so far. */
function progressAt(task: FakeTask, at: number) {
  const timeline = task.script.timeline;
  if (!timeline) return { offset: task.nextOffset() };
  const keys = timeline.keys ?? 100_000;
  const fraction = task.fraction(at);
  return {
    fullMigrationProgress: Math.floor(fraction * 100),
    sourceDbSize: keys,
    targetDbSize: Math.floor(fraction * keys),
    offset: 0,
  };
}

/** A wait on the shared status watcher; `changed` hands over the next read. */
function waitAnswer(task: FakeTask, at: number): StatusWait & { attempts: number } {
  const answer = task.nextWait();
  switch (answer) {
    case 'fail':
      throw ApplicationFailure.nonRetryable('this worker runs no shared status watcher', 'StatusWatcherUnavailable');
    case 'changed': {
      const found = remoteTaskOf(task.nextRead(at), task.taskName);
      return found ? { kind: 'changed', task: found, attempts: 1 } : { kind: 'absent', attempts: 1 };
    }
    case 'watcher-failing':
      return { kind: 'watcher-failing', error: 'list failed', attempts: 1 };
    default:
      // 'absent' or 'timeout' (in the real watcher, after `maxWaitMs` of real time; here at once).
      return { kind: answer as 'absent' | 'timeout', attempts: 1 };
  }
}

export function fakeTaskActivities(call: FakeCall, secretsOf: (task: FakeTask) => SecretResolver): TaskActivities {
  return {
    findTaskByName: (taskName) =>
      call('findTaskByName', [taskName], (task, at) => {
        task.taskName = taskName;
        return { task: task.exists ? remoteTaskOf(task.nextRead(at), taskName) : undefined, attempts: 1 };
      }),
    // Show by id repeats what the list last answered (nothing once the task is deleted).
    showTask: (taskId) =>
      call('showTask', [taskId], (task) => {
        const answer = task.deleted ? undefined : task.lastRead;
        return { task: answer === undefined ? undefined : remoteTaskOf(answer, task.taskName), attempts: 1 };
      }),
    createBackupImportTask: (request) =>
      call('createBackupImportTask', [request], (task, at) => created(task, at, false)),
    createLegacyOnlineTask: (request) =>
      call('createLegacyOnlineTask', [request], (task, at) => created(task, at, false)),
    createOnlineTask: (request) => call('createOnlineTask', [request], (task, at) => created(task, at, true)),
    showJob: (jobId) => call('showJob', [jobId], () => ({ status: 'SUCCESS', attempts: 1 })),
    configureOnlineTask: (taskId, request) =>
      call('configureOnlineTask', [taskId, request], (task, at) => {
        task.configure(at);
        return { status: 'MIGRATING', attempts: 1 };
      }),
    showTaskStats: (taskId) =>
      call('showTaskStats', [taskId], (task, at) => ({ progress: progressAt(task, at), attempts: 1 })),
    stopTask: (taskId) =>
      call('stopTask', [taskId], (task) => {
        task.stopped = true;
        return { status: task.script.stopAnswer ?? 'TERMINATING', attempts: 1 };
      }),
    deleteTask: (taskId) =>
      call('deleteTask', [taskId], (task) => {
        task.deleted = true;
        return { attempts: 1 };
      }),
    awaitStatusChange: (request) => call('awaitStatusChange', [request], waitAnswer),
    // The log as DCS pages it, read by the client's own reader, which scrubs the input's passwords (resolved from
    // the worker's environment, as the activity does) and anything that looks like a secret.
    readTaskLog: (request) =>
      call('readTaskLog', [request], async (task) => {
        const secrets = secretsOf(task);
        const resolve = (ref: (typeof request.secretRefs)[number]) =>
          secrets.resolve(ref, 'password').catch(() => undefined);
        const known = (await Promise.all(request.secretRefs.map(resolve))).filter((value) => value !== undefined);
        const level = request.level ? { level: request.level } : {};
        const read = await readTaskLogs(async (query) => logPage(task.log, query), {
          last: request.last,
          ...level,
          knownSecrets: known,
        });
        return { ...read, attempts: 1 };
      }),
    restartTask: (taskId) =>
      call('restartTask', [taskId], (task) => {
        const answer = task.nextRestart();
        if (answer.delivered) return { delivered: true, attempts: 1 };
        const errorMessage = scrubSecrets(answer.errorMessage, []);
        return { delivered: false, errorCode: answer.errorCode, errorMessage, attempts: 1 };
      }),
  };
}
