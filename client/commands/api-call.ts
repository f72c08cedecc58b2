/**
 * What `dcs-migrate api <Operation>` does once its flags are parsed: reads and validates the request, calls the
 * DCS API through the typed client and prints the answer, or an error with its exit code. Loaded only when that
 * command runs (see `api.ts`).
 */
import { readFile } from 'node:fs/promises';
import { DcsClient } from '../../dcs/client.js';
import { loadDcsConfig } from '../../dcs/config.js';
import {
  DcsAbortedError,
  DcsConfigurationError,
  DcsError,
  DcsNetworkError,
  DcsTimeoutError,
  DcsValidationError,
  redactSecretFields,
} from '../../dcs/errors/index.js';
import { findOperation } from '../../dcs/operations.js';
import { CliError, EXIT } from '../exit-codes.js';
import { printJson } from '../output.js';

export interface ApiFlags {
  body?: string;
  file?: string;
  taskId?: string;
  jobId?: string;
  instanceId?: string;
  offset?: string;
  limit?: string;
  name?: string;
  logLevel?: string;
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

export async function runApi(operation: string, flags: ApiFlags): Promise<void> {
  const spec = findOperation(operation);
  if (!spec) {
    throw new CliError(`unknown operation "${operation}"; run \`dcs-migrate api --help\` for the list`, EXIT.USAGE);
  }
  const body = await readBody(flags);
  const client = new DcsClient({
    config: configFrom(flags),
    userAgent: 'dcs-migrate-cli',
  });
  try {
    const result = await client.call(spec.name, {
      path: { task_id: flags.taskId, job_id: flags.jobId, instance_id: flags.instanceId },
      query: { offset: flags.offset, limit: flags.limit, name: flags.name, log_level: flags.logLevel },
      body,
    });
    if (result === undefined) process.stderr.write(`${spec.name}: done (no content)\n`);
    else printJson(redactSecretFields(result));
  } catch (error) {
    throw toCliError(error);
  } finally {
    await client.close();
  }
}

function configFrom(flags: ApiFlags) {
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

async function readBody(flags: ApiFlags): Promise<unknown> {
  if (flags.body !== undefined && flags.file !== undefined) throw new CliError('give the body with --body or --file, not both', EXIT.USAGE);
  let text: string;
  let source: string;
  if (flags.body !== undefined) {
    [text, source] = [flags.body, '--body'];
  } else if (flags.file !== undefined) {
    source = `--file ${flags.file}`;
    try {
      text = flags.file === '-' ? await readStdin() : await readFile(flags.file, 'utf8');
    } catch (error) {
      throw new CliError(`${source}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.USAGE);
    }
  } else {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the input in its message, and the input may hold passwords: report the position only.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new CliError(`${source}: not valid JSON${position ? ` (at position ${position})` : ''}`, EXIT.USAGE);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Exit code by what went wrong: nothing sent (2), the API said no (3), the endpoint could not be reached (5). */
function toCliError(error: unknown): unknown {
  if (!(error instanceof DcsError)) return error;
  if (error instanceof DcsValidationError) {
    const lines = error.issues.map((issue) => `  ${FLAG_OF_FIELD[issue.field] ?? issue.field}: ${issue.message}`);
    return new CliError([`${error.operation ?? 'request'} was not sent: the request is invalid`, ...lines].join('\n'), EXIT.USAGE);
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
  if (error instanceof DcsNetworkError || error instanceof DcsTimeoutError) return new CliError(message, EXIT.UNREACHABLE);
  if (error instanceof DcsAbortedError) return new CliError(message, EXIT.FAILURE);
  return new CliError(message, EXIT.API_ERROR);
}
