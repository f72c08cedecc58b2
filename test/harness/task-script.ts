/**
 * What DCS (and the worker around it) answers one migration in the time-skipping tests: the one description the
 * fake activities (`fake-activities.ts`) play back, per workflow id. Everything a scenario needs is said here —
 * the task's statuses, the faults of single calls, the switch, restarts, the task's log, owners, the verify step's
 * answer and the worker's environment — so a test reads as "DCS does this, the workflow must do that".
 */
import type { Activities } from '../../activities/index.js';
import type { TaskLogEntry, VerificationResult } from '../../common/workflow-contract.js';

/** A read of the task that says more than its status: DCS's error message, and log entries the task wrote. */
export interface TaskRead {
  status: string;
  /** DCS's `error_message` (a failed task). */
  errorMessage?: string;
  /** Appended to the task's log when this read is first answered (what the task wrote while getting here). */
  log?: TaskLogEntry[];
}

/** One read of the task: a status, a fuller read, a failed read (retries exhausted at once), or no task. */
export type ReadAnswer = string | TaskRead | { fail: string } | { absent: true };

/** What one wait on the shared status watcher answers, or `fail` to throw as a worker without a watcher does. */
export type WatchAnswer = 'changed' | 'absent' | 'timeout' | 'watcher-failing' | 'fail';

/**
 * One call's fault, in the emulator's vocabulary (`emulator/faults/fault-rules.ts`): an HTTP error answer (mapped to
 * the DCS client's error class by the client's own mapping, then converted as the activities convert it), a
 * dropped connection (no answer), or a call that took effect although its answer was lost. `latencyMs` (real
 * time) keeps the call in flight, e.g. to cancel meanwhile.
 */
export interface Fault {
  latencyMs?: number;
  status?: number;
  errorCode?: string;
  errorMessage?: string;
  /** `Retry-After` of a 429 or 5xx answer. */
  retryAfterMs?: number;
  drop?: boolean;
  commitThenDrop?: boolean;
}

/** Activities a fault can hit: the DCS calls (`*`: every one), or any recorded activity by name. */
export type FaultTarget = keyof Activities | '*';

export interface FaultRule extends Fault {
  activity: FaultTarget;
  /** Which calls of the activity (1-based, per workflow; every attempt counts); all when omitted. */
  calls?: number[];
}

/** DCS's answer to BatchRestartOnlineMigrationTasks for the task. */
export type RestartScript = { delivered: true } | { delivered: false; errorCode: string; errorMessage: string };

/**
 * The client switch (`cutover.switch`), as the task and the servers show it. An exchange moves the addresses
 * (unless scripted not to), so the post-switch check, which asks which server answers at the source's old
 * address, passes or fails by itself.
 */
export interface SwitchScript {
  /** The sides' addresses the task shows (`host:port`); default two addresses on port 6379. */
  source?: string;
  target?: string;
  /** `run_id` of the servers at the two addresses before any switch. */
  sourceRunId?: string;
  targetRunId?: string;
  /** Whether the servers run cluster mode (default no). */
  cluster?: { source?: boolean; target?: boolean };
  /** Switch-status reads showing EXCHANGING after an exchange or a rollback (default 1); `never`: it never settles. */
  settleReads?: number | 'never';
  /**
   * Which exchanges (1-based) report success without moving the addresses (the emulator's `ipSwitch: { swap:
   * false }` fault): the post-switch check then fails.
   */
  unmovedExchanges?: number[];
}

export interface TaskScript {
  /** The status the create call answers (undefined: none, as CreateOnlineMigrationTask). */
  created?: string;
  /** A task with the migration's name exists before it starts: the lookup before creating finds it. */
  existing?: boolean;
  /** The running migration that drives the task (`findTaskOwner`), if another one does. */
  owner?: string;
  /** Online tasks: reads until the configure call (default RUNNING); the last one repeats. */
  provisioning?: ReadAnswer[];
  /** Answers of successive reads (list by name; Show by id repeats the list's answer); the last one repeats. */
  reads: ReadAnswer[];
  /** What stopTask answers (default TERMINATING). */
  stopAnswer?: string;
  /** Reads after the stop call (default: TERMINATED); the last one repeats. */
  afterStop?: ReadAnswer[];
  /** Answers of successive shared-watcher waits; the last one repeats. `changed` hands over the next read answer. */
  watch?: WatchAnswer[];
  /** Offsets of successive progress reads (showTaskStats); the last one repeats (default 0). */
  offsets?: number[];
  /** Answer by workflow time instead of `reads` (until a stop): see {@link TimelineScript}. */
  timeline?: TimelineScript;
  /** Faults of single calls; the first rule that matches a call decides. */
  faults?: FaultRule[];
  /** DCS out of reach for a while: see {@link OutageScript}. */
  outage?: OutageScript;
  /** Answers of successive restart calls (default: delivered); the last one repeats. */
  restarts?: RestartScript[];
  /** The task's log before any read added to it (oldest first). */
  log?: TaskLogEntry[];
  switch?: SwitchScript;
  /** What the verify step finds (without it, verifyData fails as not scripted). */
  verify?: VerificationResult;
  /**
   * The worker's environment, where `{ env }` password references resolve (reference checks, password comparison,
   * log scrubbing); default {@link DEFAULT_WORKER_ENV}. `{ file }` references read real files.
   */
  workerEnv?: Record<string, string>;
}

/**
 * A copy that runs on a clock: FULLMIGRATING for `fullSyncMs` (workflow time) from the configure call (online:
 * RUNNING until then) or else from the create call, with stats growing steadily over `keys` keys, then `endStatus`.
 */
export interface TimelineScript {
  fullSyncMs: number;
  endStatus?: string;
  keys?: number;
}

/** The variables test inputs name their passwords by, as a worker would have them. */
export const DEFAULT_WORKER_ENV: Record<string, string> = {
  SOURCE_REDIS_PASSWORD: 'fake-source-password-3c1e',
  TARGET_REDIS_PASSWORD: 'fake-target-password-8d4b',
};

/** A task log entry as DCS writes one (ERROR unless said otherwise). */
export function logEntry(code: string, message: string, level: 'INFO' | 'ERROR' = 'ERROR'): TaskLogEntry {
  return { at: '2026-01-01T00:00:00.000Z', level, code, message };
}

/**
 * DCS down (`refused`) or throttling (`throttled`) from `fromMs` after the workflow's first DCS call, for `forMs`
 * (workflow time): every DCS call fails as the worker's throttle refuses one while DCS is out of reach
 * (`DcsNetworkError` / `DcsRateLimitedError`, not sent, a minute's hold), through the real conversion.
 */
export interface OutageScript {
  fromMs: number;
  forMs: number;
  kind: 'refused' | 'throttled';
}
