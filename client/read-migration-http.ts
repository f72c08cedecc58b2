/**
 * `status`'s fast path: one read of a migration through Temporal's HTTP API (`temporal-http.ts`), giving the same
 * `MigrationView` as the SDK path (`migration-view.ts` readMigration) without loading the SDK or gRPC. It covers
 * what an operator reads most: a running migration, and one that completed. It answers `undefined` whenever it
 * cannot give exactly what the SDK path gives (a run that failed, was cancelled or terminated, whose failure
 * chain only the SDK's failure converter unpacks; a payload encoding other than JSON; an HTTP API that does not
 * answer), and the caller then reads through the SDK. `test/status-http.test.ts` compares both paths.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '../codec/encryption-codec.js';
import type {
  LegacyMigrationResultFields,
  LegacyMigrationStatusFields,
  MigrationResult,
  MigrationStatus,
} from '../common/workflow-contract.js';
import { SEARCH_ATTRIBUTE_NAMES, STATUS_QUERY_NAME } from '../common/workflow-names.js';
import { CliError, EXIT } from './exit-codes.js';
import {
  firstLine,
  isClosed,
  isDecryptionFailure,
  noStatusReason,
  resultAsRead,
  statusAsRead,
  tidied,
  type ExecutionStatusName,
  type MigrationView,
  type PendingActivityView,
} from './migration-view-shape.js';
import { TemporalHttpError, type HttpFailure, type HttpPayload, type TemporalHttp } from './temporal-http.js';

/** gRPC status NOT_FOUND, as the HTTP gateway reports it. */
const GRPC_NOT_FOUND = 5;

/** The payload is not one this path reads (not JSON): the SDK path must read the migration. */
class NeedsSdk extends Error {}

export interface HttpReadOptions {
  queryTimeoutMs?: number;
  verbose?: boolean;
}

/** The view, or why only the SDK path can give it. */
export type HttpRead = { view: MigrationView } | { sdkNeeded: string };

/** Reads `workflowId` (latest run) over HTTP; `sdkNeeded` says why when only the SDK path can give the same view. */
export async function readMigrationOverHttp(
  http: TemporalHttp,
  codec: PayloadCodec,
  workflowId: string,
  options: HttpReadOptions = {},
): Promise<HttpRead> {
  const timeoutMs = options.queryTimeoutMs ?? 3_000;
  try {
    const description = await http.describeWorkflow(workflowId, 5_000).catch((error: unknown) => {
      if (error instanceof TemporalHttpError && error.grpcCode === GRPC_NOT_FOUND)
        throw new CliError(`no migration with id "${workflowId}"`, EXIT.USAGE);
      throw error;
    });
    const info = description.workflowExecutionInfo ?? {};
    const runId = info.execution?.runId;
    const execution = executionStatusName(info.status);
    if (runId === undefined || info.startTime === undefined || execution === undefined)
      return { sdkNeeded: 'the description lacks the run id, start or status' };
    // A run that ended badly: its failure (and the remote-task clean-up in its details) is the SDK's to unpack.
    if (isClosed(execution) && execution !== 'COMPLETED')
      return { sdkNeeded: `the run is ${execution}: its failure is read through the SDK` };
    const fields = info.searchAttributes?.indexedFields ?? {};
    const keyword = async (name: string) => {
      const payload = fields[name];
      return payload === undefined ? undefined : ((await valueOf(payload, codec)) as string | undefined);
    };
    const taskQueue = info.taskQueue ?? '';
    const view: MigrationView = {
      workflowId,
      runId,
      execution,
      startTime: isoOf(info.startTime)!,
      closeTime: isoOf(info.closeTime),
      phase: await keyword(SEARCH_ATTRIBUTE_NAMES.phase),
      remoteStatus: await keyword(SEARCH_ATTRIBUTE_NAMES.remoteStatus),
      taskId: await keyword(SEARCH_ATTRIBUTE_NAMES.taskId),
      migrationType: await keyword(SEARCH_ATTRIBUTE_NAMES.migrationType),
      taskQueue,
      status: undefined,
      result: undefined,
      failure: undefined,
    };
    const pending = await pendingActivitiesOf(description.pendingActivities ?? [], codec);
    if (pending.length > 0) view.pendingActivities = pending;
    try {
      const [answer] = await http.queryWorkflow(workflowId, runId, STATUS_QUERY_NAME, timeoutMs);
      const status =
        answer === undefined
          ? undefined
          : ((await valueOf(answer, codec)) as (MigrationStatus & LegacyMigrationStatusFields) | undefined);
      view.status = status && statusAsRead(status);
    } catch (error) {
      if (error instanceof NeedsSdk) throw error;
      const pollers = isDecryptionFailure(error)
        ? undefined
        : await http.workflowPollers(taskQueue, 3_000).catch(() => undefined);
      view.statusUnavailable = noStatusReason(error, pollers, taskQueue, timeoutMs);
    }
    if (execution === 'COMPLETED') {
      const close = await http.closeEvent(workflowId, runId, timeoutMs);
      const [result] = close?.workflowExecutionCompletedEventAttributes?.result?.payloads ?? [];
      if (result === undefined) return { sdkNeeded: 'the close event has no result' };
      view.result = resultAsRead((await valueOf(result, codec)) as MigrationResult & LegacyMigrationResultFields);
    }
    return { view: tidied(view, options.verbose ?? false) };
  } catch (error) {
    if (error instanceof CliError) throw error;
    // Not answerable here (an unreadable payload, an HTTP API that is off or failing): the SDK path reads it.
    return { sdkNeeded: error instanceof Error ? error.message : String(error) };
  }
}

