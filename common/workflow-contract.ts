/**
 * What the migration workflow promises its callers: its type name, the messages it accepts (signals, the
 * `cutover` update, the `status` query), its phases and its result. The client side (CLI, tests) imports this;
 * nothing here touches I/O, and `define*` from @temporalio/workflow is safe outside a workflow.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MigrationKind } from './migration-input.js';

/** The registered workflow type (the exported function name in `workflows/index.ts`). */
export const MIGRATION_WORKFLOW_TYPE = 'dcsMigration';

/**
 * Where a migration is. Terminal phases: `succeeded`, `cut-over`, `failed`, `cancelled`.
 * - `validating`: checking the input (nothing remote yet).
 * - `creating`: looking the task up by name, creating it if absent.
 * - `provisioning`: online only, DCS is creating the migration machine (job / task `CREATING`).
 * - `configuring`: online only, sending source/target/method (SetOnlineMigrationTask).
 * - `migrating`: the remote task is copying data.
 * - `incremental-hold`: incremental only, in sync and following changes until cutover or the deadline.
 * - `stopping`: stopping the remote task and waiting for `TERMINATED` (cutover or cancel).
 * - `deleting`: deleting the stopped task (cancel with `delete`).
 */
export type MigrationPhase =
  | 'validating'
  | 'creating'
  | 'provisioning'
  | 'configuring'
  | 'migrating'
  | 'incremental-hold'
  | 'stopping'
  | 'deleting'
  | 'succeeded'
  | 'cut-over'
  | 'failed'
  | 'cancelled';

export const TERMINAL_PHASES: readonly MigrationPhase[] = ['succeeded', 'cut-over', 'failed', 'cancelled'];

/** Operator stop. The workflow stops the remote task, waits for `TERMINATED`, optionally deletes it, and ends CANCELLED. */
export interface CancelRequest {
  reason: string;
  /** Delete the remote task once stopped; defaults to the input's `deleteOnCancel`. */
  delete?: boolean;
}

export interface CutoverRequest {
  /** Free text recorded in the status (who / why). Never put secrets here: it is stored in history. */
  note?: string;
}

export interface CutoverAccepted {
  /** Incremental lag (pending changes) last reported by DCS when the cutover was accepted; 0 = in sync. */
  offset: number | undefined;
  acceptedAt: string;
}

/** Progress figures from ShowMigrationTaskStats (online tasks), as numbers. */
export interface MigrationProgress {
  fullMigrationProgress?: number;
  /** Changes not yet applied to the target; 0 = in sync. */
  offset?: number;
  sourceDbSize?: number;
  targetDbSize?: number;
  targetOps?: number;
  targetInputKbps?: number;
  isMigrating?: boolean;
}

/** ISO timestamps (workflow time) of the milestones reached so far. */
export interface MigrationTimings {
  startedAt: string;
  taskCreatedAt?: string;
  migratingAt?: string;
  holdStartedAt?: string;
  stopRequestedAt?: string;
  finishedAt?: string;
}

export interface MigrationLastError {
  /** The failure type, e.g. a DcsError class name (`DcsServerError`) or `ScheduleToClose`. */
  type: string;
  message: string;
  at: string;
}

/** Why and when the incremental hold ended (or is ending): an operator's cutover, or `hold.maxDuration`. */
export interface MigrationCutover {
  by: 'operator' | 'deadline';
  /** When the cutover was accepted, or the deadline noticed (workflow time). */
  requestedAt: string;
  /** The operator's note (`CutoverRequest.note`). */
  note?: string;
}

/**
 * What the `status` query and the result both report, under the same names, built by one function
 * (`workflows/state.ts` `reportOf`). The search attributes mirror `taskId` and `remoteStatus` (`DcsTaskId`,
 * `DcsRemoteStatus`).
 */
export interface MigrationReport {
  /** The DCS task name (the input's `taskName`, or derived from the workflow id). */
  taskName: string | undefined;
  taskId: string | undefined;
  /** The DCS task status last seen (`SUCCESS`, `INCRMIGEATING`, `TERMINATED`, …). */
  remoteStatus: string | undefined;
  progress: MigrationProgress | undefined;
  timings: MigrationTimings;
  /** Activity executions that completed, per activity (one DCS operation each). */
  apiCalls: Record<string, number>;
  /** Attempts those activities took in total, retries included. */
  activityAttempts: number;
  polls: number;
  /** Shared polling: waits on the worker's status watcher (not API calls: the watcher lists for everyone). */
  watcherWaits?: number;
  /** How many times the workflow continued as new. */
  continuedAsNew: number;
  /**
   * When `progress` was last read from DCS (workflow time). Progress is not read again once the task is stopped
   * or has succeeded: on a finished run it describes the task as of this time, before the stop.
   */
  progressReadAt?: string;
  /** Set once the incremental hold's end was requested; absent for a full migration or backup import. */
  cutover?: MigrationCutover;
  /** Present once the verify step (when requested) has ended. */
  verification?: VerificationResult;
}

