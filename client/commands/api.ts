/**
 * `dcs-migrate api <Operation>`: one raw call of the DCS API (or the emulator) through the typed client, for
 * operators and scripts. The request is validated before it is sent; the answer is printed as JSON with
 * passwords redacted; errors go to stderr with kind, HTTP status, code and request id.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
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
import { findOperation, OPERATION_NAMES, OPERATIONS, operationNameToKebab } from '../../dcs/operations.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatTable, printJson } from '../output.js';

interface ApiFlags {
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

export function register(program: Command): void {
  program
    .command('api')
    .description('Call one DCS API operation and print its JSON answer (credentials from the environment).')
    .argument('<operation>', 'SDK operation name, e.g. ShowMigrationTask or show-migration-task')
    .option('--body <json>', 'request body as JSON')
    .option('--file <path>', 'request body from a JSON file ("-" reads stdin)')
    .option('--task-id <id>', 'migration task id (path parameter)')
    .option('--job-id <id>', 'job id (ShowJobInfo)')
    .option('--instance-id <id>', 'DCS instance id (ShowInstance)')
    .option('--offset <n>', 'item offset (list operations)')
    .option('--limit <n>', 'page size, 1-1000 (list operations)')
    .option('--name <name>', 'task name filter (ListMigrationTask)')
    .option('--log-level <level>', 'INFO or ERROR (ListMigrationTaskLogs)')
    .option('--endpoint <url>', 'DCS endpoint origin (default: DCS_ENDPOINT, or the region endpoint)')
    .option('--region <region>', 'region, e.g. ap-southeast-1 (default: DCS_REGION / HUAWEICLOUD_SDK_REGION)')
    .option('--project-id <id>', 'project id (default: HUAWEICLOUD_SDK_PROJECT_ID / DCS_PROJECT_ID)')
    .addHelpText('after', operationsHelp())
    .action(async (operation: string, flags: ApiFlags) => {
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
    });
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

function operationsHelp(): string {
  const rows = OPERATION_NAMES.map((name) => {
    const spec = OPERATIONS[name];
    return [operationNameToKebab(name), `${spec.method} ${spec.path.replace('/v2/{project_id}', '')}`, spec.summary];
  });
  return [
    '',
    'Operations (SDK name or kebab-case):',
    formatTable([['operation', 'request', 'what it does'], ...rows]).replace(/^/gm, '  '),
    '',
    'Credentials: CLOUD_SDK_AK/CLOUD_SDK_SK (or HUAWEICLOUD_SDK_AK/SK, + HUAWEICLOUD_SDK_SECURITY_TOKEN),',
    'or DCS_AUTH_TOKEN, or DCS_IAM_USERNAME/DCS_IAM_PASSWORD. Exit codes: 0 ok, 2 invalid request (nothing sent),',
    '3 the API answered with an error, 5 the endpoint could not be reached.',
  ].join('\n');
}
