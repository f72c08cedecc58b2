/**
 * The DCS migration task status model: the one module that names DCS's status values, spells them, and decides
 * what each means. The DCS client normalises every status it reads through {@link normalizeStatus}, so workflow
 * state, search attributes, results and CLI output carry one spelling; the workflow decides through
 * {@link classifyStatus}; the emulator emits values typed from {@link TaskStatus}.
 *
 * Status is an open set: DCS returns about 14 values while the SDK enums list 4, so every function here takes any
 * string and answers conservatively (`unknown`) for a value it does not know. No imports, so every layer,
 * workflow code included, can use it. Background: docs/dcs-api.md §2.
 */

/**
 * The documented values. The incremental steady state is spelled `INCRMIGEATING` (sic) by the live API, the
 * international docs and Terraform's acceptance-tested provider; newer pages print `INCRMIGRATING`. The API's own
 * spelling is canonical here, and {@link normalizeStatus} maps the other one onto it.
 */
export const TaskStatus = {
  Creating: 'CREATING',
  /** Online task created, waiting to be configured (SetOnlineMigrationTask). */
  Running: 'RUNNING',
  /** Backup import (and generic) copy in progress. */
  Migrating: 'MIGRATING',
  FullMigrating: 'FULLMIGRATING',
  Incremental: 'INCRMIGEATING',
  Terminating: 'TERMINATING',
  Terminated: 'TERMINATED',
  Success: 'SUCCESS',
  Failed: 'FAILED',
  /** Succeeded, migration machine about to be released. */
  MigrationSuccess: 'MIGRATION_SUCCESS',
  /** Failed, migration machine about to be released. */
  MigrationFailed: 'MIGRATION_FAILED',
  /** The migration machine was released automatically. */
  Released: 'RELEASED',
  Error: 'ERROR',
  /** Seen after a delete. */
  Deleted: 'DELETED',
} as const;

/** The corrected spelling some documentation prints; never emitted by the live API. */
const INCREMENTAL_CORRECTED_SPELLING = 'INCRMIGRATING';

export type KnownTaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
/** A status as the API returns it: one of the known values, or anything else. */
export type AnyTaskStatus = KnownTaskStatus | (string & {});

/** Every documented value, canonical spelling. */
export const TASK_STATUSES: readonly KnownTaskStatus[] = Object.values(TaskStatus);

/** The spellings DCS uses for the incremental steady state: the API's, then the documentation's corrected one. */
export const INCREMENTAL_STATUS_SPELLINGS = [TaskStatus.Incremental, INCREMENTAL_CORRECTED_SPELLING] as const;
export type IncrementalStatusSpelling = (typeof INCREMENTAL_STATUS_SPELLINGS)[number];

/**
 * What a status means for the migration, decided once:
 * - `pending`: moving on by itself (creating, copying, about to release the machine after success);
 * - `awaiting-configuration`: online task created, waiting for SetOnlineMigrationTask;
 * - `incremental`: in sync and following changes; lasts until the task is stopped;
 * - `stopping`: a stop is under way;
 * - `succeeded`: the data was copied and the task ended;
 * - `stopped`: ended without a result of its own (stopped, released, deleted);
 * - `failed`: ended in failure;
 * - `unknown`: not a documented value (the workflow tolerates it for a bounded number of polls).
 */
export type StatusClass =
  'pending' | 'awaiting-configuration' | 'incremental' | 'stopping' | 'succeeded' | 'stopped' | 'failed' | 'unknown';

const STATUS_CLASSES: Record<KnownTaskStatus, StatusClass> = {
  CREATING: 'pending',
  RUNNING: 'awaiting-configuration',
  MIGRATING: 'pending',
  FULLMIGRATING: 'pending',
  INCRMIGEATING: 'incremental',
  TERMINATING: 'stopping',
  TERMINATED: 'stopped',
  SUCCESS: 'succeeded',
  FAILED: 'failed',
  // Success with the machine about to be released: SUCCESS follows, and waiting for it costs one more poll, while
  // ending here would report success before DCS itself does.
  MIGRATION_SUCCESS: 'pending',
  MIGRATION_FAILED: 'failed',
  // The machine is gone, and nothing says whether the copy finished: the task will not change again, and only a
  // SUCCESS seen before it counts as success (Terraform treats it as final too).
  RELEASED: 'stopped',
  // DCS documents ERROR as "faulty": a failure, not a state to wait out.
  ERROR: 'failed',
  DELETED: 'stopped',
};

