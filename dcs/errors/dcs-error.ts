/** Context every DCS client error carries, besides its message. */
export interface DcsErrorContext {
  /** SDK name of the operation that failed, e.g. `ShowMigrationTask`. */
  operation?: string | undefined;
  /** HTTP status of the answer, when there was one. */
  httpStatus?: number | undefined;
  /** `error_code` of the answer (`DCS.4133`, `APIGW.0301`, …), when there was one. */
  errorCode?: string | undefined;
  /** `X-Request-Id` of the answer, for Huawei support. */
  requestId?: string | undefined;
  /** How long to wait before trying again: the server's `Retry-After`, or the client's own hold (`dcs/throttle.ts`). */
  retryAfterMs?: number | undefined;
  /** The client's throttle refused the call without sending it: DCS was throttling or unreachable a moment ago. */
  local?: boolean | undefined;
  cause?: unknown;
}

/**
 * Base of every error the DCS client throws. Subclass names are stable: Temporal uses the class name as the
 * failure type (`nonRetryableErrorTypes`), so renaming one changes retry behaviour. Messages never contain
 * secrets.
 */
export abstract class DcsError extends Error {
  /** Whether trying the same call again later may succeed. Fixed per class. */
  abstract readonly retryable: boolean;
  /** Short kind for humans and logs: `validation`, `task-not-found`, `rate-limited`, … */
  abstract readonly kind: string;
  readonly operation: string | undefined;
  readonly httpStatus: number | undefined;
  readonly errorCode: string | undefined;
  readonly requestId: string | undefined;
  /** Wait at least this long before the next try (ms); undefined when nobody said. A floor for the caller's backoff. */
  readonly retryAfterMs: number | undefined;
  /** True when the call was never sent: the client's throttle held it back (`dcs/throttle.ts`). */
  readonly local: boolean;

  constructor(message: string, context: DcsErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.operation = context.operation;
    this.httpStatus = context.httpStatus;
    this.errorCode = context.errorCode;
    this.requestId = context.requestId;
    this.retryAfterMs = context.retryAfterMs;
    this.local = context.local ?? false;
  }

  /** A plain, secret-free summary (what the CLI prints and logs record). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      retryable: this.retryable,
      operation: this.operation,
      httpStatus: this.httpStatus,
      errorCode: this.errorCode,
      requestId: this.requestId,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.local ? { local: true } : {}),
    };
  }
}
