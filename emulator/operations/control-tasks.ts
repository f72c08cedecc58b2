import {
  BatchMigrationTasksBody,
  DeleteMigrationTaskBody,
  UpdateMigrationTaskBody,
} from '../../dcs/schemas/requests.js';
import type { EmulatorContext, OperationHandler } from '../context.js';
import { EmulatorApiError, apiErrors } from '../http/api-error.js';
import { parseJsonBody } from '../http/json-body.js';
import { appendLog } from '../tasks/task-store.js';
import { RESTARTABLE_STATUSES, taskStatus, type MigrationTask } from '../tasks/task.js';
import { taskDetailView } from '../tasks/task-views.js';
import { requestStop, startRun, stopRunQuietly } from './task-runs.js';

export function findTask(ctx: EmulatorContext, id: string | undefined): MigrationTask {
  const task = ctx.store.get(id ?? '');
  if (!task) throw apiErrors.taskNotFound();
  return task;
}

/** StopMigrationTask: asynchronous; answers the detail with TERMINATING, TERMINATED follows. */
export const stopMigrationTask: OperationHandler = ({ ctx, params }) => {
  const task = findTask(ctx, params['task_id']);
  void requestStop(ctx, task);
  return { status: 200, body: taskDetailView(task, ctx.now(), ctx.incrementalSpelling) };
};

/** StopMigrationTaskSync: stops and waits for the run to stop; 204, and the task is TERMINATED right after. */
export const stopMigrationTaskSync: OperationHandler = async ({ ctx, params }) => {
  const task = findTask(ctx, params['task_id']);
  await requestStop(ctx, task);
  task.stop = { requestedAt: task.stop?.requestedAt ?? ctx.now(), notBefore: ctx.now() };
  return { status: 204 };
};

interface BatchItem {
  result: 'success' | 'failed';
  task_id: string;
  error_code?: string;
  error_msg?: string;
}

/** Runs `action` per task id; each id gets its own success/failed item, as the real batch calls do. */
function batch(
  ctx: EmulatorContext,
  ids: string[],
  action: (task: MigrationTask) => void,
): { migration_tasks: BatchItem[] } {
  return {
    migration_tasks: ids.map((id) => {
      const task = ctx.store.get(id);
      if (!task)
        return {
          result: 'failed',
          task_id: id,
          error_code: 'DCS.4855',
          error_msg: 'invalid migration task id in the request.',
        };
      try {
        action(task);
        return { result: 'success', task_id: id };
      } catch (error) {
        if (!(error instanceof EmulatorApiError)) throw error;
        return { result: 'failed', task_id: id, error_code: error.code, error_msg: error.message };
      }
    }),
  };
}

/** BatchStopMigrationTasks: delivers a stop per task; stopped when each shows TERMINATED. */
export const batchStopMigrationTasks: OperationHandler = ({ ctx, rawBody }) => {
  const body = parseJsonBody(rawBody, BatchMigrationTasksBody);
  return { status: 200, body: batch(ctx, body.migration_tasks, (task) => void requestStop(ctx, task)) };
};

/**
 * BatchRestartOnlineMigrationTasks: starts a configured online task again (from SUCCESS, FAILED or TERMINATED)
 * with its configuration and current resume mode.
 */
export const batchRestartOnlineMigrationTasks: OperationHandler = ({ ctx, rawBody, dataPlaneFaults }) => {
  const body = parseJsonBody(rawBody, BatchMigrationTasksBody);
  return {
    status: 200,
    body: batch(ctx, body.migration_tasks, (task) => {
      if (task.kind === 'backup_import')
        throw apiErrors.wrongState(`task ${task.id} is a backup import, not an online migration`);
      const status = taskStatus(task, ctx.now());
      if (!task.source || !task.target || !RESTARTABLE_STATUSES.has(status)) {
        throw apiErrors.wrongState(`task ${task.id} is ${status}; only a configured task that ended can be restarted`);
      }
      appendLog(task, 'INFO', 'migration.restart', 'Restart requested.', ['restart']);
      task.ipSwitch = undefined;
      startRun(ctx, task, dataPlaneFaults);
    }),
  };
};

/**
 * DeleteMigrationTask: removes the tasks (stopping a run still moving data); unknown ids are ignored. The answer
 * echoes the ids asked for, which Terraform reads back.
 */
export const deleteMigrationTask: OperationHandler = ({ ctx, rawBody }) => {
  const body = parseJsonBody(rawBody, DeleteMigrationTaskBody);
  for (const id of body.task_id_list) {
    const task = ctx.store.delete(id);
    if (task) void stopRunQuietly(task);
  }
  return { status: 200, body: { task_id_list: body.task_id_list } };
};

/** UpdateMigrationTask: sets the resume (auto-reconnect) mode; it applies to the task's next (re)start. */
export const updateMigrationTask: OperationHandler = ({ ctx, params, rawBody }) => {
  const task = findTask(ctx, params['task_id']);
  const body = parseJsonBody(rawBody, UpdateMigrationTaskBody);
  if (body.resume_mode) {
    task.resumeMode = body.resume_mode;
    task.updatedAt = ctx.now();
    appendLog(task, 'INFO', 'migration.update', `Resume mode set to ${body.resume_mode}.`, ['update']);
  }
  return { status: 200, body: taskDetailView(task, ctx.now(), ctx.incrementalSpelling) };
};
