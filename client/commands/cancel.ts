/**
 * `dcs-migrate cancel <id>`: asks the workflow to stop its remote task (the `cancel` signal carries the reason and
 * whether to delete the task afterwards). The workflow stops the task, waits for TERMINATED and ends CANCELLED.
 */
import type { Command } from 'commander';
import type { CancelRequest } from '../../common/workflow-contract.js';
import { CliError, EXIT } from '../exit-codes.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('cancel')
      .description(
        'Cancel a migration: stop the remote task, wait until DCS reports it TERMINATED, optionally delete it.',
      )
      .argument('<id>', 'workflow id of the migration')
      .option(
        '--reason <text>',
        'why (recorded in the workflow; never put secrets here)',
        'cancelled from the dcs-migrate CLI',
      )
      .option('--delete', 'delete the remote task once it is stopped')
      .option('--json', 'print the request as JSON'),
  )
    .addHelpText(
      'after',
      '\nExit code 0 when the request was delivered, 2 when the migration is unknown or already closed.',
    )
    .action(async (id: string, flags: TemporalFlags & { reason: string; delete?: boolean; json?: boolean }) => {
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [{ cancelSignal }, { isClosed, readMigration }, { printJson, printLines }, { withTemporal }] =
        await Promise.all([
          import('../../common/workflow-contract.js'),
          import('../migration-view.js'),
          import('../output.js'),
          import('../temporal-client.js'),
        ]);
      await withTemporal(flags, async ({ client }) => {
        const view = await readMigration(client, id, { describeOnly: true });
        if (isClosed(view.execution))
          throw new CliError(`migration ${id} is already closed (${view.execution})`, EXIT.USAGE);
        const request: CancelRequest = { reason: flags.reason, ...(flags.delete ? { delete: true } : {}) };
        await client.workflow.getHandle(id).signal(cancelSignal, request);
        if (flags.json) printJson({ workflowId: id, cancelRequested: true, ...request });
        else {
          const task = flags.delete
            ? 'the remote task will be stopped, then deleted'
            : "the remote task will be stopped (deleted only if the migration's input sets deleteOnCancel)";
          printLines(
            `cancel requested for ${id}: reason "${request.reason}"; ${task}; follow it with: dcs-migrate watch ${id}`,
          );
        }
      });
    });
}
