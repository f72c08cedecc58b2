import { z } from 'zod';
import { normalizeStatus } from '../../common/dcs-status.js';
import { looseNumeric, looseString, nonEmpty } from './primitives.js';

// Responses are lenient where the API is loose (numbers as strings, nulls, fields that come and go, unknown fields
// kept) and strict only where a caller depends on it: the ids and the status must be there.
const status = z.string().trim().min(1, { error: 'must be a non-empty status' });
/** A task status, in the one spelling the rest of dcs-migrate uses (either spelling of the incremental state in). */
const taskStatus = status.transform(normalizeStatus);

/** CreateMigrationTask and SetOnlineMigrationTask: the task as just created or configured. */
export const MigrationTaskResult = z.looseObject({
  id: nonEmpty,
  name: looseString,
  status: taskStatus,
  error: looseString,
});

/** CreateOnlineMigrationTask: `instance_id` is the new task's id; `job_id` (undocumented, live API) tracks creation. */
export const CreateOnlineMigrationTaskResponse = z.looseObject({
  instance_id: nonEmpty,
  job_id: looseString,
});

const instanceInfo = z.looseObject({
  id: looseString,
  name: looseString,
  addrs: looseString,
  ip: looseString,
  port: looseNumeric.nullish(),
  db: looseNumeric.nullish(),
  task_status: looseString,
  proxy_multi_db: z.boolean().nullish(),
  // The API may echo the password (docs/dcs-api.md §6 quirk 9); it is kept so callers can see it, never logged.
  password: looseString,
});

/** ShowMigrationTask and StopMigrationTask: the task detail. */
export const MigrationTaskDetail = z.looseObject({
  task_id: nonEmpty,
  task_name: looseString,
  description: looseString,
  status: taskStatus,
  migration_type: looseString,
  migration_method: looseString,
  ecs_tenant_private_ip: looseString,
  backup_files: z.looseObject({}).nullish(),
  network_type: looseString,
  source_instance: instanceInfo.nullish(),
  target_instance: instanceInfo.nullish(),
  created_at: looseString,
  updated_at: looseString,
  released_at: looseString,
  version: looseString,
  resume_mode: looseString,
  supported_features: z.array(z.string()).nullish(),
  tenant_vpc_id: looseString,
  tenant_subnet_id: looseString,
  tenant_security_group_id: looseString,
  bandwidth_limit_mb: looseNumeric.nullish(),
  /** IP-switch progress: EXCHANGING, EXCHANGE_SUCCESS, ROLLBACK_SUCCESS, … (docs/dcs-api.md §6 quirk 13). */
  task_status: looseString,
});

/** One row of ListMigrationTask. */
export const MigrationTaskListItem = z.looseObject({
  task_id: nonEmpty,
  task_name: looseString,
  status: taskStatus,
  migration_type: looseString,
  migration_method: looseString,
  ecs_tenant_private_ip: looseString,
  data_source: looseString,
  source_instance_name: looseString,
  source_instance_id: looseString,
  target_instance_addrs: looseString,
  target_instance_name: looseString,
  target_instance_id: looseString,
  created_at: looseString,
  description: looseString,
  error_message: looseString,
  released_at: looseString,
  version: looseString,
  resume_mode: looseString,
  supported_features: z.array(z.string()).nullish(),
});

/** ListMigrationTask: `count` is the total, `migration_tasks` one page. A missing list is read as empty. */
export const ListMigrationTaskResponse = z.looseObject({
  count: looseNumeric.nullish(),
  migration_tasks: z
    .array(MigrationTaskListItem)
    .nullish()
    .transform((tasks) => tasks ?? []),
});

/** ShowMigrationTaskStats: progress of an online task; the API sends these as strings or numbers. */
export const MigrationTaskStats = z.looseObject({
  /** Percent of the full copy done. */
  full_migration_progress: looseNumeric.nullish(),
  /** Incremental lag; 0 means in sync. */
  offset: looseNumeric.nullish(),
  source_dbsize: looseNumeric.nullish(),
  target_dbsize: looseNumeric.nullish(),
  target_input_kbps: looseNumeric.nullish(),
  target_ops: looseNumeric.nullish(),
  is_migrating: z.boolean().nullish(),
});

