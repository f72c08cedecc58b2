/**
 * A migration as the CLI shows it, and the rules for reading one, whichever way it was read: through the Temporal
 * SDK (`migration-view.ts`) or through Temporal's HTTP API (`read-migration-http.ts`, the fast `status` path).
 * Nothing here loads the SDK at run time: the fast path must not pay for it.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { CODEC_KEY_FILE_VAR, CODEC_KEYS_VAR } from '../codec/codec-env.js';
import type {
  LegacyMigrationResultFields,
  LegacyMigrationStatusFields,
  MigrationCutover,
  MigrationResult,
  MigrationStatus,
} from '../common/workflow-contract.js';
import { conciseFailure, credentialHint, isCredentialFailure } from './failure-text.js';

/** Temporal's execution status names (`RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, `TERMINATED`, …). */
export type ExecutionStatusName = WorkflowExecutionDescription['status']['name'];

export interface MigrationView {
  workflowId: string;
  runId: string;
  execution: ExecutionStatusName;
  startTime: string;
  closeTime: string | undefined;
  /** From the search attributes: readable even when no worker runs. */
  phase: string | undefined;
  remoteStatus: string | undefined;
  taskId: string | undefined;
  migrationType: string | undefined;
  /** The task queue the run's workflow tasks go to (where its worker must poll). */
  taskQueue?: string;
  /** From the `status` query; undefined when no worker answered in time. */
  status: StatusAsRead | undefined;
  /** Why `status` is undefined: no worker polls the task queue, the answer could not be decrypted, none in time. */
  statusUnavailable?: string;
  /**
   * Activities scheduled or running now, as Temporal's server sees them: a retrying DCS call shows here (attempt,
   * last failure, next attempt) long before the workflow counts it.
   */
  pendingActivities?: PendingActivityView[];
  /** Set when the run completed. */
  result: ResultAsRead | undefined;
  /** The failure message when the run failed, was cancelled, terminated or timed out. */
  failure: string | undefined;
  /** What to do about the failure or the retries, when it is known (e.g. which worker variables to check). */
  hint?: string;
  /** A failed run: what it did to its remote task on the way out (input `onFailure`), e.g. "remote task 12 stopped (TERMINATED)". */
  remoteTaskOnFailure?: string;
}

/** One pending activity of the run (from `describe()`). */
export interface PendingActivityView {
  activity: string;
  /** `scheduled` (waiting for its next attempt or a worker), `started`, `cancel-requested`, `paused`, … */
  state: string;
  /** The attempt running or coming next (1 = the first). */
  attempt: number;
  /** First line of the last attempt's failure. */
  lastFailure?: string;
  /** When the next attempt is scheduled (ISO), while it waits for it. */
  nextAttemptAt?: string;
}

/**
 * A cutover as read back. A result written, or a status answered by a worker, from before the unified report
 * (`MigrationReport`) says only by whom the hold ended (`holdEndedBy`), or only that a cutover was requested
 * (`cutoverRequested`).
 */
export type CutoverAsRead = Partial<MigrationCutover>;
/** The `status` answer under the current names, whichever version of the worker answered it. */
export type StatusAsRead = Omit<MigrationStatus, 'cutover'> & { cutover?: CutoverAsRead };
/** The result under the current names, including results of runs that closed before the report was unified. */
export type ResultAsRead = Omit<MigrationResult, 'cutover'> & { cutover?: CutoverAsRead };

/** A `status` answer under the current names: an older worker's `cutoverRequested` becomes `cutover`. */
export function statusAsRead(answer: MigrationStatus & LegacyMigrationStatusFields): StatusAsRead {
  const { cutoverRequested, ...status } = answer;
  return status.cutover === undefined && cutoverRequested ? { ...status, cutover: {} } : status;
}

/** A result under the current names: an older run's `finalStatus` is `remoteStatus`, its `holdEndedBy` `cutover.by`. */
export function resultAsRead(raw: MigrationResult & LegacyMigrationResultFields): ResultAsRead {
  const { finalStatus, holdEndedBy, ...result } = raw;
  return {
    ...result,
    remoteStatus: result.remoteStatus ?? finalStatus ?? '',
    ...(result.cutover === undefined && holdEndedBy !== undefined ? { cutover: { by: holdEndedBy } } : {}),
  };
}

/** Execution statuses after which nothing changes any more. */
export function isClosed(execution: ExecutionStatusName): boolean {
  return execution !== 'RUNNING' && execution !== 'UNSPECIFIED';
}

/** True when a closed run did not end well (exit code 4 for `status`, `watch`, `start --wait`). */
export function endedBadly(view: MigrationView): boolean {
  return isClosed(view.execution) && view.execution !== 'COMPLETED' && view.execution !== 'CONTINUED_AS_NEW';
}

/** Failure messages on one line (unless `verbose`), and the hint a refused credential calls for. */
export function tidied(view: MigrationView, verbose: boolean): MigrationView {
  const lastError = view.status?.lastError;
  const credentials =
    isCredentialFailure(lastError?.type, lastError?.message) ||
    isCredentialFailure(undefined, view.failure) ||
    (view.pendingActivities ?? []).some((activity) => isCredentialFailure(undefined, activity.lastFailure));
  if (view.failure !== undefined) view.failure = conciseFailure(view.failure, verbose);
  if (view.status && lastError)
    view.status = { ...view.status, lastError: { ...lastError, message: conciseFailure(lastError.message, verbose) } };
  for (const activity of view.pendingActivities ?? [])
    if (activity.lastFailure) activity.lastFailure = conciseFailure(activity.lastFailure, verbose);
  if (credentials) view.hint = credentialHint();
  return view;
}

/** Pending activity states by their number in Temporal's API (`PendingActivityState`). */
export const PENDING_STATES: Record<number, string> = {
  1: 'scheduled',
  2: 'started',
  3: 'cancel-requested',
  4: 'paused',
  5: 'pause-requested',
};

export function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** True when the error (or one of its causes) is the codec's PayloadDecryptionError. */
export function isDecryptionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current.name === 'PayloadDecryptionError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Why the `status` query got no answer: the answer is encrypted and this CLI has no codec keys, no worker polls
 * the run's task queue (`pollers` 0; undefined when the server could not be asked), or (a worker polls but) none
 * answered within the timeout.
 */
export function noStatusReason(
  error: unknown,
  pollers: number | undefined,
  taskQueue: string,
  timeoutMs: number,
): string {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current.name === 'PayloadDecryptionError') {
      // Its message says which key and which variable (no keys here, or not the worker's).
      const named = current.message.includes(CODEC_KEYS_VAR)
        ? ''
        : ` (set ${CODEC_KEY_FILE_VAR} or ${CODEC_KEYS_VAR} to the worker's keys)`;
      return `a worker answered, but this CLI cannot decrypt the answer: ${current.message}${named}`;
    }
    current = (current as { cause?: unknown }).cause;
  }
  if (pollers === 0)
    return `no worker polls task queue "${taskQueue}": start one with DCS_MIGRATE_TASK_QUEUE=${taskQueue} dcs-migrate worker`;
  return `no worker answered the status query within ${Math.round(timeoutMs / 100) / 10}s (task queue "${taskQueue}")`;
}

/** The innermost useful message of a workflow failure (`WorkflowFailedError` → cause → cause …). */
export function failureMessage(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth += 1) {
    if (current.message && !messages.includes(current.message)) messages.push(current.message);
    current = (current as { cause?: unknown }).cause;
  }
  return messages.slice(-2).join(': ') || String(error);
}
