/**
 * `dcs-migrate restart <id>`: restarts the migration's failed remote task now (the same task, DCS batch-restart),
 * through the workflow's `restart` update. Accepted only while the migration waits to restart it (the input's
 * `restart` backoff, or its `restart.waitForOperator` window); otherwise rejected with the reason, nothing recorded.
 */
import type { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('restart')
      .description("Restart a migration's failed remote task now (the same task), while the migration waits to restart it.")
      .argument('<id>', 'workflow id of the migration')
      .option('--note <text>', 'recorded with the restart (who / why); never put secrets here')
      .option('--json', 'print the answer as JSON'),
  )
    .addHelpText('after', '\nExit code 0 when the restart was accepted, 2 when the migration is not waiting to restart its task.')
    .action(async (id: string, flags: TemporalFlags & { note?: string; json?: boolean }) => {
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [
        { WorkflowNotFoundError, WorkflowUpdateFailedError },
        { restartUpdate },
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
        if (isClosed(view.execution)) throw new CliError(`restart rejected: migration ${id} is already closed (${view.execution})`, EXIT.USAGE);
        try {
          const accepted = await client.workflow.getHandle(id).executeUpdate(restartUpdate, { args: [flags.note ? { note: flags.note } : {}] });
          if (flags.json) printJson({ workflowId: id, accepted: true, ...accepted });
          else printLines(`restart accepted for ${id} at ${accepted.acceptedAt}${accepted.reason ? ` (the task had failed: ${accepted.reason})` : ''}`);
        } catch (error) {
          if (error instanceof WorkflowUpdateFailedError) throw new CliError(`restart rejected: ${failureMessage(error.cause ?? error)}`, EXIT.USAGE);
          if (error instanceof WorkflowNotFoundError) throw new CliError(`restart rejected: migration ${id} is already closed`, EXIT.USAGE);
          throw error;
        }
      });
    });
}
