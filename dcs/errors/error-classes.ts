import type { RateLimit } from '../../common/rate-limit.js';
import type { FieldIssue } from '../schemas/issues.js';
import { DcsError, type DcsErrorContext } from './dcs-error.js';

// One class per way a call can fail. `name` is set explicitly (not taken from the constructor) so bundling or
// minifying cannot change the Temporal failure type.

/** The request was rejected before any byte was sent: a field is missing or wrong. Not retryable. */
export class DcsValidationError extends DcsError {
  override readonly name = 'DcsValidationError';
  readonly kind = 'validation';
  readonly retryable = false;
  constructor(
    message: string,
    /** Every problem found, each naming its field path (`source_instance.addrs`). */
    readonly issues: readonly FieldIssue[],
    context: DcsErrorContext = {},
  ) {
    super(message, context);
  }
}

/** The client is not configured well enough to call (no endpoint, no credentials, no project id). */
export class DcsConfigurationError extends DcsError {
  override readonly name = 'DcsConfigurationError';
  readonly kind = 'configuration';
  readonly retryable = false;
}

/** HTTP 400 the API gave no more specific meaning to: invalid parameters, bad JSON, … */
export class DcsBadRequestError extends DcsError {
  override readonly name: string = 'DcsBadRequestError';
  readonly kind: string = 'bad-request';
  readonly retryable = false;
}

/** The migration task (or job) does not exist or was deleted: HTTP 400 `DCS.4133`, not 404. */
export class DcsTaskNotFoundError extends DcsBadRequestError {
  override readonly name = 'DcsTaskNotFoundError';
  override readonly kind = 'task-not-found';
}

/** The operation is not allowed in the task's current state: HTTP 400 `DCS.4957`. */
export class DcsWrongStateError extends DcsBadRequestError {
  override readonly name = 'DcsWrongStateError';
  override readonly kind = 'wrong-state';
}

/** HTTP 401: bad signature, unknown AK, clock skew, invalid or expired token (`APIGW.0301`, `DCS.1001`–`1004`). */
export class DcsAuthenticationError extends DcsError {
  override readonly name = 'DcsAuthenticationError';
  readonly kind = 'authentication';
  readonly retryable = false;
}

/** HTTP 403: the credentials are valid but lack the IAM permission (`DCS.2003`, `DCS.2007`). */
export class DcsPermissionDeniedError extends DcsError {
  override readonly name = 'DcsPermissionDeniedError';
  readonly kind = 'permission-denied';
  readonly retryable = false;
}

/** HTTP 404: unknown URL (`DCS.4001`) or unknown DCS instance (`DCS.3022`). */
export class DcsNotFoundError extends DcsError {
  override readonly name = 'DcsNotFoundError';
  readonly kind = 'not-found';
  readonly retryable = false;
}

/**
 * HTTP 429: throttled (`APIGW.0308` at Huawei's gateway). Retryable, after `retryAfterMs` when the answer said how
 * long; `rateLimit` is the limit the gateway's message names (`limit:200,time:5 minute`), when it names one.
 */
export class DcsRateLimitedError extends DcsError {
  override readonly name = 'DcsRateLimitedError';
  readonly kind = 'rate-limited';
  readonly retryable = true;
  readonly rateLimit: RateLimit | undefined;
  constructor(
    message: string,
    /** From `Retry-After` (seconds or HTTP date); undefined when absent or unreadable. */
    retryAfterMs: number | undefined,
    context: DcsErrorContext & { rateLimit?: RateLimit | undefined } = {},
  ) {
    super(message, { ...context, retryAfterMs: retryAfterMs ?? context.retryAfterMs });
    this.rateLimit = context.rateLimit;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.rateLimit ? { rateLimit: this.rateLimit } : {}) };
  }
}

/** HTTP 5xx: the service failed. Retryable, after `retryAfterMs` when a 503 said how long. */
export class DcsServerError extends DcsError {
  override readonly name = 'DcsServerError';
  readonly kind = 'server';
  readonly retryable = true;
  constructor(
    message: string,
    /** From `Retry-After` (seconds or HTTP date); undefined when absent or unreadable. */
    retryAfterMs: number | undefined = undefined,
    context: DcsErrorContext = {},
  ) {
    super(message, { ...context, retryAfterMs: retryAfterMs ?? context.retryAfterMs });
  }
}

/** Any other HTTP error status (405, 409, 412, …): the call as made will not succeed. Not retryable. */
export class DcsApiError extends DcsError {
  override readonly name = 'DcsApiError';
  readonly kind = 'api';
  readonly retryable = false;
}

/** The endpoint could not be reached or the connection broke (refused, reset, DNS, TLS). Retryable. */
export class DcsNetworkError extends DcsError {
  override readonly name = 'DcsNetworkError';
  readonly kind = 'network';
  readonly retryable = true;
}

/** Connecting, waiting for headers or reading the body took too long (or the server answered 408). Retryable. */
export class DcsTimeoutError extends DcsError {
  override readonly name = 'DcsTimeoutError';
  readonly kind = 'timeout';
  readonly retryable = true;
}

/** The caller aborted the call (its AbortSignal fired, e.g. the activity was cancelled). Not retryable. */
export class DcsAbortedError extends DcsError {
  override readonly name = 'DcsAbortedError';
  readonly kind = 'aborted';
  readonly retryable = false;
}

/**
 * A success answer whose body is not JSON (truncated, or an HTML page from a proxy). Retryable: the next answer
 * is likely whole.
 */
export class DcsUnparseableResponseError extends DcsError {
  override readonly name = 'DcsUnparseableResponseError';
  readonly kind = 'unparseable-response';
  readonly retryable = true;
}

/**
 * A success answer whose JSON does not have the fields callers rely on (an id or status missing). Not retryable:
 * the same call will get the same shape. Like ky's SchemaValidationError, the request itself succeeded.
 */
export class DcsInvalidResponseError extends DcsError {
  override readonly name = 'DcsInvalidResponseError';
  readonly kind = 'invalid-response';
  readonly retryable = false;
  constructor(
    message: string,
    readonly issues: readonly FieldIssue[],
    context: DcsErrorContext = {},
  ) {
    super(message, context);
  }
}