/**
 * Canonical form of a status: trimmed, upper-cased, the corrected spelling of the incremental state mapped to the
 * API's. Unknown values pass through (trimmed and upper-cased) so they can still be shown and counted.
 */
export function normalizeStatus(status: string): AnyTaskStatus {
  const upper = status.trim().toUpperCase();
  return upper === INCREMENTAL_CORRECTED_SPELLING ? TaskStatus.Incremental : upper;
}

/** Whether the status is one of the documented values (either spelling of the incremental one). */
export function isKnownStatus(status: string): status is KnownTaskStatus {
  return Object.hasOwn(STATUS_CLASSES, normalizeStatus(status));
}

/**
 * A status as it was read, with what it means, decided once where it is read (the workflow's reads and the status
 * answers of its writes: `workflows/steps/read-task.ts`), so the steps decide on `statusClass` and never classify
 * the string again.
 */
export interface StatusReading {
  /** As DCS answered it (the DCS client normalises it; anything else is kept as given, for display). */
  readonly status: AnyTaskStatus;
  /** The documented value it is, in the canonical spelling; undefined for a value DCS does not document. */
  readonly known: KnownTaskStatus | undefined;
  readonly statusClass: StatusClass;
}

export function readStatus(status: AnyTaskStatus): StatusReading {
  const normalized = normalizeStatus(status);
  const known = isKnownStatus(normalized) ? normalized : undefined;
  return { status, known, statusClass: known === undefined ? 'unknown' : STATUS_CLASSES[known] };
}

export function classifyStatus(status: string | undefined): StatusClass {
  return status === undefined ? 'unknown' : readStatus(status).statusClass;
}

/** A class after which the task will not change again by itself (no stop call needed or possible). */
export function isFinalClass(statusClass: StatusClass): boolean {
  return statusClass === 'succeeded' || statusClass === 'stopped' || statusClass === 'failed';
}

/** A status after which the task will not change again by itself (no stop call needed or possible). */
export function isFinalStatus(status: string | undefined): boolean {
  return isFinalClass(classifyStatus(status));
}

/** Statuses in which the task is still moving data (a stop applies). */
export const COPYING_STATUSES: readonly KnownTaskStatus[] = [
  TaskStatus.Migrating,
  TaskStatus.FullMigrating,
  TaskStatus.Incremental,
];

/** Background job statuses (ShowJobInfo), as DCS returns them; `FAILED` is accepted for `FAIL`. */
export const JobStatus = { Init: 'INIT', Running: 'RUNNING', Success: 'SUCCESS', Fail: 'FAIL' } as const;
export type KnownJobStatus = (typeof JobStatus)[keyof typeof JobStatus];
/** A job status as the API returns it: one of the known values, or anything else. */
export type AnyJobStatus = KnownJobStatus | (string & {});

/** Where a background job is: still running, done, or failed. */
export function classifyJobStatus(status: string): 'running' | 'succeeded' | 'failed' {
  const upper = status.trim().toUpperCase();
  if (upper === JobStatus.Success) return 'succeeded';
  if (upper === JobStatus.Fail || upper === 'FAILED') return 'failed';
  return 'running';
}

/** IP-switch sub-status values in a task's `task_status` (exchange-ip / rollback-ip). */
export const IpSwitchStatus = {
  Exchanging: 'EXCHANGING',
  ExchangeSuccess: 'EXCHANGE_SUCCESS',
  RollbackSuccess: 'ROLLBACK_SUCCESS',
} as const;
export type KnownIpSwitchStatus = (typeof IpSwitchStatus)[keyof typeof IpSwitchStatus];
