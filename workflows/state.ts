/**
 * The workflow's memory. It is carried across continue-as-new as the workflow's second argument, so it holds
 * only plain data, and everything the `status` query and the result report comes from it.
 */
import type { MigrationInput } from '../common/migration-input.js';
import type {
  CancelRequest,
  MigrationLastError,
  MigrationPhase,
  MigrationProgress,
  MigrationResult,
  MigrationStatus,
  MigrationTimings,
} from '../common/workflow-contract.js';

export interface MigrationState {
  phase: MigrationPhase;
  taskName: string | undefined;
  taskId: string | undefined;
  jobId: string | undefined;
  /** Online flows: SetOnlineMigrationTask was accepted (or the task is already past RUNNING). */
  configured: boolean;
  remoteStatus: string | undefined;
  progress: MigrationProgress | undefined;
  lastError: MigrationLastError | undefined;
  apiCalls: Record<string, number>;
  activityAttempts: number;
  polls: number;
  /** Polls since the remote status last changed (drives the adaptive interval). */
  unchangedPolls: number;
  /** Consecutive polls with a status the workflow does not know. */
  unknownStatusPolls: number;
  /** Consecutive polls whose reads all failed. */
  failedPolls: number;
  continuedAsNew: number;
  /** Shared polling: waits on the worker's status watcher that ended with a change, a timeout or an absence. */
  watcherWaits?: number;
  /** When progress figures were last read (they are refreshed at most every `polling.progressInterval`). */
  progressReadAt?: string;
  timings: MigrationTimings;
  cancel: CancelRequest | undefined;
  cutover: { requestedAt: string; by: 'operator' | 'deadline'; note?: string } | undefined;
}

export function initialState(now: Date): MigrationState {
  return {
    phase: 'validating',
    taskName: undefined,
    taskId: undefined,
    jobId: undefined,
    configured: false,
    remoteStatus: undefined,
    progress: undefined,
    lastError: undefined,
    apiCalls: {},
    activityAttempts: 0,
    polls: 0,
    unchangedPolls: 0,
    unknownStatusPolls: 0,
    failedPolls: 0,
    continuedAsNew: 0,
    timings: { startedAt: now.toISOString() },
    cancel: undefined,
    cutover: undefined,
  };
}

export function statusOf(state: MigrationState, input: MigrationInput | undefined): MigrationStatus {
  return {
    kind: input?.kind,
    phase: state.phase,
    taskName: state.taskName,
    taskId: state.taskId,
    remoteStatus: state.remoteStatus,
    progress: state.progress,
    lastError: state.lastError,
    apiCalls: { ...state.apiCalls },
    activityAttempts: state.activityAttempts,
    polls: state.polls,
    ...(state.watcherWaits !== undefined ? { watcherWaits: state.watcherWaits } : {}),
    continuedAsNew: state.continuedAsNew,
    timings: { ...state.timings },
    cancel: state.cancel,
    cutoverRequested: state.cutover !== undefined,
  };
}

export function resultOf(state: MigrationState, outcome: MigrationResult['outcome']): MigrationResult {
  return {
    outcome,
    ...(state.cutover ? { holdEndedBy: state.cutover.by } : {}),
    taskId: state.taskId ?? '',
    taskName: state.taskName ?? '',
    finalStatus: state.remoteStatus ?? '',
    progress: state.progress,
    timings: { ...state.timings },
    apiCalls: { ...state.apiCalls },
    activityAttempts: state.activityAttempts,
    polls: state.polls,
    continuedAsNew: state.continuedAsNew,
  };
}

/** One-line description of an error for `lastError` (messages carry no secrets: activities scrub them). */
export function recordError(state: MigrationState, error: unknown, now: Date): void {
  const { type, message } = describeError(error);
  state.lastError = { type, message, at: now.toISOString() };
}

export function describeError(error: unknown): { type: string; message: string } {
  let current: unknown = error;
  // ActivityFailure wraps the interesting part (ApplicationFailure / TimeoutFailure) in `cause`.
  while (current instanceof Error && current.name === 'ActivityFailure' && current.cause) current = current.cause;
  if (current instanceof Error) {
    const type = (current as { type?: unknown }).type;
    const timeoutType = (current as { timeoutType?: unknown }).timeoutType;
    return {
      type: typeof type === 'string' ? type : timeoutType !== undefined ? `Timeout:${String(timeoutType)}` : current.name,
      message: current.message,
    };
  }
  return { type: 'Error', message: String(error) };
}
