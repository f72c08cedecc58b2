/**
 * One read of a migration as the CLI shows it: Temporal's execution status, the search attributes the workflow
 * publishes, the `status` query (when a worker can answer it), and the result or failure once it has closed.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { describeRemoteTaskCleanup, remoteTaskCleanupOf } from '../common/remote-task-cleanup.js';
import { DcsMigrationType, DcsPhase, DcsRemoteStatus, DcsTaskId } from '../common/search-attributes.js';
import { statusQuery, type LegacyMigrationResultFields, type MigrationResult } from '../common/workflow-contract.js';
import { CliError, EXIT } from './exit-codes.js';
import {
  failureMessage,
  firstLine,
  isDecryptionFailure,
  noStatusReason,
  PENDING_STATES,
  resultAsRead,
  statusAsRead,
  tidied,
  isClosed,
  type MigrationView,
  type PendingActivityView,
} from './migration-view-shape.js';

// What callers read a migration with comes from here, whichever module defines it.
export {
  endedBadly,
  failureMessage,
  isClosed,
  resultAsRead,
  statusAsRead,
  type CutoverAsRead,
  type ExecutionStatusName,
  type MigrationView,
  type PendingActivityView,
  type ResultAsRead,
  type StatusAsRead,
} from './migration-view-shape.js';

export interface ReadOptions {
  /** How long the `status` query may take; it needs a worker. */
  queryTimeoutMs?: number;
  /** Only describe the execution (no query, no result): enough to check it exists and whether it runs. */
  describeOnly?: boolean;
  /** Keep failure messages whole (the canonical request a refused signature quotes); one line each otherwise. */
  verbose?: boolean;
}

/** Reads the migration `workflowId` (latest run). Unknown id: a CliError with exit code 2. */
export async function readMigration(
  client: Client,
  workflowId: string,
  options: ReadOptions = {},
): Promise<MigrationView> {
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
        await client.withDeadline(
          Date.now() + timeoutMs,
          () => pinned.result() as Promise<MigrationResult & LegacyMigrationResultFields>,
        ),
      );
    } catch (error) {
      view.failure = failureMessage(error);
      const cleanup = remoteTaskCleanupOf((error as { cause?: { details?: unknown[] } } | undefined)?.cause?.details);
      if (cleanup) view.remoteTaskOnFailure = describeRemoteTaskCleanup(cleanup);
    }
  }
  return tidied(view, options.verbose ?? false);
}

type ProtoTimestamp = { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null | undefined;

function isoOf(ts: ProtoTimestamp): string | undefined {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return undefined;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : ts.seconds.toNumber();
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** The run's pending activities, their last failure decoded with the CLI's codec (the worker may encrypt it). */
async function pendingActivitiesOf(
  client: Client,
  description: WorkflowExecutionDescription,
): Promise<PendingActivityView[]> {
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
async function failureText(
  client: Client,
  failure: { message?: string | null; encodedAttributes?: Payload | null },
): Promise<string | undefined> {
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

/** Why the `status` query got no answer (see `noStatusReason`), asking the server whether a worker polls the queue. */
async function whyNoStatus(client: Client, error: unknown, taskQueue: string, timeoutMs: number): Promise<string> {
  let pollers: number | undefined;
  if (!isDecryptionFailure(error)) {
    try {
      const queue = await client.withDeadline(Date.now() + 3_000, () =>
        client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: taskQueue, kind: 1 },
          taskQueueType: 1,
        }),
      );
      pollers = (queue.pollers ?? []).length;
    } catch {
      // Could not ask: say what is known.
    }
  }
  return noStatusReason(error, pollers, taskQueue, timeoutMs);
}
