import { ErrorBody } from '../schemas/responses.js';
import type { DcsError, DcsErrorContext } from './dcs-error.js';
import {
  DcsAbortedError,
  DcsApiError,
  DcsAuthenticationError,
  DcsBadRequestError,
  DcsNetworkError,
  DcsNotFoundError,
  DcsPermissionDeniedError,
  DcsRateLimitedError,
  DcsServerError,
  DcsTaskNotFoundError,
  DcsTimeoutError,
  DcsWrongStateError,
} from './error-classes.js';
import { scrubSecrets } from './scrub-secrets.js';
import { parseThrottlingMessage } from './throttling.js';

/** An HTTP error answer, as the client received it. */
export interface HttpErrorAnswer {
  operation?: string | undefined;
  status: number;
  /** Response headers, lower-case names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw response body text (may be empty, JSON, or an HTML page). */
  bodyText: string;
  /** Secret values to scrub from anything echoed (AK, SK, token, passwords sent). */
  secrets?: Iterable<string | undefined>;
  /** Server time for reading an HTTP-date `Retry-After`. Default: now. */
  now?: Date;
}

/**
 * THE mapping from an HTTP error answer to an error class (like openai-node's `APIError.generate`): the
 * `error_code` decides where the API overloads a status (`DCS.4133` is "task not found" on HTTP 400), otherwise
 * the status does.
 */
export function errorFromHttpAnswer(answer: HttpErrorAnswer): DcsError {
  const { code, message: apiMessage } = readErrorBody(answer.bodyText);
  const requestId = header(answer.headers, 'x-request-id') ?? readRequestId(answer.bodyText);
  const context: DcsErrorContext = {
    operation: answer.operation,
    httpStatus: answer.status,
    errorCode: code,
    requestId,
  };
  const secrets = [...(answer.secrets ?? [])];
  const detail = scrubSecrets(apiMessage ?? defaultMessage(answer.status), secrets);
  const message = `${answer.operation ?? 'DCS call'} failed: HTTP ${answer.status}${code ? ` ${code}` : ''}: ${detail}${
    requestId ? ` (request id ${requestId})` : ''
  }`;

  if (code === 'DCS.4133') return new DcsTaskNotFoundError(message, context);
  if (code === 'DCS.4957') return new DcsWrongStateError(message, context);
  const status = answer.status;
  if (status === 400) return new DcsBadRequestError(message, context);
  if (status === 401) return new DcsAuthenticationError(message, context);
  if (status === 403) return new DcsPermissionDeniedError(message, context);
  if (status === 404) return new DcsNotFoundError(message, context);
  if (status === 408) return new DcsTimeoutError(message, context);
  const retryAfterMs = parseRetryAfter(header(answer.headers, 'retry-after'), answer.now);
  if (status === 429)
    return new DcsRateLimitedError(message, retryAfterMs, {
      ...context,
      rateLimit: parseThrottlingMessage(apiMessage),
    });
  if (status >= 500) return new DcsServerError(message, retryAfterMs, context);
  return new DcsApiError(message, context);
}

// undici and Node socket error codes, each a transport failure worth retrying.
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
]);
const NETWORK_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_REQ_RETRY',
  'UND_ERR_RESPONSE_STATUS_CODE',
  'UND_ERR_INFO',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPROTO',
]);

/**
 * Maps a failure to get any answer (undici error, socket error, abort) to a client error; `undefined` when the
 * failure is not a transport one (a bug, which should surface as itself).
 */
export function errorFromTransportFailure(
  failure: unknown,
  context: { operation?: string | undefined; endpoint?: string | undefined } = {},
): DcsError | undefined {
  const code = transportCode(failure);
  const where = `${context.operation ?? 'DCS call'} to ${context.endpoint ?? 'the DCS endpoint'}`;
  const base: DcsErrorContext = { operation: context.operation, cause: failure };
  if (isAbort(failure)) return new DcsAbortedError(`${where} was aborted`, base);
  if (code === undefined) return undefined;
  if (TIMEOUT_CODES.has(code)) return new DcsTimeoutError(`${where} timed out (${code})`, base);
  // Beyond the list: any other undici code, any errno (`E` + letters), and TLS/certificate failures.
  if (
    NETWORK_CODES.has(code) ||
    code.startsWith('UND_ERR') ||
    /^E[A-Z]+$/.test(code) ||
    /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)
  ) {
    return new DcsNetworkError(`${where} failed: could not reach the endpoint (${code})`, base);
  }
  return undefined;
}

function transportCode(failure: unknown): string | undefined {
  // undici wraps socket errors: `fetch failed` with the system error as `cause`; errors may also nest in AggregateError.
  for (let current = failure, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (current instanceof AggregateError && current.errors[0] !== undefined) current = current.errors[0];
    else current = current.cause;
  }
  return undefined;
}

function isAbort(failure: unknown): boolean {
  return (
    failure instanceof Error &&
    (failure.name === 'AbortError' ||
      (failure as { code?: unknown }).code === 'UND_ERR_ABORTED' ||
      (failure as { code?: unknown }).code === 'ABORT_ERR')
  );
}

function readErrorBody(bodyText: string): { code?: string; message?: string } {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return {};
  }
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success) return {};
  const body = parsed.data;
  const code = body.error_code ?? body.error?.code ?? undefined;
  const message = body.error_msg ?? body.error?.message ?? undefined;
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

function readRequestId(bodyText: string): string | undefined {
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(bodyText));
    return parsed.success ? (parsed.data.request_id ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}

function header(headers: HttpErrorAnswer['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : (value ?? undefined);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

function defaultMessage(status: number): string {
  if (status >= 500) return 'the service failed';
  if (status === 429) return 'too many requests';
  return 'request rejected';
}
