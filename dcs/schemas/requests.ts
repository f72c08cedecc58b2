import { z } from 'zod';
import { FileSource, LogLevel, MigrationMethod, MigrationType, NetworkType, ResumeMode } from './enums.js';
import { integer, nonEmpty, optional } from './primitives.js';

// Request bodies are strict: an unknown key is almost always a misspelt field, and the API would ignore it silently.
// Fields the API types as string but whose examples send numbers (port, db, size) accept both and are sent as strings.
const stringish = z.union([z.string(), z.number()]).transform(String);

/** One backup file in an OBS bucket. */
export const BackupFile = z.strictObject({
  file_name: nonEmpty,
  /** Size in bytes (the API example uses `"754.0MB"`). */
  size: optional(stringish),
  /** `YYYY-MM-DD HH:MM:SS`. */
  update_at: optional(z.string()),
});

/** Backup files to import: `self_build_obs` needs `bucket_name` and `files`; `backup_record` needs `backup_id`. */
export const BackupFilesBody = z
  .strictObject({
    file_source: optional(FileSource),
    bucket_name: optional(nonEmpty),
    files: optional(z.array(BackupFile)),
    backup_id: optional(nonEmpty),
  })
  .superRefine((body, ctx) => {
    if (body.file_source === 'backup_record') {
      if (!body.backup_id)
        ctx.addIssue({ code: 'custom', path: ['backup_id'], message: 'is required when file_source is backup_record' });
      return;
    }
    // self_build_obs, or no source given: the files come from an OBS bucket.
    if (!body.bucket_name)
      ctx.addIssue({
        code: 'custom',
        path: ['bucket_name'],
        message: 'is required when file_source is self_build_obs',
      });
    if (!body.files || body.files.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['files'],
        message: 'needs at least one file when file_source is self_build_obs',
      });
    }
  });

const instanceFields = {
  name: optional(z.string()),
  password: optional(z.string()),
  task_status: optional(z.string()),
  ip: optional(z.string()),
  port: optional(stringish),
  proxy_multi_db: optional(z.boolean()),
  db: optional(stringish),
};

/** Source Redis of a (deprecated) online task created through CreateMigrationTask. */
export const SourceInstanceBody = z.strictObject({ ...instanceFields, addrs: nonEmpty, id: optional(z.string()) });
/** Target DCS instance of CreateMigrationTask. */
export const TargetInstanceBody = z.strictObject({ ...instanceFields, id: nonEmpty, addrs: optional(z.string()) });

/** CreateMigrationTask: a backup-file import (or a deprecated online task). */
export const CreateMigrationTaskBody = z
  .strictObject({
    task_name: nonEmpty,
    description: optional(z.string()),
    migration_type: MigrationType,
    migration_method: MigrationMethod,
    backup_files: optional(BackupFilesBody),
    network_type: optional(NetworkType),
    source_instance: optional(SourceInstanceBody),
    target_instance: TargetInstanceBody,
  })
  .superRefine((body, ctx) => {
    if (body.migration_type === 'backupfile_import' && !body.backup_files) {
      ctx.addIssue({
        code: 'custom',
        path: ['backup_files'],
        message: 'is required when migration_type is backupfile_import',
      });
    }
    if (body.migration_type === 'online_migration' && !body.source_instance) {
      ctx.addIssue({
        code: 'custom',
        path: ['source_instance'],
        message: 'is required when migration_type is online_migration',
      });
    }
  });

/** CreateOnlineMigrationTask: provisions the migration machine in the given VPC, subnet and security group. */
export const CreateOnlineMigrationTaskBody = z.strictObject({
  name: nonEmpty,
  description: optional(z.string()),
  vpc_id: nonEmpty,
  /** The subnet's network ID. */
  subnet_id: nonEmpty,
  security_group_id: nonEmpty,
});

/** Source or target of SetOnlineMigrationTask: a DCS instance `id` or self-hosted `addrs` (`ip:port[,ip:port]`). */
export const ConfigMigrationInstanceBody = z
  .strictObject({
    id: optional(z.string()),
    addrs: optional(z.string()),
    password: optional(z.string()),
  })
  .refine((body) => Boolean(body.id?.trim() || body.addrs?.trim()), { error: 'needs id or addrs' });

/** SetOnlineMigrationTask: configures and starts an online task. */
export const SetOnlineMigrationTaskBody = z.strictObject({
  migration_method: MigrationMethod,
  resume_mode: ResumeMode,
  /** MB/s, 1–10240; the API types it as string but its example sends a number, so both are accepted. */
  bandwidth_limit_mb: optional(integer(1, 10240).transform(String)),
  source_instance: ConfigMigrationInstanceBody,
  target_instance: ConfigMigrationInstanceBody,
});

const taskIdList = z.array(nonEmpty).min(1, { error: 'needs at least one task id' });

/** BatchStopMigrationTasks and BatchRestartOnlineMigrationTasks. */
export const BatchMigrationTasksBody = z.strictObject({ migration_tasks: taskIdList });
/** DeleteMigrationTask (a DELETE with a JSON body). */
export const DeleteMigrationTaskBody = z.strictObject({ task_id_list: taskIdList });
/** UpdateMigrationTask: the auto-reconnect setting. */
export const UpdateMigrationTaskBody = z.strictObject({ resume_mode: optional(ResumeMode) });
/**
 * ExchangeInstanceIp: switch IPs (or domain names) of source and target during incremental migration. The docs mark
 * both fields mandatory, but Terraform, tested against the live API, omits `exchanged_ip` and a false
 * `is_exchange_domain`; so both are optional here and `is_exchange_domain` is sent as `false` when absent.
 */
export const ExchangeInstanceIpBody = z.strictObject({
  exchanged_ip: optional(z.array(nonEmpty)),
  is_exchange_domain: z.boolean().default(false),
});

/** ListMigrationTask query: item offset (not a page number), page size 1–1000 (API default 10), exact name. */
export const ListMigrationTaskQuery = z.strictObject({
  offset: integer(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: integer(1, 1000).optional(),
  name: z.string().optional(),
});

/** ListMigrationTaskLogs query. */
export const ListMigrationTaskLogsQuery = z.strictObject({
  offset: integer(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: integer(1, 1000).optional(),
  log_level: LogLevel.optional(),
});

export type CreateMigrationTaskBody = z.input<typeof CreateMigrationTaskBody>;
export type CreateOnlineMigrationTaskBody = z.input<typeof CreateOnlineMigrationTaskBody>;
export type SetOnlineMigrationTaskBody = z.input<typeof SetOnlineMigrationTaskBody>;
export type ConfigMigrationInstanceBody = z.input<typeof ConfigMigrationInstanceBody>;
export type BatchMigrationTasksBody = z.input<typeof BatchMigrationTasksBody>;
export type DeleteMigrationTaskBody = z.input<typeof DeleteMigrationTaskBody>;
export type UpdateMigrationTaskBody = z.input<typeof UpdateMigrationTaskBody>;
export type ExchangeInstanceIpBody = z.input<typeof ExchangeInstanceIpBody>;
export type ListMigrationTaskQuery = z.input<typeof ListMigrationTaskQuery>;
export type ListMigrationTaskLogsQuery = z.input<typeof ListMigrationTaskLogsQuery>;
