/**
 * `dcs-migrate rollback <id>`: switches the clients back to the source after a `cutover.switch`, inside the
 * rollback window. Sent as the workflow's `rollback` update, answered once DCS reports ROLLBACK_SUCCESS; the
 * migration then holds again or ends rolled back (`cutover.afterRollback`). Rejected (nothing recorded) outside
 * the window.
 */
import type { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('rollback')
      .description('Switch the clients back to the source after a client switch (rollback-ip), within the rollback window.')
      .argument('<id>', 'workflow id of the migration')
      .option('--note <text>', 'recorded with the rollback (who / why); never put secrets here')
      .option('--json', 'print the answer as JSON'),
  )
    .addHelpText('after', '\nExit code 0 once the clients are back on the source, 2 when there is no switch to roll back.')
    .action(async (id: string, flags: TemporalFlags & { note?: string; json?: boolean }) => {
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [
        { WorkflowNotFoundError, WorkflowUpdateFailedError },
        { rollbackUpdate },
        { failureMessage, isClosed, readMigration },
        { printJson, printLines },
        { withTemporal },
      ] = await Promise.all([
        import('@temporalio/client'),
        import('../../common/workflow-contract.js'),
        import('../migration-view.js'),
        import('../output.js'),
        import('../temporal-client.js'),
      ]);
      await withTemporal(flags, async ({ client }) => {
        const view = await readMigration(client, id, { describeOnly: true });
        if (isClosed(view.execution)) throw new CliError(`rollback rejected: migration ${id} is already closed (${view.execution})`, EXIT.USAGE);
        try {
          const done = await client.workflow.getHandle(id).executeUpdate(rollbackUpdate, { args: [flags.note ? { note: flags.note } : {}] });
          if (flags.json) printJson({ workflowId: id, accepted: true, ...done });
          else printLines(`rollback of ${id} accepted at ${done.acceptedAt}${done.finishedAt ? `; clients back on the source at ${done.finishedAt}` : ''}`);
        } catch (error) {
          if (error instanceof WorkflowUpdateFailedError) throw new CliError(`rollback rejected: ${failureMessage(error.cause ?? error)}`, EXIT.USAGE);
          if (error instanceof WorkflowNotFoundError) throw new CliError(`rollback rejected: migration ${id} is already closed`, EXIT.USAGE);
          throw error;
        }
      });
    });
}
