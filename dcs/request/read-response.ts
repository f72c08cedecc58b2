import { DcsInvalidResponseError, DcsUnparseableResponseError } from '../errors/error-classes.js';
import { errorFromHttpAnswer } from '../errors/map-error.js';
import type { OperationSpec } from '../operations.js';
import { fieldIssues, formatIssues } from '../schemas/issues.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
}

/**
 * Turns an HTTP answer into the operation's result: a 2xx body parsed and checked against the response schema
 * (nothing for 204s), or the mapped error for anything else.
 */
export function readResponse(spec: OperationSpec, answer: Answer, secrets: readonly string[]): unknown {
  const requestIdHeader = answer.headers['x-request-id'];
  const requestId = Array.isArray(requestIdHeader) ? requestIdHeader[0] : requestIdHeader;
  if (answer.status < 200 || answer.status > 299) {
    throw errorFromHttpAnswer({
      operation: spec.name,
      status: answer.status,
      headers: answer.headers,
      bodyText: answer.bodyText,
      secrets,
    });
  }
  const context = { operation: spec.name, httpStatus: answer.status, requestId };
  if (!spec.response) return undefined;
  // An opaque response (UpdateMigrationTask: the SDK models it as a plain string) may be empty or not JSON.
  const opaque = spec.response.safeParse(undefined).success;
  if (answer.bodyText.trim() === '') {
    if (opaque) return undefined;
    throw new DcsUnparseableResponseError(`${spec.name} answered HTTP ${answer.status} with an empty body`, context);
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.bodyText);
  } catch {
    if (opaque) return answer.bodyText;
    throw new DcsUnparseableResponseError(
      `${spec.name} answered HTTP ${answer.status} with a body that is not JSON`,
      context,
    );
  }
  const parsed = spec.response.safeParse(json);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error, { input: json });
    throw new DcsInvalidResponseError(
      `${spec.name} answered with an unexpected body: ${formatIssues(issues)}`,
      issues,
      context,
    );
  }
  return parsed.data;
}
