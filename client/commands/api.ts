/**
 * `dcs-migrate api <Operation>`: one raw call of the DCS API (or the emulator) through the typed client, for
 * operators and scripts. The request is validated before it is sent; the answer is printed as JSON with
 * passwords redacted; errors go to stderr with kind, HTTP status, code and request id. The command is defined here; the call is
 * made by `api-call.ts`, loaded only when it runs.
 */
import type { Command } from 'commander';
import { formatTable } from '../output.js';
import type { ApiFlags } from './api-call.js';

type Operations = typeof import('../../dcs/operations.js');

let operations: Operations | undefined;

/**
 * The help text lists the operations, a table (with its zod schemas) only `api` needs: `client/cli.ts` calls this
 * before parsing when the command line names `api` (its help, `help api` and its usage errors show the table), so
 * defining the commands does not load it.
 */
export async function loadHelpText(): Promise<void> {
  operations ??= await import('../../dcs/operations.js');
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
    .option('--instance-id <id>', 'DCS instance id (ShowInstance)')
    .option('--offset <n>', 'item offset (list operations)')
    .option('--limit <n>', 'page size, 1-1000 (list operations)')
    .option('--name <name>', 'task name filter (ListMigrationTask)')
    .option('--log-level <level>', 'INFO or ERROR (ListMigrationTaskLogs)')
    .option('--endpoint <url>', 'DCS endpoint origin (default: DCS_ENDPOINT, or the region endpoint)')
    .option('--region <region>', 'region, e.g. ap-southeast-1 (default: DCS_REGION / HUAWEICLOUD_SDK_REGION)')
    .option('--project-id <id>', 'project id (default: HUAWEICLOUD_SDK_PROJECT_ID / DCS_PROJECT_ID)')
    .addHelpText('after', () => operationsHelp(operations))
    .action(async (operation: string, flags: ApiFlags) => (await import('./api-call.js')).runApi(operation, flags));
}

function operationsHelp(operations: Operations | undefined): string {
  if (!operations) return '';
  const { OPERATION_NAMES, OPERATIONS, operationNameToKebab } = operations;
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
