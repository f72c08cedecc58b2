/**
 * How the workflow reads a DCS task status (dcs-api.md §2). DCS returns about 14 values, spelled
 * inconsistently across docs, so anything not listed here is `unknown`: the workflow keeps polling for a bounded
 * number of polls, then fails clearly. Workflow code may only import types from dcs/, hence this small table.
 */
export type StatusClass =
  /** Still moving towards an end (CREATING, MIGRATING, FULLMIGRATING, MIGRATION_SUCCESS, …). */
  | 'pending'
  /** Online task created, waiting to be configured (RUNNING). */
  | 'awaiting-configuration'
  /** Incremental migration in sync, following changes until stopped (INCRMIGEATING). */
  | 'incremental'
  | 'stopping'
  | 'succeeded'
  | 'stopped'
  | 'failed'
  | 'unknown';

const STATUS_CLASSES: Record<string, StatusClass> = {
  CREATING: 'pending',
  MIGRATING: 'pending',
  FULLMIGRATING: 'pending',
  // Success with the migration machine about to be released: the task will report SUCCESS next.
  MIGRATION_SUCCESS: 'pending',
  RUNNING: 'awaiting-configuration',
  // The typo is DCS's own; newer docs print the corrected spelling, so both are accepted.
  INCRMIGEATING: 'incremental',
  INCRMIGRATING: 'incremental',
  TERMINATING: 'stopping',
  SUCCESS: 'succeeded',
  TERMINATED: 'stopped',
  // The migration machine was released after the task ended; nothing more will happen to it.
  RELEASED: 'stopped',
  DELETED: 'stopped',
  FAILED: 'failed',
  MIGRATION_FAILED: 'failed',
  ERROR: 'failed',
};

export function classifyStatus(status: string | undefined): StatusClass {
  if (status === undefined) return 'unknown';
  return STATUS_CLASSES[status.trim().toUpperCase()] ?? 'unknown';
}

/** A status after which the task will not change again on its own (stopping is over, no stop call needed). */
export function isFinalStatus(status: string | undefined): boolean {
  const statusClass = classifyStatus(status);
  return statusClass === 'succeeded' || statusClass === 'stopped' || statusClass === 'failed';
}
