import type { z } from 'zod';
import { ListMigrationTaskLogsQuery, ListMigrationTaskQuery } from '../../dcs/schemas/requests.js';
import type { OperationHandler } from '../context.js';
import { apiErrors } from '../http/api-error.js';
import { fieldName } from '../http/json-body.js';
import { formatTime, jobView, taskDetailView, taskListItemView, taskStatsView } from '../tasks/task-views.js';

const DEFAULT_LIMIT = 10;

/** Validates a query string against a schema (last value wins for a repeated key), naming the bad parameter. */
function parseQuery<S extends z.ZodType>(query: URLSearchParams, schema: S): z.output<S> {
  const result = schema.safeParse(Object.fromEntries(query));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.code === 'unrecognized_keys' ? [issue.keys[0] ?? ''] : (issue?.path ?? []);
  throw apiErrors.invalidParameter(fieldName(path), issue?.message);
}

/** ListMigrationTask: item `offset`, `limit` 1–1000 (default 10), exact `name`; `count` is the total matching. */
export const listMigrationTask: OperationHandler = ({ ctx, query }) => {
  const { offset = 0, limit = DEFAULT_LIMIT, name } = parseQuery(query, ListMigrationTaskQuery);
  const now = ctx.now();
  const matching = ctx.store.all().filter((task) => name === undefined || name === '' || task.name === name);
  return {
    status: 200,
    body: {
      count: matching.length,
      migration_tasks: matching
        .slice(offset, offset + limit)
        .map((task) => taskListItemView(task, now, ctx.incrementalSpelling)),
    },
  };
};

/** ShowMigrationTask: the task detail; an unknown or deleted id is HTTP 400 DCS.4133. */
export const showMigrationTask: OperationHandler = ({ ctx, params }) => {
  const task = ctx.store.get(params['task_id'] ?? '');
  if (!task) throw apiErrors.taskNotFound();
  return { status: 200, body: taskDetailView(task, ctx.now(), ctx.incrementalSpelling) };
};

/** ShowMigrationTaskStats: progress figures of the task's run (strings; zeros before it starts). */
export const showMigrationTaskStats: OperationHandler = ({ ctx, params }) => {
  const task = ctx.store.get(params['task_id'] ?? '');
  if (!task) throw apiErrors.taskNotFound();
  return { status: 200, body: taskStatsView(task) };
};

/** ListMigrationTaskLogs: the task's log lines, oldest first, filtered by `log_level`; `log_num` is the total. */
export const listMigrationTaskLogs: OperationHandler = ({ ctx, params, query }) => {
  const task = ctx.store.get(params['task_id'] ?? '');
  if (!task) throw apiErrors.taskNotFound();
  const { offset = 0, limit = DEFAULT_LIMIT, log_level: level } = parseQuery(query, ListMigrationTaskLogsQuery);
  const matching = task.logs.filter((line) => level === undefined || line.level === level);
  return {
    status: 200,
    body: {
      log_num: matching.length,
      migration_logs: matching.slice(offset, offset + limit).map((line) => ({
        created_at: formatTime(line.at),
        log_level: line.level,
        message: line.message,
        log_code: line.code,
        keyword: line.keywords,
      })),
    },
  };
};

/** ShowJobInfo: the migration-machine creation job of an online task. */
export const showJobInfo: OperationHandler = ({ ctx, params }) => {
  const job = ctx.store.job(params['job_id'] ?? '');
  if (!job) throw apiErrors.jobNotFound();
  return { status: 200, body: jobView(job, ctx.now()) };
};
