/**
 * One read of a migration as the CLI shows it: Temporal's execution status, the search attributes the workflow
 * publishes, the `status` query (when a worker can answer it), and the result or failure once it has closed.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { CODEC_KEY_FILE_VAR, CODEC_KEYS_VAR } from '../codec/codec-keys.js';
import { describeRemoteTaskCleanup, remoteTaskCleanupOf } from '../common/remote-task-cleanup.js';
import { DcsMigrationType, DcsPhase, DcsRemoteStatus, DcsTaskId } from '../common/search-attributes.js';
import {
  statusQuery,
  type LegacyMigrationResultFields,
  type LegacyMigrationStatusFields,
  type MigrationCutover,
  type MigrationResult,
  type MigrationStatus,
} from '../common/workflow-contract.js';
import { CliError, EXIT } from './exit-codes.js';
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

export interface ReadOptions {
  /** How long the `status` query may take; it needs a worker. */
  queryTimeoutMs?: number;
  /** Only describe the execution (no query, no result): enough to check it exists and whether it runs. */
  describeOnly?: boolean;
  /** Keep failure messages whole (the canonical request a refused signature quotes); one line each otherwise. */
  verbose?: boolean;
}

/** Reads the migration `workflowId` (latest run). Unknown id: a CliError with exit code 2. */
export async function readMigration(client: Client, workflowId: string, options: ReadOptions = {}): Promise<MigrationView> {
  const handle = client.workflow.getHandle(workflowId);
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CliError(`no migration with id "${workflowId}"`, EXIT.USAGE);
    throw error;
  }
  const attrs = description.typedSearchAttributes;
  const view: MigrationView = {
    workflowId,
    runId: description.runId,
    execution: description.status.name,
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString(),
    phase: attrs.get(DcsPhase),
    remoteStatus: attrs.get(DcsRemoteStatus),
    taskId: attrs.get(DcsTaskId),
    migrationType: attrs.get(DcsMigrationType),
    taskQueue: description.taskQueue,
    status: undefined,
    result: undefined,
    failure: undefined,
  };
  if (options.describeOnly) return view;
  const pending = await pendingActivitiesOf(client, description);
  if (pending.length > 0) view.pendingActivities = pending;
  const pinned = client.workflow.getHandle(workflowId, description.runId);
  const timeoutMs = options.queryTimeoutMs ?? 3_000;
  const answer = await client
    .withDeadline(Date.now() + timeoutMs, () => pinned.query(statusQuery))
    .catch(async (error: unknown) => {
      view.statusUnavailable = await whyNoStatus(client, error, description.taskQueue, timeoutMs);
      return undefined;
    });
  view.status = answer && statusAsRead(answer);
  if (isClosed(view.execution)) {
    try {
      view.result = resultAsRead(
        await client.withDeadline(Date.now() + timeoutMs, () => pinned.result() as Promise<MigrationResult & LegacyMigrationResultFields>),
      );
    } catch (error) {
      view.failure = failureMessage(error);
      const cleanup = remoteTaskCleanupOf((error as { cause?: { details?: unknown[] } } | undefined)?.cause?.details);
      if (cleanup) view.remoteTaskOnFailure = describeRemoteTaskCleanup(cleanup);
    }
  }
  return tidied(view, options.verbose ?? false);
}

/** Failure messages on one line (unless `verbose`), and the hint a refused credential calls for. */
function tidied(view: MigrationView, verbose: boolean): MigrationView {
  const lastError = view.status?.lastError;
  const credentials =
    isCredentialFailure(lastError?.type, lastError?.message) ||
    isCredentialFailure(undefined, view.failure) ||
    (view.pendingActivities ?? []).some((activity) => isCredentialFailure(undefined, activity.lastFailure));
  if (view.failure !== undefined) view.failure = conciseFailure(view.failure, verbose);
  if (view.status && lastError) view.status = { ...view.status, lastError: { ...lastError, message: conciseFailure(lastError.message, verbose) } };
  for (const activity of view.pendingActivities ?? []) if (activity.lastFailure) activity.lastFailure = conciseFailure(activity.lastFailure, verbose);
  if (credentials) view.hint = credentialHint();
  return view;
}

const PENDING_STATES: Record<number, string> = { 1: 'scheduled', 2: 'started', 3: 'cancel-requested', 4: 'paused', 5: 'pause-requested' };

type ProtoTimestamp = { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null | undefined;

function isoOf(ts: ProtoTimestamp): string | undefined {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return undefined;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : ts.seconds.toNumber();
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** The run's pending activities, their last failure decoded with the CLI's codec (the worker may encrypt it). */
async function pendingActivitiesOf(client: Client, description: WorkflowExecutionDescription): Promise<PendingActivityView[]> {
  const views: PendingActivityView[] = [];
  for (const info of description.raw.pendingActivities ?? []) {
    const lastFailure = info.lastFailure ? await failureText(client, info.lastFailure) : undefined;
    const nextAttemptAt = isoOf(info.nextAttemptScheduleTime);
    views.push({
      activity: info.activityType?.name ?? '?',
      state: PENDING_STATES[info.state ?? 0] ?? 'unknown',
      attempt: info.attempt ?? 1,
      ...(lastFailure ? { lastFailure } : {}),
      ...(nextAttemptAt ? { nextAttemptAt } : {}),
    });
  }
  return views;
}

/** First line of a failure's message; with the failure converter's encoding, decoded (and decrypted) first. */
async function failureText(client: Client, failure: { message?: string | null; encodedAttributes?: Payload | null }): Promise<string | undefined> {
  let message = failure.message ?? undefined;
  if (failure.encodedAttributes) {
    try {
      const converter = client.options.loadedDataConverter;
      let payloads: Payload[] = [failure.encodedAttributes];
      for (const codec of [...converter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
      const attributes = converter.payloadConverter.fromPayload<{ message?: unknown }>(payloads[0]!);
      if (typeof attributes.message === 'string') message = attributes.message;
    } catch (error) {
      message = `(encrypted) ${firstLine(error instanceof Error ? error.message : String(error))}`;
    }
  }
  return message === undefined ? undefined : firstLine(message);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/**
 * Why the `status` query got no answer: the answer is encrypted and this CLI has no codec keys, no worker polls
 * the run's task queue, or (a worker polls but) none answered within the timeout.
 */
async function whyNoStatus(client: Client, error: unknown, taskQueue: string, timeoutMs: number): Promise<string> {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current.name === 'PayloadDecryptionError') {
      // Its message says which key and which variable (no keys here, or not the worker's).
      const named = current.message.includes(CODEC_KEYS_VAR) ? '' : ` (set ${CODEC_KEY_FILE_VAR} or ${CODEC_KEYS_VAR} to the worker's keys)`;
      return `a worker answered, but this CLI cannot decrypt the answer: ${current.message}${named}`;
    }
    current = (current as { cause?: unknown }).cause;
  }
  try {
    const queue = await client.withDeadline(Date.now() + 3_000, () =>
      client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue, kind: 1 }, taskQueueType: 1 }),
    );
    if ((queue.pollers ?? []).length === 0)
      return `no worker polls task queue "${taskQueue}": start one with DCS_MIGRATE_TASK_QUEUE=${taskQueue} dcs-migrate worker`;
  } catch {
    // Could not ask: say what is known.
  }
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
