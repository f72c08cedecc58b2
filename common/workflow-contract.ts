/**
 * What the migration workflow promises its callers: its type name, the messages it accepts (signals, the
 * `cutover` update, the `status` query), its phases and its result. The client side (CLI, tests) imports this;
 * nothing here touches I/O, and `define*` from @temporalio/workflow is safe outside a workflow.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { STATUS_QUERY_NAME } from './workflow-names.js';
import type { MigrationKind } from './migration-input.js';
import type { PrecheckOutcome } from './precheck.js';

/** The registered workflow type (the exported function name in `workflows/index.ts`). */
export const MIGRATION_WORKFLOW_TYPE = 'dcsMigration';

export { MIGRATION_PHASES, type MigrationPhase } from './migration-phases.js';
import type { MigrationPhase } from './migration-phases.js';

export const TERMINAL_PHASES: readonly MigrationPhase[] = [
  'succeeded',
  'cut-over',
  'rolled-back',
  'failed',
  'cancelled',
];

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
  /**
   * What happens now, in words: `cutting over now`, or what it waits for (`waiting for offset 0 for 3
   * consecutive reads (1 of 3 so far)`, `deferred to the window at 02:00 Asia/Shanghai (in 3 h 12 min)`).
   * Absent from workers older than the cutover policy.
   */
  outlook?: string;
  /** True when nothing holds the cutover back: the task is stopped after the next read. */
  immediate?: boolean;
  /** The policy as it stood when the request was accepted (the `status` query shows it live). */
  policy?: CutoverPolicyStatus;
}

/**
 * The cutover policy of an incremental migration (input `cutover`) as it stands: what the hold waits for before
 * it ends. Part of the `status` answer while the migration may still cut over; the same text is shown in the
 * Temporal UI (the workflow's current details).
 */
export interface CutoverPolicyStatus {
  mode: 'manual' | 'auto';
  /** An operator asked for the cutover (in `auto` too: the request then waits for the same policy). */
  requested: boolean;
  gate?: {
    maxOffset: number;
    consecutiveReads: number;
    /** Consecutive progress reads so far with the offset at or below `maxOffset`. */
    reads: number;
    lastOffset?: number;
    holds: boolean;
  };
  window?: {
    /** `02:00–04:00 Asia/Shanghai`. */
    description: string;
    open: boolean;
    opensAt?: string;
    closesAt?: string;
  };
  deadline?: {
    at: string;
    onDeadline: 'cutover' | 'fail' | 'hold';
    passed: boolean;
  };
  /** Nothing holds the cutover back (the gate holds, the window is open, and a request is in or the mode is `auto`). */
  ready: boolean;
  /** What the cutover waits for, one reason each; empty when `ready`. */
  waitingFor: string[];
  /** One line: `cutting over now` or `waiting for …`. */
  summary: string;
}

export interface RollbackRequest {
  /** Free text recorded in the status (who / why). Never put secrets here: it is stored in history. */
  note?: string;
  /**
   * Go back without the writes made on the target since the switch: needed while the reverse task cannot keep
   * them yet (`cutover.rollback: keep-writes`; being created, in its full sync, failed), and it cuts short a
   * rollback waiting for the reverse task to catch up.
   */
  force?: boolean;
}

export interface RollbackAccepted {
  acceptedAt: string;
  /** When DCS reported ROLLBACK_SUCCESS (absent if the migration ended otherwise first). */
  finishedAt?: string;
  /** The source held every write made on the target since the switch when the clients went back to it. */
  keptWrites?: boolean;
}

/**
 * The reverse task of the rollback window (`cutover.rollback: keep-writes`, common/reverse-sync.ts): a second DCS
 * online migration task from the target back into the source, started right after the switch, so a rollback
 * keeps the writes made on the target since. `state`: `creating` → `full-sync` → `in-sync` / `lagging` (its
 * offset) → `stopped` (caught up before a rollback, or the window ended) → `deleted`; `failed` when DCS reports it
 * failed (`reason` quotes its log); `unavailable` when DCS cannot run one for the pair (no task; `reason` says why).
 */