/** BatchStopMigrationTasks and BatchRestartOnlineMigrationTasks: per-task delivery result (`success`/`failed`). */
export const BatchMigrationTasksResponse = z.looseObject({
  migration_tasks: z.array(
    z.looseObject({
      task_id: nonEmpty,
      result: z.string(),
      error_code: looseString,
      error_msg: looseString,
    }),
  ),
});

/** DeleteMigrationTask: the ids the request listed (unknown ids are ignored by the API, not reported). */
export const DeleteMigrationTaskResponse = z.looseObject({ task_id_list: z.array(z.string()) });

/** UpdateMigrationTask: the SDK models the answer as an opaque value; whatever JSON came back is returned. */
export const UpdateMigrationTaskResponse = z.unknown();

/** ListMigrationTaskLogs. */
export const ListMigrationTaskLogsResponse = z.looseObject({
  log_num: looseNumeric.nullish(),
  migration_logs: z
    .array(
      z.looseObject({
        created_at: looseString,
        log_level: looseString,
        message: looseString,
        log_code: looseString,
        keyword: z.array(z.string()).nullish(),
      }),
    )
    .nullish()
    .transform((logs) => logs ?? []),
});

/** ShowJobInfo: a background job (e.g. the migration machine's creation): INIT, RUNNING, SUCCESS or FAIL. */
export const JobInfo = z.looseObject({
  job_id: nonEmpty,
  job_type: looseString,
  status,
  /** Milliseconds since the epoch, as a string or number. */
  begin_time: looseNumeric.nullish(),
  end_time: looseNumeric.nullish(),
  fail_reason: looseString,
});

/**
 * ShowInstance: a DCS instance (the SDK's ShowInstanceResponse; /work/shared/reference/dcs-operations.md §2).
 * Memory in MB, `capacity` in GB; `cache_mode` is `single`, `ha`, `ha_rw_split`, `proxy` or `cluster`;
 * `sharding_count` is a cluster's shards, `replica_count` the copies per shard (master included); a cluster's `ip`
 * lists its nodes' IPs comma-separated and `backend_addrs` its back ends. Only the id
 * and the status are required: the pre-flight checks treat every other missing field as "DCS did not say".
 */
export const InstanceDetail = z.looseObject({
  instance_id: nonEmpty,
  name: looseString,
  status,
  sub_status: looseString,
  engine: looseString,
  engine_version: looseString,
  cache_mode: looseString,
  sharding_count: looseNumeric.nullish(),
  replica_count: looseNumeric.nullish(),
  db_number: looseNumeric.nullish(),
  max_memory: looseNumeric.nullish(),
  used_memory: looseNumeric.nullish(),
  capacity: looseNumeric.nullish(),
  ip: looseString,
  port: looseNumeric.nullish(),
  domain_name: looseString,
  backend_addrs: looseString,
  enable_ssl: z.boolean().nullish(),
  enable_publicip: z.boolean().nullish(),
  publicip_address: looseString,
  no_password_access: looseString,
  access_user: looseString,
  product_type: looseString,
  vpc_id: looseString,
  subnet_id: looseString,
  security_group_id: looseString,
});

/** The error body DCS and the API gateway answer with (docs/dcs-api.md §5.2), including the nested variant. */
export const ErrorBody = z.looseObject({
  error_code: looseString,
  error_msg: looseString,
  error_ext_msg: looseString,
  request_id: looseString,
  error: z.looseObject({ code: looseString, message: looseString }).nullish(),
});

export type MigrationTaskResult = z.output<typeof MigrationTaskResult>;
export type CreateOnlineMigrationTaskResponse = z.output<typeof CreateOnlineMigrationTaskResponse>;
export type MigrationTaskDetail = z.output<typeof MigrationTaskDetail>;
export type MigrationTaskListItem = z.output<typeof MigrationTaskListItem>;
export type ListMigrationTaskResponse = z.output<typeof ListMigrationTaskResponse>;
export type MigrationTaskStats = z.output<typeof MigrationTaskStats>;
export type BatchMigrationTasksResponse = z.output<typeof BatchMigrationTasksResponse>;
export type DeleteMigrationTaskResponse = z.output<typeof DeleteMigrationTaskResponse>;
export type ListMigrationTaskLogsResponse = z.output<typeof ListMigrationTaskLogsResponse>;
export type JobInfo = z.output<typeof JobInfo>;
export type InstanceDetail = z.output<typeof InstanceDetail>;
export type ErrorBody = z.output<typeof ErrorBody>;
