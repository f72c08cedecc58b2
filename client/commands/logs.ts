/**
 * `dcs-migrate logs <id>`: the remote task's log (ListMigrationTaskLogs), oldest first, as a table or `--json`. The
 * task is the migration's (its `DcsTaskId` search attribute, readable without a worker), or `--task-id` for any
 * task. DCS is called directly with the credentials of the environment, as `dcs-migrate api` does; messages are
 * scrubbed of those credentials and of anything that looks like a password before they are printed.
 */
import type { Command } from 'commander';
import { addTemporalOptions } from '../temporal-flags.js';
import type { LogsFlags } from './logs-run.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('logs')
      .description("Print the remote task's log (DCS ListMigrationTaskLogs), oldest first.")
      .argument('[id]', 'workflow id of the migration (its remote task is looked up in Temporal)')
      .option('--task-id <id>', 'a DCS task id instead of a migration (Temporal is not asked)')
      .option('--level <level>', 'only INFO or only ERROR entries')
      .option('--last <n>', 'only the last n entries')
      .option('--json', 'print {taskId, total, entries} as JSON')
      .option('--endpoint <url>', 'DCS endpoint origin (default: DCS_ENDPOINT, or the region endpoint)')
      .option('--region <region>', 'region (default: DCS_REGION / HUAWEICLOUD_SDK_REGION)')
      .option('--project-id <id>', 'project id (default: HUAWEICLOUD_SDK_PROJECT_ID / DCS_PROJECT_ID)'),
  )
    .addHelpText(
      'after',
      '\nCredentials as for `dcs-migrate api`. Exit codes: 0 ok, 2 bad usage or no such migration/task, 3 DCS refused, 5 DCS unreachable.',
    )
    .action(async (id: string | undefined, flags: LogsFlags) => (await import('./logs-run.js')).runLogs(id, flags));
}
