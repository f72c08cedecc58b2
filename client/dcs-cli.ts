/**
 * What the commands that call DCS directly (`api`, `logs`) share: the configuration from the environment and the
 * endpoint flags, and DCS failures as CLI errors with their exit code.
 */
import { loadDcsConfig } from '../dcs/config.js';
import {
  DcsAbortedError,
  DcsConfigurationError,
  DcsError,
  DcsNetworkError,
  DcsTimeoutError,
  DcsValidationError,
} from '../dcs/errors/index.js';
import { CliError, EXIT } from './exit-codes.js';

/** The flags that override where DCS is. */
export interface DcsFlags {
  endpoint?: string;
  region?: string;
  projectId?: string;
}

// Request fields that come from flags, and the flag that sets each (for error messages).
const FLAG_OF_FIELD: Record<string, string> = {
  task_id: '--task-id',
  job_id: '--job-id',
  instance_id: '--instance-id',
  offset: '--offset',
  limit: '--limit',
  name: '--name',
  log_level: '--log-level',
  '(body)': '--body/--file',
  operation: '<operation>',
};

export function dcsConfigFrom(flags: DcsFlags) {
  try {
    return loadDcsConfig(process.env, {
      ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
      ...(flags.region === undefined ? {} : { region: flags.region }),
      ...(flags.projectId === undefined ? {} : { projectId: flags.projectId }),
    });
  } catch (error) {
    throw toCliError(error);
  }
}

/** Exit code by what went wrong: nothing sent (2), the API said no (3), the endpoint could not be reached (5). */
export function toCliError(error: unknown): unknown {
  if (!(error instanceof DcsError)) return error;
  if (error instanceof DcsValidationError) {
    const lines = error.issues.map((issue) => `  ${FLAG_OF_FIELD[issue.field] ?? issue.field}: ${issue.message}`);
    return new CliError(
      [`${error.operation ?? 'request'} was not sent: the request is invalid`, ...lines].join('\n'),
      EXIT.USAGE,
    );
  }
  if (error instanceof DcsConfigurationError) return new CliError(error.message, EXIT.USAGE);
  const facts = [
    `kind: ${error.kind}`,
    error.httpStatus === undefined ? undefined : `HTTP ${error.httpStatus}`,
    error.errorCode === undefined ? undefined : `code: ${error.errorCode}`,
    error.requestId === undefined ? undefined : `request id: ${error.requestId}`,
    `retryable: ${error.retryable ? 'yes' : 'no'}`,
  ].filter((fact) => fact !== undefined);
  const message = `${error.message}\n  ${facts.join(', ')}`;
  if (error instanceof DcsNetworkError || error instanceof DcsTimeoutError)
    return new CliError(message, EXIT.UNREACHABLE);
  if (error instanceof DcsAbortedError) return new CliError(message, EXIT.FAILURE);
  return new CliError(message, EXIT.API_ERROR);
}
