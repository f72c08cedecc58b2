import { JobStatus, TaskStatus, type IncrementalStatusSpelling } from '../../common/dcs-status.js';
import type { MigrationJob } from './task-store.js';
import { ipSwitchStatus, taskErrorMessage, taskStatus, type MigrationTask, type TaskSide } from './task.js';

/**
 * How tasks look on the wire. Deliberate choices (see emulator/README.md):
 * - timestamps are ISO 8601 UTC with milliseconds (`2021-06-16T06:12:55.508Z`), one of the formats the real API uses;
 * - stats numbers are strings, as the SDK models declare them;
 * - passwords are never echoed, although the doc examples show them.
 */
export function formatTime(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString();
}

/** The private IP of the "migration machine": the emulator itself. */
const MIGRATION_MACHINE_IP = '127.0.0.1';
/** Redis version the emulated migration machine reports. */
const MIGRATION_MACHINE_VERSION = '6.0.21';

/**
 * The status as it goes on the wire: the API's spelling, or the corrected spelling of the incremental state that
 * some documentation prints (`EmulatorOptions.incrementalSpelling`), so clients can be tested against both.
 */
function wireStatus(task: MigrationTask, now: number, spelling: IncrementalStatusSpelling): string {
  const status = taskStatus(task, now);
  return status === TaskStatus.Incremental ? spelling : status;
}

function sideView(side: TaskSide | undefined): Record<string, unknown> {
  if (!side) return {};
  return {
    id: side.instanceId ?? '',
    name: side.instanceId ?? '',
    addrs: side.addrs,
    ip: (side.service ?? side.endpoint).host,
    port: String((side.service ?? side.endpoint).port),
  };
}

/** ShowMigrationTask / StopMigrationTask response. */
export function taskDetailView(
  task: MigrationTask,
  now: number,
  spelling: IncrementalStatusSpelling = TaskStatus.Incremental,
): Record<string, unknown> {
  return {
    task_id: task.id,
    task_name: task.name,
    description: task.description,
    status: wireStatus(task, now, spelling),
    migration_type: task.migrationType,
    migration_method: task.migrationMethod ?? '',
    ecs_tenant_private_ip: MIGRATION_MACHINE_IP,
    backup_files: task.backupFiles
      ? {
          file_source: task.backupFiles.fileSource,
          bucket_name: task.backupFiles.bucketName ?? '',
          files: task.backupFiles.files,
          ...(task.backupFiles.backupId !== undefined
            ? { backup_record: { backup_id: task.backupFiles.backupId } }
            : {}),
        }
      : null,
    network_type: task.networkType ?? (task.kind === 'backup_import' ? '' : 'vpc'),
    source_instance: sideView(task.source),
    target_instance: sideView(task.target),
    created_at: formatTime(task.createdAt),
    updated_at: formatTime(task.updatedAt),
    released_at: '',
    version: MIGRATION_MACHINE_VERSION,
    resume_mode: task.resumeMode,
    supported_features: [],
    tenant_vpc_id: task.network?.vpcId ?? '',
    tenant_subnet_id: task.network?.subnetId ?? '',
    tenant_security_group_id: task.network?.securityGroupId ?? '',
    bandwidth_limit_mb: task.bandwidthLimitMb === undefined ? '' : String(task.bandwidthLimitMb),
    task_status: ipSwitchStatus(task, now),
    error_message: taskErrorMessage(task, now),
  };
}

/** One item of ListMigrationTask. */
export function taskListItemView(
  task: MigrationTask,
  now: number,
  spelling: IncrementalStatusSpelling = TaskStatus.Incremental,
): Record<string, unknown> {
  return {
    task_id: task.id,
    task_name: task.name,
    status: wireStatus(task, now, spelling),
    migration_type: task.migrationType,
    migration_method: task.migrationMethod ?? '',
    ecs_tenant_private_ip: MIGRATION_MACHINE_IP,
    data_source:
      task.kind === 'backup_import'
        ? (task.backupFiles?.bucketName ?? task.backupFiles?.backupId ?? '')
        : (task.source?.addrs ?? ''),
    source_instance_name: task.source?.instanceId ?? '',
    source_instance_id: task.source?.instanceId ?? '',
    target_instance_addrs: task.target?.addrs ?? '',
    target_instance_name: task.target?.instanceId ?? '',
    target_instance_id: task.target?.instanceId ?? '',
    created_at: formatTime(task.createdAt),
    description: task.description,
    source_instance_status: task.source ? 'RUNNING' : '',
    target_instance_status: task.target ? 'RUNNING' : '',
    source_instance_subnet_id: '',
    target_instance_subnet_id: '',
    source_instance_spec_code: '',
    target_instance_spec_code: '',
    error_message: taskErrorMessage(task, now),
    released_at: '',
    version: MIGRATION_MACHINE_VERSION,
    resume_mode: task.resumeMode,
    supported_features: [],
  };
}

/** ShowMigrationTaskStats: every number as a string (SDK model); zeros before the run starts. */
export function taskStatsView(task: MigrationTask): Record<string, unknown> {
  const stats = task.run?.stats();
  return {
    full_migration_progress: String(stats?.fullMigrationProgress ?? 0),
    offset: String(stats?.offset ?? 0),
    source_dbsize: String(stats?.sourceDbSize ?? 0),
    target_dbsize: String(stats?.targetDbSize ?? 0),
    target_input_kbps: String(stats?.targetInputKbps ?? 0),
    target_ops: String(stats?.targetOps ?? 0),
    is_migrating: stats?.isMigrating ?? false,
  };
}

/** ShowJobInfo: RUNNING until the migration machine is ready, then SUCCESS; times are epoch ms strings. */
export function jobView(job: MigrationJob, now: number): Record<string, unknown> {
  const done = now >= job.endAt;
  return {
    job_id: job.id,
    job_type: 'createMigrationInstance',
    status: done ? JobStatus.Success : JobStatus.Running,
    begin_time: String(job.beginAt),
    end_time: done ? String(job.endAt) : '',
    fail_reason: '',
  };
}

/** Create / configure response: `{id, name, status, error}`. */
export function taskSummaryView(
  task: MigrationTask,
  now: number,
  spelling: IncrementalStatusSpelling = TaskStatus.Incremental,
): Record<string, unknown> {
  return { id: task.id, name: task.name, status: wireStatus(task, now, spelling), error: taskErrorMessage(task, now) };
}