export interface ReverseSync {
  state: 'creating' | 'full-sync' | 'in-sync' | 'lagging' | 'failed' | 'stopped' | 'deleted' | 'unavailable';
  taskName: string;
  taskId?: string;
  remoteStatus?: string;
  fullSyncProgress?: number;
  /** While in its full sync: when it should end at its pace so far, i.e. when a rollback starts keeping writes. */
  fullSyncEndsAt?: string;
  /** Changes made on the target not yet applied to the source (0: the source holds every write). */
  offset?: number;
  /** A rollback now keeps the writes made on the target since the switch (after the reverse task caught up). */
  keepsWrites: boolean;
  reason?: string;
  startedAt?: string;
  /** When it first reached its incremental state. */
  inSyncAt?: string;
  endedAt?: string;
  /**
   * Keys the rollback deleted from the source itself: deleted on the target between the switch and the reverse
   * task's full sync, which copies what the target holds and cannot carry a delete (`activities/rollback-prune.ts`).
   */
  deletesCarried?: number;
}

/**
 * The client switch of `cutover.switch` (ExchangeInstanceIp): what happened, in order. `state`:
 * `switching` (exchange-ip called) → `switched` (EXCHANGE_SUCCESS and the check) → [`rolling-back` →
 * `rolled-back`]; `refused` when the pair is not eligible (no exchange-ip call was made).
 */