/** `WORKFLOW_EXECUTION_STATUS_RUNNING` → `RUNNING`, in the SDK's spelling (`CANCELED` → `CANCELLED`). */
function executionStatusName(status: string | undefined): ExecutionStatusName | undefined {
  const name = status?.replace(/^WORKFLOW_EXECUTION_STATUS_/, '');
  if (name === undefined) return undefined;
  return (name === 'CANCELED' ? 'CANCELLED' : name) as ExecutionStatusName;
}

/** RFC 3339 with nanoseconds → ISO with milliseconds, as the SDK path prints times. */
function isoOf(time: string | undefined): string | undefined {
  return time === undefined ? undefined : new Date(time).toISOString();
}

async function pendingActivitiesOf(
  activities: NonNullable<import('./temporal-http.js').HttpWorkflowDescription['pendingActivities']>,
  codec: PayloadCodec,
) {
  const views: PendingActivityView[] = [];
  for (const info of activities) {
    const lastFailure = info.lastFailure ? await failureText(info.lastFailure, codec) : undefined;
    const nextAttemptAt = isoOf(info.nextAttemptScheduleTime);
    views.push({
      activity: info.activityType?.name ?? '?',
      state: pendingState(info.state),
      attempt: info.attempt ?? 1,
      ...(lastFailure ? { lastFailure } : {}),
      ...(nextAttemptAt ? { nextAttemptAt } : {}),
    });
  }
  return views;
}

/** `PENDING_ACTIVITY_STATE_CANCEL_REQUESTED` → `cancel-requested`, the words of `PENDING_STATES`. */
function pendingState(state: string | undefined): string {
  const name = state?.replace(/^PENDING_ACTIVITY_STATE_/, '');
  return name === undefined || name === 'UNSPECIFIED' ? 'unknown' : name.toLowerCase().replaceAll('_', '-');
}

/** First line of a failure's message; its encoded attributes decoded (and decrypted) first, as the SDK path does. */
async function failureText(failure: HttpFailure, codec: PayloadCodec): Promise<string | undefined> {
  let message = failure.message;
  if (failure.encodedAttributes) {
    try {
      const attributes = (await valueOf(failure.encodedAttributes, codec)) as { message?: unknown } | undefined;
      if (typeof attributes?.message === 'string') message = attributes.message;
    } catch (error) {
      if (error instanceof NeedsSdk) throw error;
      message = `(encrypted) ${firstLine(error instanceof Error ? error.message : String(error))}`;
    }
  }
  return message === undefined ? undefined : firstLine(message);
}

/** A payload's value: base64 fields → bytes, through the codec, then JSON (the only encoding dcs-migrate writes). */
async function valueOf(payload: HttpPayload, codec: PayloadCodec): Promise<unknown> {
  const [decoded] = await codec.decode([payloadOf(payload)]);
  const encoding = text(decoded?.metadata?.[METADATA_ENCODING_KEY]);
  if (encoding === 'binary/null') return undefined;
  if (encoding !== 'json/plain') throw new NeedsSdk(`payload encoding ${encoding}`);
  return JSON.parse(text(decoded?.data) ?? '');
}

function payloadOf(payload: HttpPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = Buffer.from(value, 'base64');
  return { metadata, data: Buffer.from(payload.data ?? '', 'base64') };
}

function text(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}
