/**
 * One span per DCS HTTP request (each attempt of a call is its own request), named `DCS <Operation>`, child of
 * whatever span is active (the activity's, when a worker traces). The tracer comes from @opentelemetry/api: a
 * no-op until a process registers a provider (the worker does when traces are exported, `worker/tracing.ts`), so
 * the client costs nothing extra otherwise and needs no tracing setup of its own.
 *
 * Attributes name the request, never its contents: no headers (the Authorization signature, X-Auth-Token), no
 * body (passwords), no query string.
 */
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { DcsError } from '../errors/dcs-error.js';
import type { Answer } from './read-response.js';

const tracer = trace.getTracer('dcs-migrate/dcs');

/** Span attribute names (the OpenTelemetry HTTP conventions where they have one). */
export const DCS_SPAN_ATTRIBUTES = {
  operation: 'dcs.operation',
  requestId: 'dcs.request_id',
  errorCode: 'dcs.error_code',
  method: 'http.request.method',
  statusCode: 'http.response.status_code',
  serverAddress: 'server.address',
  path: 'url.path',
  errorType: 'error.type',
} as const;

export interface TracedRequest {
  operation: string;
  method: string;
  url: string;
}

/** Runs `fn` (send and read one request) inside its span; `fn` reports the answer with `answered`. */
export function traceDcsRequest<T>(
  request: TracedRequest,
  fn: (answered: (answer: Answer) => void) => Promise<T>,
): Promise<T> {
  const url = new URL(request.url);
  return tracer.startActiveSpan(
    `DCS ${request.operation}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [DCS_SPAN_ATTRIBUTES.operation]: request.operation,
        [DCS_SPAN_ATTRIBUTES.method]: request.method,
        [DCS_SPAN_ATTRIBUTES.serverAddress]: url.hostname,
        [DCS_SPAN_ATTRIBUTES.path]: url.pathname,
      },
    },
    async (span) => {
      try {
        const result = await fn((answer) => recordAnswer(span, answer));
        span.end();
        return result;
      } catch (error) {
        recordFailure(span, error);
        span.end();
        throw error;
      }
    },
  );
}

function recordAnswer(span: Span, answer: Answer): void {
  if (!span.isRecording()) return;
  span.setAttribute(DCS_SPAN_ATTRIBUTES.statusCode, answer.status);
  const header = answer.headers['x-request-id'];
  const requestId = Array.isArray(header) ? header[0] : header;
  if (requestId) span.setAttribute(DCS_SPAN_ATTRIBUTES.requestId, requestId);
}

/** The error's class and DCS code; its message (scrubbed of secrets by the client) as the status description. */
function recordFailure(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const name = error instanceof Error ? error.name : 'Error';
  span.setAttribute(DCS_SPAN_ATTRIBUTES.errorType, name);
  if (error instanceof DcsError) {
    if (error.errorCode) span.setAttribute(DCS_SPAN_ATTRIBUTES.errorCode, error.errorCode);
    if (error.requestId) span.setAttribute(DCS_SPAN_ATTRIBUTES.requestId, error.requestId);
    if (error.httpStatus !== undefined) span.setAttribute(DCS_SPAN_ATTRIBUTES.statusCode, error.httpStatus);
  }
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof DcsError ? `${name}: ${error.message}` : name,
  });
}