export interface MigrationSwitch {
  mode: 'ip' | 'domain';
  state: 'refused' | 'switching' | 'switched' | 'rolling-back' | 'rolled-back';
  requestedAt?: string;
  switchedAt?: string;
  /**
   * The post-switch check: through the source's old address, the worker must reach the server it reached at the
   * target's address before the switch (Redis `run_id`), and write and read `cutover.canaryKey` when set.
   */
  check?: { outcome: 'passed' | 'failed'; evidence: string };
  rollback?: {
    by: 'operator' | 'check';
    requestedAt: string;
    finishedAt?: string;
    note?: string;
    reason?: string;
    /** `dcs-migrate rollback --force`: without waiting for the reverse task. */
    force?: boolean;
    /** The source held every write made on the target since the switch (the reverse task had caught up). */
    keptWrites?: boolean;
  };
  /** What a rollback of this switch restores (`cutover.rollback`, or the fallback when DCS cannot keep writes). */
  rollbackMode?: 'keep-writes' | 'addresses-only';
  /** `keep-writes`: the reverse task (absent in runs before it, and with `addresses-only`). */
  reverse?: ReverseSync;
  /** The last operator rollback that could not keep the writes and was called off (the window went on). */
  rollbackRefused?: { at: string; reason: string };
  /** The eligibility checks that did not pass (warnings, or the failures that refused the switch). */
  eligibility?: PrecheckOutcome[];
  /** How many times the clients were switched (a rollback back to the hold may be followed by another switch). */
  switches?: number;
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

/**
 * Why and when the incremental hold ended (or is ending): an operator's cutover, the `auto` policy once its gate
 * held, or `hold.maxDuration`. An operator's request is recorded at once and may wait for the policy (input
 * `cutover`): `decidedAt` tells when the policy let it run.
 */
export interface MigrationCutover {
  by: 'operator' | 'auto' | 'deadline';
  /** When the cutover was accepted, or the deadline noticed (workflow time). */
  requestedAt: string;
  /** The operator's note (`CutoverRequest.note`). */
  note?: string;
  /** When the hold's end was decided (the gate held in the window, or the deadline passed); absent while it waits. */
  decidedAt?: string;
  /** Why it was decided then: `offset ≤ 0 for 3 consecutive reads`, `hold.maxDuration passed`. */
  reason?: string;
}

/** One entry of the remote task's log (ListMigrationTaskLogs), secrets scrubbed by the activity that read it. */
export interface TaskLogEntry {
  /** As DCS wrote it, e.g. `2026-11-24T00:08:38.618Z`. */
  at: string;
  level: string;
  code: string;
  message: string;
}

/** One restart of the remote task (the same task: BatchRestartOnlineMigrationTasks). */
export interface MigrationRestart {
  /** When the restart was delivered (workflow time). */
  at: string;
  /** `policy`: the input's `restart` block after a lost connection; `operator`: `dcs-migrate restart`. */
  by: 'policy' | 'operator';
  /** Why the task had failed (its error message, or the last ERROR log entry), scrubbed of secrets. */
  reason: string;
  note?: string;
}

/** Restarts of the remote task so far; absent until the first one. */
export interface MigrationRestarts {
  count: number;
  /** Restarts the policy made (they count against `restart.maxAttempts`). */
  byPolicy: number;
  last: MigrationRestart;
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
  /** The pre-flight checks that warned or failed (`common/precheck.ts`); absent when every check passed or none ran. */
  prechecks?: PrecheckOutcome[];
  /** `cutover.switch` only: the client switch and its rollback, once the switch step began. */
  switch?: MigrationSwitch;
  /** Restarts of the remote task (input `restart`, `dcs-migrate restart`); absent until the first one. */
  restarts?: MigrationRestarts;
  /**
   * Set while the task has failed and the workflow waits before restarting it: until when (workflow time), and
   * whether an automatic restart follows (`policy`) or only an operator's (`operator`).
   */
  restartPending?: { until: string; by: 'policy' | 'operator'; reason: string };
}

/** Something that went wrong without failing the migration (a webhook that kept failing). */
export interface MigrationWarning {
  /** What it is about, e.g. `notify.webhooks[0]`. */
  field: string;
  message: string;
  at: string;
}

/** What the `status` query returns: the report, and where the run is. */
export interface MigrationStatus extends MigrationReport {
  kind: MigrationKind | undefined;
  phase: MigrationPhase;
  lastError: MigrationLastError | undefined;
  cancel: CancelRequest | undefined;
  /** Incremental migrations that may still cut over: the cutover policy, live (mode, gate, window, deadline). */
  cutoverPolicy?: CutoverPolicyStatus;
  /** The latest warnings (at most 10), absent when there were none. */
  warnings?: MigrationWarning[];
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
  /** `rolled-back`: the clients were switched, then switched back, and the file said `afterRollback: end`. */
  outcome: 'succeeded' | 'cut-over' | 'rolled-back';
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
  /**
   * A pre-flight check failed (input `prechecks.mode: enforce`); nothing was created. The message names each
   * failing check (`id (evidence)`); the details carry every outcome (`{ outcomes: PrecheckOutcome[] }`).
   */
  PrecheckFailed: 'PrecheckFailed',
  /** The `cutover` update was refused (not in the incremental hold, or already requested); nothing was recorded. */
  CutoverRejected: 'CutoverRejected',
  /** `hold.maxDuration` passed before the cutover policy let the hold end, and `cutover.onDeadline` is `fail`. */
  HoldDeadlinePassed: 'HoldDeadlinePassed',
  /** `cutover.switch`: the pair cannot be switched (the message lists the failed eligibility checks); no exchange-ip call was made. */
  SwitchRefused: 'SwitchRefused',
  /** `cutover.switch`: DCS did not report the switch (or its rollback) as done in time. */
  SwitchFailed: 'SwitchFailed',
  /** The `rollback` update was refused (no switch to roll back, or the rollback window is over). */
  RollbackRejected: 'RollbackRejected',
  /** The `restart` update was refused: the migration is not waiting to restart its failed task. */
  RestartRejected: 'RestartRejected',
  /** DCS refused to restart the task (BatchRestartOnlineMigrationTasks answered `failed`) and the task did not run again. */
  RestartFailed: 'RestartFailed',
  /**
   * DCS could not be reached (no answer, 5xx, throttled) for longer than `polling.dcsOutageTolerance`. The details
   * say since when (`unreachableSince`), the tolerance (`toleranceMs`) and the last error (`lastError`).
   */
  DcsUnavailable: 'DcsUnavailable',
} as const;

/** Stop the migration (any phase before the end). Temporal's own cancellation does the same with a default reason. */
export const cancelSignal = defineSignal<[CancelRequest]>('cancel');
/** End the incremental hold. Ignored (and logged) outside the hold: use {@link cutoverUpdate} to get an answer. */
export const cutoverSignal = defineSignal<[CutoverRequest]>('cutover');
/** Like the signal, but acknowledged: rejected (nothing recorded) unless the migration is in the incremental hold. */
export const cutoverUpdate = defineUpdate<CutoverAccepted, [CutoverRequest]>('cutover');
/** Switch the clients back to the source (rollback-ip), accepted only in the `switched` phase (the rollback window). */
export const rollbackUpdate = defineUpdate<RollbackAccepted, [RollbackRequest]>('rollback');
export interface RestartRequest {
  /** Free text recorded with the restart (who / why). Never put secrets here: it is stored in history. */
  note?: string;
}

export interface RestartAccepted {
  acceptedAt: string;
  /** What the task had failed with. */
  reason: string;
}

/**
 * Restart the failed remote task now (the same task). Accepted only while the migration waits to restart it: in the
 * input's `restart.backoff` wait, or in its `restart.waitForOperator` window; rejected (nothing recorded) otherwise.
 */
export const restartUpdate = defineUpdate<RestartAccepted, [RestartRequest]>('restart');
/** Where the migration is: phase, remote status, progress, last error, API call counts, timings. */
export const statusQuery = defineQuery<MigrationStatus>(STATUS_QUERY_NAME);
