/**
 * `dcs-migrate api <Operation>`: one raw call of the DCS API (or the emulator) through the typed client, for
 * operators and scripts. The request is validated before it is sent; the answer is printed as JSON with
 * passwords redacted; errors go to stderr with kind, HTTP status, code and request id.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DcsClient } from '../../dcs/client.js';
import { redactSecretFields } from '../../dcs/errors/index.js';
import { dcsConfigFrom, toCliError } from '../dcs-cli.js';
import { findOperation, OPERATION_NAMES, OPERATIONS, operationNameToKebab } from '../../dcs/operations.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatTable, printJson } from '../output.js';

interface ApiFlags {
  body?: string;
  file?: string;
  taskId?: string;
  jobId?: string;
  offset?: string;
  limit?: string;
  name?: string;
  logLevel?: string;
  endpoint?: string;
  region?: string;
  projectId?: string;
}

export function register(program: Command): void {
  program
    .command('api')
    .description('Call one DCS API operation and print its JSON answer (credentials from the environment).')
    .argument('<operation>', 'SDK operation name, e.g. ShowMigrationTask or show-migration-task')
    .option('--body <json>', 'request body as JSON')
    .option('--file <path>', 'request body from a JSON file ("-" reads stdin)')
    .option('--task-id <id>', 'migration task id (path parameter)')
    .option('--job-id <id>', 'job id (ShowJobInfo)')
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
        config: dcsConfigFrom(flags),
        userAgent: 'dcs-migrate-cli',
      });
      try {
        const result = await client.call(spec.name, {
          path: { task_id: flags.taskId, job_id: flags.jobId },
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