/** What the `status` query returns: the report, and where the run is. */
export interface MigrationStatus extends MigrationReport {
  kind: MigrationKind | undefined;
  phase: MigrationPhase;
  lastError: MigrationLastError | undefined;
  cancel: CancelRequest | undefined;
}

/** What the optional verify step found (see `verify/` for the comparison). Keys are shown printable, never values. */
export interface VerificationResult {
  /** `clean`: 0 differences; `differences`: some were found; `error`: the comparison could not run to the end. */
  outcome: 'clean' | 'differences' | 'error';
  error?: string;
  mode?: string;
  totalDifferences?: number;
  /** Differences per kind, all databases together. */
  byKind?: Record<string, number>;
  keysCompared?: number;
  rounds?: number;
  durationMs?: number;
  /** The first differences (`verify.maxListed`); `shard` is the `host:port` the key was scanned on (a cluster's master). Absent in results of older workers. */
  differences?: Array<{ db: number; shard?: string; key: string; kind: string; detail: string }>;
}

/**
 * The result of a migration that completed: the report, with the task known. A failed one ends with an error, a
 * cancelled one ends CANCELLED. Results written before the report was unified name `remoteStatus` `finalStatus`
 * and `cutover.by` `holdEndedBy` (see {@link LegacyMigrationResultFields}); the CLI reads both.
 */
export interface MigrationResult extends MigrationReport {
  /** `succeeded`: full migration / backup import done. `cut-over`: incremental hold ended and task stopped. */
  outcome: 'succeeded' | 'cut-over';
  taskId: string;
  taskName: string;
  /** The final DCS task status: `SUCCESS`, or `TERMINATED` after a cutover. */
  remoteStatus: string;
}

/** The names results and status answers had before `MigrationReport` (runs that closed, workers not yet upgraded). */
export interface LegacyMigrationResultFields {
  /** Now `remoteStatus`. */
  finalStatus?: string;
  /** Now `cutover.by`. */
  holdEndedBy?: 'operator' | 'deadline';
}
export interface LegacyMigrationStatusFields {
  /** Now `cutover` (set when requested). */
  cutoverRequested?: boolean;
}

/** Failure types the workflow itself raises (activity failures keep the DcsError class name as their type). */
export const MigrationFailureType = {
  InvalidInput: 'InvalidMigrationInput',
  RemoteTaskFailed: 'RemoteTaskFailed',
  RemoteJobFailed: 'RemoteJobFailed',
  UnknownRemoteStatus: 'UnknownRemoteStatus',
  RemoteTaskMissing: 'RemoteTaskMissing',
  PollingFailed: 'PollingFailed',
  RemoteTaskNotStopped: 'RemoteTaskNotStopped',
  CleanupFailed: 'CleanupFailed',
  /**
   * A password reference of the input cannot be resolved on the worker (checked before any remote task is
   * created; the message names every such reference, never a value). Also raised by an activity that resolves it.
   */
  SecretUnavailable: 'SecretUnavailable',
  /** The task found by name is driven by another running migration (named in the message); it is left alone. */
  RemoteTaskOwned: 'RemoteTaskOwned',
  /** The `cutover` update was refused (not in the incremental hold, or already requested); nothing was recorded. */
  CutoverRejected: 'CutoverRejected',
} as const;

/** Stop the migration (any phase before the end). Temporal's own cancellation does the same with a default reason. */
export const cancelSignal = defineSignal<[CancelRequest]>('cancel');
/** End the incremental hold. Ignored (and logged) outside the hold: use {@link cutoverUpdate} to get an answer. */
export const cutoverSignal = defineSignal<[CutoverRequest]>('cutover');
/** Like the signal, but acknowledged: rejected (nothing recorded) unless the migration is in the incremental hold. */
export const cutoverUpdate = defineUpdate<CutoverAccepted, [CutoverRequest]>('cutover');
/** Where the migration is: phase, remote status, progress, last error, API call counts, timings. */
export const statusQuery = defineQuery<MigrationStatus>('status');
