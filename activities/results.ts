/**
 * What activities take and return. These cross workflow history, so they hold no secrets: passwords travel as
 * references (`SecretRef`) and are resolved inside the activity, right before the HTTP call.
 */
import type { SecretRef } from '../common/migration-input.js';
import type { MigrationProgress } from '../common/workflow-contract.js';

/** Every activity reports the attempt that succeeded, so the workflow can count retries. */
export interface Attempted {
  attempts: number;
}

/** A remote task as the workflow tracks it (from the list API or Show). */
export interface RemoteTask {
  taskId: string;
  taskName: string;
  status: string;
  /** DCS's `error_message` for a failed task. */
  errorMessage?: string;
}

export interface TargetRef {
  instanceId: string;
  password?: SecretRef;
}

export interface BackupImportRequest {
  taskName: string;
  description?: string;
  target: TargetRef;
  backup:
    | { source: 'obs'; bucket: string; files: Array<{ name: string; size?: string; updatedAt?: string }> }
    | { source: 'backup_record'; backupId: string };
}

export interface LegacyOnlineRequest {
  taskName: string;
  description?: string;
  method: 'full' | 'incremental';
  networkType?: 'vpc' | 'vpn';
  source: { addrs: string; password?: SecretRef };
  target: TargetRef;
}

export interface OnlineCreateRequest {
  taskName: string;
  description?: string;
  network: { vpcId: string; subnetId: string; securityGroupId: string };
}

export interface OnlineConfigureRequest {
  method: 'full' | 'incremental';
  resumeMode: 'auto' | 'manual';
  bandwidthLimitMb?: number;
  source: { instanceId?: string; addrs?: string; password?: SecretRef };
  target: TargetRef;
}

export interface CreatedTask extends Attempted {
  taskId: string;
  /** The status the create call answered with, when it answers one. */
  status?: string;
  /** Online creation: the job that provisions the migration machine (undocumented `job_id`). */
  jobId?: string;
}

export interface FoundTask extends Attempted {
  task: RemoteTask | undefined;
}

export interface JobState extends Attempted {
  /** `INIT`, `RUNNING`, `SUCCESS` or `FAIL`. */
  status: string;
  failReason?: string;
}

export interface TaskProgress extends Attempted {
  progress: MigrationProgress;
}

/** Another running migration driving a task (`findTaskOwner`): its workflow id, or none. */
export interface TaskOwner extends Attempted {
  owner?: string;
}

export interface TaskStatusOnly extends Attempted {
  status: string | undefined;
}

/** What a wait on the shared status watcher ended with (`awaitStatusChange`). */
export type StatusChange = Attempted &
  (
    | { kind: 'changed'; task: RemoteTask }
    /** A complete listing lacked the task: the workflow checks for itself. */
    | { kind: 'absent' }
    /** No change within the wait. */
    | { kind: 'timeout' }
    /** The watcher cannot list right now; `error` is its last error. */
    | { kind: 'watcher-failing'; error: string }
  );

export interface StatusChangeRequest {
  taskId: string;
  /** The status the workflow knows; any other status is a change. */
  knownStatus?: string | undefined;
  maxWaitMs: number;
}
