/**
 * What activities take and return. These cross workflow history, so they hold no secrets: passwords travel as
 * references (`SecretRef`) and are resolved inside the activity, right before the HTTP call.
 */
import type { AnyJobStatus, AnyTaskStatus } from '../common/dcs-status.js';
import type { MigrationInput, MigrationInputOf, SecretRef } from '../common/migration-input.js';
import type { MigrationProgress, TaskLogEntry } from '../common/workflow-contract.js';

/** Every activity reports the attempt that succeeded, so the workflow can count retries. */
export interface Attempted {
  attempts: number;
}

/**
 * The details of the ApplicationFailure a failed DCS call becomes (`to-application-failure.ts`): what the workflow
 * reads of it, as it may import only types from here and from dcs/.
 */
export interface DcsFailureDetails {
  operation: string | undefined;
  httpStatus: number | undefined;
  errorCode: string | undefined;
  requestId: string | undefined;
  /** DCS could not be reached or would not serve (no answer, 5xx, 429): `dcs/retry.ts` `isDcsUnavailable`. */
  dcsUnavailable?: true;
  /** The client's throttle held the call back; DCS never saw it. */
  notSent?: true;
}

/**
 * A remote task as the workflow tracks it (from the list API or Show). Its status is typed from the status model
 * (`common/dcs-status.ts`) but travels as the plain string DCS answered, as in every history recorded so far; the
 * workflow classifies it once per read (`readStatus`, in `workflows/steps/read-task.ts`).
 */
export interface RemoteTask {
  taskId: string;
  taskName: string;
  status: AnyTaskStatus;
  /** DCS's `error_message` for a failed task. */
  errorMessage?: string;
}

/** The target instance, as the input gives it (every kind has the same one). */
export type TargetRef = MigrationInput['target'];

/** The DCS task name: the input's `taskName`, or the one the workflow derived from its id. */
interface Named {
  taskName: string;
}

/** CreateMigrationTask for a backup import: the input's fields, as the schema types them. */
export type BackupImportRequest = Named & Pick<MigrationInputOf<'backup_import'>, 'description' | 'target' | 'backup'>;

/** CreateMigrationTask with `online_migration` (the deprecated one-call online migration). */
export type LegacyOnlineRequest = Named &
  Pick<MigrationInputOf<'legacy_online'>, 'description' | 'method' | 'networkType' | 'source' | 'target'>;

/** CreateOnlineMigrationTask: only where DCS creates the migration machine; the rest is configured after. */
export type OnlineCreateRequest = Named & Pick<MigrationInputOf<'online'>, 'description' | 'network'>;

/** SetOnlineMigrationTask: source, target and method, once the migration machine exists. */
export type OnlineConfigureRequest = Pick<
  MigrationInputOf<'online'>,
  'method' | 'resumeMode' | 'bandwidthLimitMb' | 'source' | 'target'
>;

export interface CreatedTask extends Attempted {
  taskId: string;
  /** The status the create call answered with, when it answers one. */
  status?: AnyTaskStatus;
  /** Online creation: the job that provisions the migration machine (undocumented `job_id`). */
  jobId?: string;
}

export interface FoundTask extends Attempted {
  task: RemoteTask | undefined;
}

export interface JobState extends Attempted {
  /** `INIT`, `RUNNING`, `SUCCESS` or `FAIL`. */
  status: AnyJobStatus;
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
  status: AnyTaskStatus | undefined;
}

/**
 * What a wait on the shared status watcher ends with: the one type for it, from the watcher (`status-watcher.ts`,
 * where `Task` is the listed item) through the `awaitStatusChange` activity (plus `Attempted`) to the workflow
 * (`workflows/steps/next-read.ts`), where `Task` is a {@link RemoteTask}.
 */
export type StatusWait<Task = RemoteTask> =
  | { kind: 'changed'; task: Task }
  /** A complete listing lacked the task: the workflow checks for itself. */
  | { kind: 'absent' }
  /** No change within the wait. */
  | { kind: 'timeout' }
  /** The watcher cannot list right now (its last rounds all failed); `error` is its last error. */
  | { kind: 'watcher-failing'; error: string };

export interface StatusWaitRequest {
  taskId: string;
  /** The status the workflow knows; any other status is a change. */
  knownStatus?: AnyTaskStatus | undefined;
  maxWaitMs: number;
  /**
   * The migration's metric labels (task name, kind): while it waits, each round that lists the task counts as a
   * status read for `dcs_migrate_migration_last_status_read_timestamp_seconds` (activities/metrics.ts). Optional:
   * older workflow code does not send them.
   */
  metricLabels?: { task_name: string; kind: string };
  /**
   * Predictive polling: the workflow expects the change around this time (epoch ms, workflow time), so the
   * watcher lists at `dueAt` and then every `dueEveryMs` while this wait lasts, whatever its own backoff.
   */
  dueAt?: number;
  dueEveryMs?: number;
}

/** `readTaskLog`: the end of the task's log, for a failure report or a restart decision. */
export interface TaskLogRequest {
  taskId: string;
  /** How many entries from the end. */
  last: number;
  level?: 'INFO' | 'ERROR';
  /** The input's password references: their values are scrubbed from the messages (resolved on the worker). */
  secretRefs: SecretRef[];
}

export interface TaskLog extends Attempted {
  entries: TaskLogEntry[];
  total: number;
}

/** `restartTask`: DCS's per-task answer to BatchRestartOnlineMigrationTasks. */
export interface RestartAnswer extends Attempted {
  delivered: boolean;
  errorCode?: string;
  errorMessage?: string;
}
