import type { z } from 'zod';
import {
  BatchMigrationTasksBody,
  BatchMigrationTasksResponse,
  CreateMigrationTaskBody,
  CreateOnlineMigrationTaskBody,
  CreateOnlineMigrationTaskResponse,
  DeleteMigrationTaskBody,
  DeleteMigrationTaskResponse,
  ExchangeInstanceIpBody,
  InstanceDetail,
  JobInfo,
  ListMigrationTaskLogsQuery,
  ListMigrationTaskLogsResponse,
  ListMigrationTaskQuery,
  ListMigrationTaskResponse,
  MigrationTaskDetail,
  MigrationTaskResult,
  MigrationTaskStats,
  SetOnlineMigrationTaskBody,
  UpdateMigrationTaskBody,
  UpdateMigrationTaskResponse,
} from './schemas/index.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** Path parameters other than `project_id` (which comes from the configuration). */
export type PathParamName = 'task_id' | 'job_id' | 'instance_id';

/** One DCS API operation, as data: the client, the CLI and the emulator all read this table. */
export interface OperationSpec {
  /** The official SDK's operation name, e.g. `ShowMigrationTask`. */
  name: string;
  method: HttpMethod;
  /** Path template including the `/v2/{project_id}` prefix. */
  path: string;
  pathParams: readonly PathParamName[];
  /** Query parameters, when the operation takes any. */
  query?: z.ZodType;
  /** Request body, when the operation takes one (DeleteMigrationTask is a DELETE with a body). */
  body?: z.ZodType;
  /** Response body; absent when success is 204 with no body. */
  response?: z.ZodType;
  successStatus: 200 | 204;
  /** One line for `--help`. */
  summary: string;
}

/**
 * The 16 data-migration operations of DCS API v2 (docs/dcs-api.md §1.1), keyed by SDK name, and the instance read
 * the pre-flight checks need (ShowInstance, /work/shared/reference/dcs-operations.md §2).
 */
