import { COPYING_STATUSES, IpSwitchStatus, TaskStatus } from '../../common/dcs-status.js';
// The API's own values (`migration_type`, `migration_method`) are typed once, by the client's schemas.
import type { MigrationMethod, MigrationType } from '../../dcs/schemas/enums.js';
import type { DataPlaneRun, MigrationEndpoint, ResumeMode, RunPhase } from '../data-plane/contract.js';

/**
 * Spelled like the migration input's `kind` (common/migration-input.ts), the same three flows:
 * - `online`: two-phase online migration (create the migration machine, then configure it).
 * - `legacy_online`: the deprecated one-call online migration through CreateMigrationTask.
 * - `backup_import`: RDB/AOF files from an OBS bucket into a DCS instance.
 */
export type TaskKind = 'online' | 'legacy_online' | 'backup_import';

/** One side of a migration: a DCS instance by id, or a self-hosted Redis by address. */
export interface TaskSide {
  instanceId?: string | undefined;
  /** `host:port` as the task shows it. */
  addrs: string;
  /** A DCS instance's service address when the task was created (what `ip`/`port` show); `endpoint` otherwise. */
  service?: { host: string; port: number } | undefined;
  /** Holds the password: never rendered, never logged. */
  endpoint: MigrationEndpoint;
}

export interface BackupFileRef {
  file_name: string;
  size?: string | undefined;
  update_at?: string | undefined;
}

export interface TaskLogLine {
  at: number;
  level: 'INFO' | 'ERROR';
  code: string;
  message: string;
  keywords: string[];
}

/**
 * IP switch sub-status (`task_status`): in progress until `settlesAt` and while `pending` (the switch's work —
 * final sync, swap, read-only interval — is not finished), then `settled`.
 */
export interface IpSwitch {
  settlesAt: number;
  settled: typeof IpSwitchStatus.ExchangeSuccess | typeof IpSwitchStatus.RollbackSuccess;
  pending?: boolean | undefined;
  /** The addresses really moved (false under an `ipSwitch: { swap: false }` fault): what a rollback must undo. */
  swapped?: boolean | undefined;
  /** The domain names move with the addresses (`is_exchange_domain`); a rollback moves back what the switch moved. */
  domains?: boolean | undefined;
}

/** A migration task as the emulator keeps it. Its DCS status is derived on read ({@link taskStatus}). */
export interface MigrationTask {
  id: string;
  name: string;
  description: string;
  kind: TaskKind;
  migrationType: MigrationType;
  migrationMethod?: MigrationMethod | undefined;
  networkType?: string | undefined;
  createdAt: number;
  updatedAt: number;
  /** Online tasks: when the migration machine is ready (CREATING → RUNNING, job → SUCCESS). */
  readyAt: number;
  jobId?: string | undefined;
  network?: { vpcId: string; subnetId: string; securityGroupId: string } | undefined;
  resumeMode: ResumeMode;
  bandwidthLimitMb?: number | undefined;
  source?: TaskSide | undefined;
  target?: TaskSide | undefined;
  backupFiles?:
    | { fileSource: string; bucketName?: string | undefined; backupId?: string | undefined; files: BackupFileRef[] }
    | undefined;
  run?: DataPlaneRun | undefined;
  /** Set by a stop request: the task shows TERMINATING at least until `notBefore`. */
  stop?: { requestedAt: number; notBefore: number } | undefined;
  /** A failure outside the data plane (e.g. the run could not start). */
  failure?: string | undefined;
  ipSwitch?: IpSwitch | undefined;
  /** Per-task delay of TERMINATING (terminatingMs plus seeded jitter). */
  terminatingMs: number;
  logs: TaskLogLine[];
}

/** The DCS statuses the emulator emits: a subset of the status model's values, in the API's own spelling. */
export type EmulatedTaskStatus =
  | typeof TaskStatus.Creating
  | typeof TaskStatus.Running
  | typeof TaskStatus.Migrating
  | typeof TaskStatus.FullMigrating
  | typeof TaskStatus.Incremental
  | typeof TaskStatus.Success
  | typeof TaskStatus.Failed
  | typeof TaskStatus.Terminating
  | typeof TaskStatus.Terminated;

/**
 * The status a task shows in each phase of its data-plane run. A backup import copies under `MIGRATING`, an online
 * task under `FULLMIGRATING`; a stopped run still shows TERMINATING until the stop's own delay has passed.
 */
export function runPhaseStatus(kind: TaskKind, phase: RunPhase): EmulatedTaskStatus {
  switch (phase) {
    case 'full-sync':
      return kind === 'backup_import' ? TaskStatus.Migrating : TaskStatus.FullMigrating;
    case 'incremental':
      return TaskStatus.Incremental;
    case 'succeeded':
      return TaskStatus.Success;
    case 'failed':
      return TaskStatus.Failed;
    case 'stopping':
    case 'stopped':
      return phase === 'stopping' ? TaskStatus.Terminating : TaskStatus.Terminated;
  }
}

/** The DCS status of a task at time `now`, derived from its data-plane run and its stop request. */
export function taskStatus(task: MigrationTask, now: number): EmulatedTaskStatus {
  // A switch ended the copy (the migration machine stops following the source): the task shows the incremental
  // state until it is stopped, and SUCCESS once the switch was rolled back, as the console does.
  if (task.ipSwitch && !task.stop) {
    return ipSwitchStatus(task, now) === IpSwitchStatus.RollbackSuccess ? TaskStatus.Success : TaskStatus.Incremental;
  }
  if (task.run) {
    const status = runPhaseStatus(task.kind, task.run.phase());
    return status === TaskStatus.Terminated && task.stop && now < task.stop.notBefore ? TaskStatus.Terminating : status;
  }
  if (task.failure !== undefined) return TaskStatus.Failed;
  if (task.stop) return now < task.stop.notBefore ? TaskStatus.Terminating : TaskStatus.Terminated;
  return now < task.readyAt ? TaskStatus.Creating : TaskStatus.Running;
}

/** The IP switch sub-status at `now`, or `''` when no switch was requested. */
export function ipSwitchStatus(task: MigrationTask, now: number): string {
  if (!task.ipSwitch) return '';
  return now < task.ipSwitch.settlesAt || task.ipSwitch.pending ? IpSwitchStatus.Exchanging : task.ipSwitch.settled;
}

/** Why the task failed, in words an operator understands (no secrets); `''` unless FAILED. */
export function taskErrorMessage(task: MigrationTask, now: number): string {
  if (taskStatus(task, now) !== TaskStatus.Failed) return '';
  return task.run?.error() ?? task.failure ?? 'migration failed';
}

/** Statuses in which the task is still moving data (stop applies). */
export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(COPYING_STATUSES);
/** Statuses after which a restart makes sense. */
export const RESTARTABLE_STATUSES: ReadonlySet<string> = new Set([
  TaskStatus.Success,
  TaskStatus.Failed,
  TaskStatus.Terminated,
]);
