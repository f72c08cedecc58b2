/**
 * The migration task status model (dcs-api.md §2). Status is an open set: DCS returns about 14 values while the SDK
 * enums list 4, so every function here takes any string and answers conservatively for values it does not know.
 * No imports, so any layer can use it.
 */

/** Every documented task status, with the API's own spelling `INCRMIGEATING` (the live API and Terraform use it). */
export const MIGRATION_TASK_STATUSES = [
  'CREATING',
  'RUNNING',
  'MIGRATING',
  'FULLMIGRATING',
  'INCRMIGEATING',
  'TERMINATING',
  'TERMINATED',
  'SUCCESS',
  'FAILED',
  'MIGRATION_SUCCESS',
  'MIGRATION_FAILED',
  'RELEASED',
  'ERROR',
  'DELETED',
] as const;

export type KnownMigrationTaskStatus = (typeof MIGRATION_TASK_STATUSES)[number];
/** A status as the API returns it: one of the known values, or anything else. */
export type MigrationTaskStatus = KnownMigrationTaskStatus | (string & {});

/** Where a status sits in a task's life. */
export type StatusPhase =
  /** Moving on by itself: CREATING, MIGRATING, FULLMIGRATING, TERMINATING, MIGRATION_SUCCESS. */
  | 'transitional'
  /** Created and waiting to be configured (online task after CreateOnlineMigrationTask): RUNNING. */
  | 'waiting'
  /** Incremental sync in progress; never ends on its own: INCRMIGEATING. */
  | 'steady'
  /** Will not change again: SUCCESS, FAILED, TERMINATED, MIGRATION_FAILED, RELEASED, ERROR, DELETED. */
  | 'terminal'
  | 'unknown';

const PHASES: Record<KnownMigrationTaskStatus, StatusPhase> = {
  CREATING: 'transitional',
  RUNNING: 'waiting',
  MIGRATING: 'transitional',
  FULLMIGRATING: 'transitional',
  INCRMIGEATING: 'steady',
  TERMINATING: 'transitional',
  TERMINATED: 'terminal',
  SUCCESS: 'terminal',
  FAILED: 'terminal',
  // Succeeded, migration machine about to be released: the task reports SUCCESS or RELEASED next.
  MIGRATION_SUCCESS: 'transitional',
  MIGRATION_FAILED: 'terminal',
  RELEASED: 'terminal',
  ERROR: 'terminal',
  DELETED: 'terminal',
};

/**
 * Canonical form of a status: trimmed, upper-cased, and the corrected spelling `INCRMIGRATING` (newer docs)
 * mapped to the API's `INCRMIGEATING`. Unknown values pass through (upper-cased).
 */
export function normalizeStatus(status: string): MigrationTaskStatus {
  const upper = status.trim().toUpperCase();
  return upper === 'INCRMIGRATING' ? 'INCRMIGEATING' : upper;
}

/** Whether the status is one of the 14 documented values (either spelling of the incremental one). */
export function isKnownStatus(status: string): status is KnownMigrationTaskStatus {
  return Object.hasOwn(PHASES, normalizeStatus(status));
}

/** The phase of a status; `unknown` for undocumented values. */
export function statusPhase(status: string): StatusPhase {
  const normalized = normalizeStatus(status);
  return Object.hasOwn(PHASES, normalized) ? PHASES[normalized as KnownMigrationTaskStatus] : 'unknown';
}

/** The task will not change again by itself. */
export function isTerminal(status: string): boolean {
  return statusPhase(status) === 'terminal';
}

/** Incremental migration is in sync and following changes; it lasts until the task is stopped. */
export function isSteadyIncremental(status: string): boolean {
  return statusPhase(status) === 'steady';
}

/** An online task created and waiting for SetOnlineMigrationTask. */
export function isAwaitingConfiguration(status: string): boolean {
  return statusPhase(status) === 'waiting';
}

/** Still moving by itself (creating, copying, stopping, releasing). */
export function isTransitional(status: string): boolean {
  return statusPhase(status) === 'transitional';
}

/** The migration ended in failure: FAILED, MIGRATION_FAILED or ERROR. */
export function isFailed(status: string): boolean {
  const normalized = normalizeStatus(status);
  return normalized === 'FAILED' || normalized === 'MIGRATION_FAILED' || normalized === 'ERROR';
}

/** The data was copied: SUCCESS, or MIGRATION_SUCCESS (success with the machine about to be released). */
export function isSucceeded(status: string): boolean {
  const normalized = normalizeStatus(status);
  return normalized === 'SUCCESS' || normalized === 'MIGRATION_SUCCESS';
}

/** The task was stopped by request: TERMINATED. */
export function isStopped(status: string): boolean {
  return normalizeStatus(status) === 'TERMINATED';
}

/** Background job statuses (ShowJobInfo). */
export const JOB_STATUSES = ['INIT', 'RUNNING', 'SUCCESS', 'FAIL'] as const;

/** A job in SUCCESS or FAIL will not change again. */
export function isJobFinished(status: string): boolean {
  const upper = status.trim().toUpperCase();
  return upper === 'SUCCESS' || upper === 'FAIL' || upper === 'FAILED';
}

/** IP-switch sub-status values seen in a task's `task_status` (dcs-api.md §1.3). */
export const IP_SWITCH_STATUSES = ['EXCHANGING', 'EXCHANGE_SUCCESS', 'ROLLBACK_SUCCESS'] as const;
