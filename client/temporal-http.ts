/**
 * Temporal's HTTP API (the frontend's JSON gateway over the same WorkflowService, `/api/v1/...`), for the CLI's
 * fast read path: `status` answers in about the time the Temporal CLI takes, because it loads neither the SDK nor
 * gRPC (~0.4 s on Node 20, issue 18). Only reads live here; everything that changes a migration goes through the
 * SDK. The server's address is `DCS_MIGRATE_TEMPORAL_HTTP` (e.g. `http://127.0.0.1:7243`; the local stack writes it
 * into its env file); the API key, when one is configured (TEMPORAL_API_KEY), is sent as a bearer token.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { TEMPORAL_HTTP_VAR } from '../common/client-env.js';

export { TEMPORAL_HTTP_VAR };

/** A payload as the HTTP API writes it: metadata values and data in base64. */
export interface HttpPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export interface HttpFailure {
  message?: string;
  encodedAttributes?: HttpPayload;
  cause?: HttpFailure;
  applicationFailureInfo?: { details?: { payloads?: HttpPayload[] } };
}

/** The parts of `DescribeWorkflowExecutionResponse` the CLI reads. */
export interface HttpWorkflowDescription {
  workflowExecutionInfo?: {
    execution?: { workflowId?: string; runId?: string };
    status?: string;
    startTime?: string;
    closeTime?: string;
    taskQueue?: string;
    searchAttributes?: { indexedFields?: Record<string, HttpPayload> };
  };
  pendingActivities?: Array<{
    activityType?: { name?: string };
    state?: string;
    attempt?: number;
    lastFailure?: HttpFailure;
    nextAttemptScheduleTime?: string;
  }>;
}

export interface HttpHistoryEvent {
  eventType?: string;
  workflowExecutionCompletedEventAttributes?: { result?: { payloads?: HttpPayload[] } };
}

/** A non-2xx answer: the HTTP status and the gRPC status code and message the gateway puts in the body. */
export class TemporalHttpError extends Error {
  override readonly name = 'TemporalHttpError';
  constructor(
    readonly httpStatus: number,
    readonly grpcCode: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface TemporalHttpOptions {
  /** `http://host:port` or `https://host:port` of the HTTP API. */
  baseUrl: string;
  namespace: string;
  apiKey?: string | undefined;
}

/** The read calls of the HTTP API the CLI uses. */
export class TemporalHttp {
  private readonly base: URL;

  constructor(private readonly options: TemporalHttpOptions) {
    this.base = new URL(options.baseUrl);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:')
      throw new Error(`${TEMPORAL_HTTP_VAR} must be an http:// or https:// URL, got "${options.baseUrl}"`);
  }

  describeWorkflow(workflowId: string, timeoutMs: number): Promise<HttpWorkflowDescription> {
    return this.call('GET', this.workflowPath(workflowId), undefined, timeoutMs);
  }

  /** The query's answer payloads, from the run `runId`. */
  async queryWorkflow(workflowId: string, runId: string, queryType: string, timeoutMs: number): Promise<HttpPayload[]> {
    const body = { execution: { workflowId, runId }, query: { queryType } };
    const answer = await this.call<{ queryResult?: { payloads?: HttpPayload[] }; queryRejected?: unknown }>(
      'POST',
      `${this.workflowPath(workflowId)}/query/${encodeURIComponent(queryType)}`,
      body,
      timeoutMs,
    );
    if (answer.queryRejected)
      throw new TemporalHttpError(200, undefined, `query rejected: ${JSON.stringify(answer.queryRejected)}`);
    return answer.queryResult?.payloads ?? [];
  }

  /** The run's close event (completed, failed, …); undefined while it runs. */
  async closeEvent(workflowId: string, runId: string, timeoutMs: number): Promise<HttpHistoryEvent | undefined> {
    const query = new URLSearchParams({
      'execution.runId': runId,
      historyEventFilterType: 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT',
    });
    const answer = await this.call<{ history?: { events?: HttpHistoryEvent[] } }>(
      'GET',
      `${this.workflowPath(workflowId)}/history?${query}`,
      undefined,
      timeoutMs,
    );
    return answer.history?.events?.[0];
  }

  /** How many workers poll the workflow task queue `taskQueue`. */
  async workflowPollers(taskQueue: string, timeoutMs: number): Promise<number> {
    const query = new URLSearchParams({ taskQueueType: 'TASK_QUEUE_TYPE_WORKFLOW' });
    const path = `/api/v1/namespaces/${encodeURIComponent(this.options.namespace)}/task-queues/${encodeURIComponent(taskQueue)}?${query}`;
    const answer = await this.call<{ pollers?: unknown[] }>('GET', path, undefined, timeoutMs);
    return (answer.pollers ?? []).length;
  }

  private workflowPath(workflowId: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.options.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  }

  private call<T>(method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<T> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // Payloads as protobuf JSON (metadata and data in base64) even when they are plain JSON: the gateway's default
    // "shorthand" writes those as bare values, and only this form says how each payload is encoded.
    const headers: Record<string, string> = { accept: 'application/json+no-payload-shorthand' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers['authorization'] = `Bearer ${this.options.apiKey}`;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, { method, headers, timeout: timeoutMs }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text === '' ? {} : JSON.parse(text);
          } catch {
            return reject(
              new TemporalHttpError(
                res.statusCode ?? 0,
                undefined,
                `not JSON from ${url.origin}: ${text.slice(0, 200)}`,
              ),
            );
          }
          if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) return resolve(parsed as T);
          const error = parsed as { code?: number; message?: string };
          reject(new TemporalHttpError(res.statusCode ?? 0, error.code, error.message ?? `HTTP ${res.statusCode}`));
        });
      });
      req.on('timeout', () =>
        req.destroy(new TemporalHttpError(0, 4, `no answer from ${url.origin} within ${timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
