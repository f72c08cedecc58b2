/**
 * One read of a migration as the CLI shows it: Temporal's execution status, the search attributes the workflow
 * publishes, the `status` query (when a worker can answer it), and the result or failure once it has closed.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
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
  /** From the `status` query; undefined when no worker answered in time. */
  status: StatusAsRead | undefined;
  /** Set when the run completed. */
  result: ResultAsRead | undefined;
  /** The failure message when the run failed, was cancelled, terminated or timed out. */
  failure: string | undefined;
  /** A failed run: what it did to its remote task on the way out (input `onFailure`), e.g. "remote task 12 stopped (TERMINATED)". */
  remoteTaskOnFailure?: string;
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
    status: undefined,
    result: undefined,
    failure: undefined,
  };
  if (options.describeOnly) return view;
  const pinned = client.workflow.getHandle(workflowId, description.runId);
  const timeoutMs = options.queryTimeoutMs ?? 3_000;
  const answer = await client
    .withDeadline(Date.now() + timeoutMs, () => pinned.query(statusQuery))
    .catch(() => undefined);
  view.status = answer && statusAsRead(answer);
  if (isClosed(view.execution)) {
    try {
      view.result = resultAsRead(await client.withDeadline(Date.now() + timeoutMs, () => pinned.result() as Promise<MigrationResult & LegacyMigrationResultFields>));
    } catch (error) {
      view.failure = failureMessage(error);
      const cleanup = remoteTaskCleanupOf((error as { cause?: { details?: unknown[] } } | undefined)?.cause?.details);
      if (cleanup) view.remoteTaskOnFailure = describeRemoteTaskCleanup(cleanup);
    }
  }
  return view;
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