export const OPERATIONS = {
  CreateMigrationTask: {
    name: 'CreateMigrationTask',
    method: 'POST',
    path: '/v2/{project_id}/migration-task',
    pathParams: [],
    body: CreateMigrationTaskBody,
    response: MigrationTaskResult,
    successStatus: 200,
    summary: 'Create a backup-file import task',
  },
  CreateOnlineMigrationTask: {
    name: 'CreateOnlineMigrationTask',
    method: 'POST',
    path: '/v2/{project_id}/migration/instance',
    pathParams: [],
    body: CreateOnlineMigrationTaskBody,
    response: CreateOnlineMigrationTaskResponse,
    successStatus: 200,
    summary: 'Create an online migration task (provisions its migration machine)',
  },
  SetOnlineMigrationTask: {
    name: 'SetOnlineMigrationTask',
    method: 'POST',
    path: '/v2/{project_id}/migration/{task_id}/task',
    pathParams: ['task_id'],
    body: SetOnlineMigrationTaskBody,
    response: MigrationTaskResult,
    successStatus: 200,
    summary: 'Configure and start an online migration task',
  },
  ListMigrationTask: {
    name: 'ListMigrationTask',
    method: 'GET',
    path: '/v2/{project_id}/migration-tasks',
    pathParams: [],
    query: ListMigrationTaskQuery,
    response: ListMigrationTaskResponse,
    successStatus: 200,
    summary: 'List migration tasks (--offset, --limit, --name)',
  },
  ShowMigrationTask: {
    name: 'ShowMigrationTask',
    method: 'GET',
    path: '/v2/{project_id}/migration-task/{task_id}',
    pathParams: ['task_id'],
    response: MigrationTaskDetail,
    successStatus: 200,
    summary: 'Show a migration task',
  },
  ShowMigrationTaskStats: {
    name: 'ShowMigrationTaskStats',
    method: 'GET',
    path: '/v2/{project_id}/migration-task/{task_id}/stats',
    pathParams: ['task_id'],
    response: MigrationTaskStats,
    successStatus: 200,
    summary: 'Show the progress of an online migration task',
  },
  StopMigrationTask: {
    name: 'StopMigrationTask',
    method: 'POST',
    path: '/v2/{project_id}/migration-task/{task_id}/stop',
    pathParams: ['task_id'],
    response: MigrationTaskDetail,
    successStatus: 200,
    summary: 'Stop a migration task (asynchronous: TERMINATING, then TERMINATED)',
  },
  StopMigrationTaskSync: {
    name: 'StopMigrationTaskSync',
    method: 'POST',
    path: '/v2/{project_id}/migration-task/{task_id}/sync-stop',
    pathParams: ['task_id'],
    successStatus: 204,
    summary: 'Stop synchronization of a migration task',
  },
  BatchStopMigrationTasks: {
    name: 'BatchStopMigrationTasks',
    method: 'POST',
    path: '/v2/{project_id}/migration-task/batch-stop',
    pathParams: [],
    body: BatchMigrationTasksBody,
    response: BatchMigrationTasksResponse,
    successStatus: 200,
    summary: 'Stop several migration tasks',
  },
  BatchRestartOnlineMigrationTasks: {
    name: 'BatchRestartOnlineMigrationTasks',
    method: 'POST',
    path: '/v2/{project_id}/migration-tasks/batch-restart',
    pathParams: [],
    body: BatchMigrationTasksBody,
    response: BatchMigrationTasksResponse,
    successStatus: 200,
    summary: 'Restart several online migration tasks',
  },
  DeleteMigrationTask: {
    name: 'DeleteMigrationTask',
    method: 'DELETE',
    path: '/v2/{project_id}/migration-tasks/delete',
    pathParams: [],
    body: DeleteMigrationTaskBody,
    response: DeleteMigrationTaskResponse,
    successStatus: 200,
    summary: 'Delete migration tasks (unknown ids are ignored)',
  },
  UpdateMigrationTask: {
    name: 'UpdateMigrationTask',
    method: 'PUT',
    path: '/v2/{project_id}/migration-task/{task_id}',
    pathParams: ['task_id'],
    body: UpdateMigrationTaskBody,
    response: UpdateMigrationTaskResponse,
    successStatus: 200,
    summary: 'Set the auto-reconnect mode of a migration task',
  },
  ListMigrationTaskLogs: {
    name: 'ListMigrationTaskLogs',
    method: 'GET',
    path: '/v2/{project_id}/migration-task/{task_id}/logs',
    pathParams: ['task_id'],
    query: ListMigrationTaskLogsQuery,
    response: ListMigrationTaskLogsResponse,
    successStatus: 200,
    summary: 'List the logs of a migration task (--offset, --limit, --log-level)',
  },
  ExchangeInstanceIp: {
    name: 'ExchangeInstanceIp',
    method: 'POST',
    path: '/v2/{project_id}/migration-task/{task_id}/exchange-ip',
    pathParams: ['task_id'],
    body: ExchangeInstanceIpBody,
    successStatus: 204,
    summary: 'Switch the IPs of source and target (incremental migration)',
  },
  RollbackExchangeInstanceIp: {
    name: 'RollbackExchangeInstanceIp',
    method: 'POST',
    path: '/v2/{project_id}/migration-task/{task_id}/rollback-ip',
    pathParams: ['task_id'],
    successStatus: 204,
    summary: 'Roll back an IP switch',
  },
  ShowJobInfo: {
    name: 'ShowJobInfo',
    method: 'GET',
    path: '/v2/{project_id}/jobs/{job_id}',
    pathParams: ['job_id'],
    response: JobInfo,
    successStatus: 200,
    summary: 'Show a background job (e.g. the creation of a migration machine)',
  },
  ShowInstance: {
    name: 'ShowInstance',
    method: 'GET',
    path: '/v2/{project_id}/instances/{instance_id}',
    pathParams: ['instance_id'],
    response: InstanceDetail,
    successStatus: 200,
    summary: 'Show a DCS instance (status, engine version, memory, cache mode, SSL, public access)',
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATIONS;
/** Every operation name, in the table's order. */
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/** `show-migration-task` → `ShowMigrationTask`; SDK names pass through. */
export function kebabToOperationName(name: string): string {
  if (!name.includes('-')) return name;
  return name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join('');
}

/** `ShowMigrationTask` → `show-migration-task`. */
export function operationNameToKebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Looks an operation up by SDK name or kebab-case, case-insensitively; `undefined` if there is none. */
export function findOperation(name: string): (typeof OPERATIONS)[OperationName] | undefined {
  const wanted = kebabToOperationName(name.trim()).toLowerCase();
  const match = OPERATION_NAMES.find((candidate) => candidate.toLowerCase() === wanted);
  return match === undefined ? undefined : OPERATIONS[match];
}

/**
 * Who waits for whom when the client paces its calls under a rate limit (`dcs/throttle.ts`): `control` (stop,
 * delete, the IP switch and its rollback: what cancels, cuts over or ends a paid task) goes first, then `write`
 * (create, configure, restart), then `read` (every GET, the status reads of thousands of migrations included).
 */
export type CallLane = 'control' | 'write' | 'read';

const CONTROL_OPERATIONS: ReadonlySet<string> = new Set<OperationName>([
  'StopMigrationTask',
  'StopMigrationTaskSync',
  'BatchStopMigrationTasks',
  'DeleteMigrationTask',
  'ExchangeInstanceIp',
  'RollbackExchangeInstanceIp',
]);

/** The lane of an operation; an unknown name is a write. */
export function laneOf(name: string): CallLane {
  const spec = findOperation(name);
  if (spec && CONTROL_OPERATIONS.has(spec.name)) return 'control';
  return spec?.method === 'GET' ? 'read' : 'write';
}
