import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error the emulator answers with, in Huawei's shape: HTTP status plus `{error_code, error_msg, error_ext_msg}`
 * (docs/dcs-api.md §5.2). Handlers throw it; the app renders it. Messages never contain secrets. Not the client's
 * `DcsError` (dcs/errors/): that one is what a caller gets back; this is what the emulator serves.
 */
export class EmulatorApiError extends Error {
  override name = 'EmulatorApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** Extra response headers (`Retry-After`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The documented errors (docs/dcs-api.md §5.3), one factory each so codes and statuses live in one place. */
export const apiErrors = {
  /** Unknown or deleted migration task: HTTP 400, not 404 (docs/dcs-api.md §6.7). */
  taskNotFound: () => new EmulatorApiError(400, 'DCS.4133', 'Instance job is not found.'),
  jobNotFound: () => new EmulatorApiError(400, 'DCS.4133', 'Instance job is not found.'),
  instanceNotFound: (field: string) =>
    new EmulatorApiError(404, 'DCS.3022', `This DCS instance does not exist (${field}).`),
  wrongState: (detail: string) =>
    new EmulatorApiError(400, 'DCS.4957', `Operation not allowed when the task is in the current state: ${detail}.`),
  /** An IP switch DCS refuses for the pair (dcs-operations.md §3); DCS answers these as an operation not allowed. */
  ipSwitchNotAllowed: (detail: string) => new EmulatorApiError(400, 'DCS.4957', `Operation not allowed: ${detail}.`),
  /*
   * The migration matrix DCS enforces (dcs-operations.md §3). DCS's real error codes for these refusals are not
   * documented (docs/dcs-api.md §5.3 lists none): the codes are the emulator's choice, HTTP 400 in the DCS.4xxx
   * family of request errors, one per rule so a client (and a test) can tell them apart.
   */
  /** The emulator's choice: a DCS Proxy Cluster instance as the source of an online migration. */
  proxySourceNotSupported: (instanceId: string) =>
    new EmulatorApiError(
      400,
      'DCS.4981',
      `A DCS Proxy Cluster instance (${instanceId}) cannot be the source of an online migration.`,
    ),
  /** The emulator's choice: SSL on the target of an online migration. */
  targetSslNotSupported: (instanceId: string) =>
    new EmulatorApiError(
      400,
      'DCS.4982',
      `SSL is enabled on the target instance ${instanceId}; turn it off to migrate data into it.`,
    ),
  /** The emulator's choice: an AOF backup file imported into a Redis Cluster instance. */
  aofIntoClusterNotSupported: (instanceId: string, files: string[]) =>
    new EmulatorApiError(
      400,
      'DCS.4983',
      `AOF files cannot be imported into the Redis Cluster instance ${instanceId} (${files.join(', ')}); import an RDB file instead.`,
    ),
  emptyBody: () => new EmulatorApiError(400, 'DCS.4004', 'Empty request body.'),
  notJson: () => new EmulatorApiError(400, 'DCS.4005', 'Body contains invalid characters or is not JSON.'),
  /** `field` is the dotted path of the offending parameter, e.g. `source_instance.addrs`. */
  invalidParameter: (field: string, why?: string) =>
    new EmulatorApiError(400, 'DCS.4063', `Invalid ${field} parameter in the request${why ? `: ${why}` : ''}.`),
  invalidProjectId: (why: string) => new EmulatorApiError(400, 'DCS.4002', `Invalid project ID: ${why}.`),
  unknownRoute: () => new EmulatorApiError(404, 'DCS.4001', 'The requested URL does not exist.'),
  methodNotAllowed: () => new EmulatorApiError(405, 'DCS.5001', 'This request method is not allowed.'),
  internal: () => new EmulatorApiError(500, 'DCS.5000', 'Internal service error.'),
  /** AK/SK failures come from the API gateway in front of DCS, hence the APIGW code (docs/dcs-api.md §4.1). */
  signature: (detail: string) =>
    new EmulatorApiError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`),
  invalidToken: () => new EmulatorApiError(401, 'DCS.1001', 'Invalid token.'),
  expiredToken: () => new EmulatorApiError(401, 'DCS.1002', 'The token has expired.'),
  noCredentials: () => new EmulatorApiError(401, 'DCS.1003', 'No token or AK/SK signature in the request.'),
  tokenProjectMismatch: () => new EmulatorApiError(401, 'DCS.1004', 'The project ID does not match the token.'),
};

/** The JSON body of an error response. `request_id` repeats `X-Request-Id`, as the API gateway does. */
export function errorBody(error: EmulatorApiError, requestId: string): Record<string, unknown> {
  return { error_code: error.code, error_msg: error.message, error_ext_msg: null, request_id: requestId };
}
