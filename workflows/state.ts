/**
 * The workflow's memory. It is carried across continue-as-new as the workflow's second argument, so it holds
 * only plain data, and everything the `status` query and the result report comes from it, under the same names:
 * the report's fields are declared once (`MigrationReport`), and {@link reportOf} copies them.
 *
 * A state written by an older version arrives as the second argument after a continue-as-new across an upgrade:
 * add fields only as optional ones (or default them where the state is read), never rename one.
 */
import type { MigrationInput } from '../common/migration-input.js';
import type {
  MigrationReport,
  MigrationResult,
  MigrationStatus,
  VerificationResult,
} from '../common/workflow-contract.js';
import type { CutoverGateState } from './cutover-policy.js';
import type { PhaseTrack } from './phase-estimate.js';

export interface MigrationState
  extends Omit<MigrationReport, 'verification'>, Pick<MigrationStatus, 'phase' | 'lastError' | 'cancel' | 'warnings'> {
  jobId: string | undefined;
  /** Online flows: SetOnlineMigrationTask was accepted (or the task is already past RUNNING). */
  configured: boolean;
  /** Polls since the remote status last changed (drives the adaptive interval). */
  unchangedPolls: number;
  /** Consecutive polls with a status the workflow does not know. */
  unknownStatusPolls: number;
  /** Consecutive polls whose reads all failed. */
  failedPolls: number;
  /** When the reads began failing for DCS being unreachable (`steps/outage.ts`); absent while DCS answers. */
  dcsUnreachableSince?: string | undefined;
  /** When a read last found the task (workflow time), for the metrics' last-read gauge (optional: older states lack it). */
  statusReadAt?: string;
  /** When the current phase began (workflow time), for the metrics (optional: older states lack it). */
  phaseSince?: string;
  /** The cutover gate's count and what the hold loop has noticed (`steps/cutover-gate.ts`); absent before the hold. */
  cutoverGate?: CutoverGateState;
  /** An operator's `restart` update, accepted while `restartPending`; consumed by the restart. */
  operatorRestart?: { requestedAt: string; note?: string } | undefined;
  /** Reads since a restart that still showed the failed status (DCS may not show the restart at once). */
  readsSinceRestart?: number | undefined;
  /** ERROR entries in the task's log when it was restarted: one more means the restarted run failed too. */
  errorEntriesAtRestart?: number | undefined;
  /** Progress reads of the current status, for the estimate of its end (predictive polling, `steps/predict.ts`). */
  phaseTrack?: PhaseTrack;
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

/** The fields the status and the result share, copied from the state (the verify step's result is not state). */
export function reportOf(state: MigrationState, verification: VerificationResult | undefined): MigrationReport {
  return {
    taskName: state.taskName,
    taskId: state.taskId,
    remoteStatus: state.remoteStatus,
    progress: state.progress,
    timings: { ...state.timings },
    apiCalls: { ...state.apiCalls },
    activityAttempts: state.activityAttempts,
    polls: state.polls,
    ...(state.watcherWaits !== undefined ? { watcherWaits: state.watcherWaits } : {}),
    continuedAsNew: state.continuedAsNew,
    ...(state.progressReadAt !== undefined ? { progressReadAt: state.progressReadAt } : {}),
    ...(state.cutover ? { cutover: { ...state.cutover } } : {}),
    ...(state.switch ? { switch: { ...state.switch } } : {}),
    ...(verification ? { verification } : {}),
    ...(state.prechecks?.length ? { prechecks: state.prechecks.map((outcome) => ({ ...outcome })) } : {}),
    ...(state.restarts ? { restarts: { ...state.restarts, last: { ...state.restarts.last } } } : {}),
    ...(state.restartPending ? { restartPending: { ...state.restartPending } } : {}),
  };
}

export function statusOf(
  state: MigrationState,
  input: MigrationInput | undefined,
  verification?: VerificationResult,
): MigrationStatus {
  return {
    ...reportOf(state, verification),
    kind: input?.kind,
    phase: state.phase,
    lastError: state.lastError,
    cancel: state.cancel,
    ...(state.warnings?.length ? { warnings: [...state.warnings] } : {}),
  };
}

export function resultOf(
  state: MigrationState,
  outcome: MigrationResult['outcome'],
  verification?: VerificationResult,
): MigrationResult {
  return {
    ...reportOf(state, verification),
    outcome,
    taskId: state.taskId ?? '',
    taskName: state.taskName ?? '',
    remoteStatus: state.remoteStatus ?? '',
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
      type:
        typeof type === 'string' ? type : timeoutType !== undefined ? `Timeout:${String(timeoutType)}` : current.name,
      message: current.message,
    };
  }
  return { type: 'Error', message: String(error) };
}
