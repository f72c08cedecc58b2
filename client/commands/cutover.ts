/**
 * `dcs-migrate cutover <id>`: ends the incremental hold. Sent as the workflow's `cutover` update, so the operator
 * gets an answer: accepted (with the offset DCS last reported, and what happens next: at once, or what the cutover
 * policy waits for — the lag gate, the window) or rejected with the reason (not in the hold yet, already
 * requested), in which case nothing is recorded.
 */
import type { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('cutover')
      .description('End the incremental hold of a migration: DCS stops the task once its cutover policy allows (in sync, in the window).')
      .argument('<id>', 'workflow id of the migration')
      .option('--note <text>', 'recorded with the cutover (who / why); never put secrets here')
      .option('--json', 'print the answer as JSON'),
  )
    .addHelpText('after', '\nExit code 0 when the cutover was accepted, 2 when the migration is not in its incremental hold.')
    .action(async (id: string, flags: TemporalFlags & { note?: string; json?: boolean }) => {
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [
        { WorkflowNotFoundError, WorkflowUpdateFailedError },
        { cutoverUpdate },
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
        // Reading first turns an unknown id into a clear exit 2 rather than an update error.
        const view = await readMigration(client, id, { describeOnly: true });
        if (isClosed(view.execution)) throw new CliError(`cutover rejected: migration ${id} is already closed (${view.execution})`, EXIT.USAGE);
        try {
          const accepted = await client.workflow.getHandle(id).executeUpdate(cutoverUpdate, { args: [flags.note ? { note: flags.note } : {}] });
          if (flags.json) printJson({ workflowId: id, accepted: true, ...accepted });
          else
            printLines(
              `cutover accepted for ${id} at ${accepted.acceptedAt}${accepted.offset !== undefined ? ` (offset ${accepted.offset})` : ''}`,
              // The cutover policy (input `cutover`) may hold it back: say what happens next. Older workers do not say.
              ...(accepted.outlook ? [accepted.outlook] : []),
            );
        } catch (error) {
          if (error instanceof WorkflowUpdateFailedError) throw new CliError(`cutover rejected: ${failureMessage(error.cause ?? error)}`, EXIT.USAGE);
          // The run closed between the read above and the update.
          if (error instanceof WorkflowNotFoundError) throw new CliError(`cutover rejected: migration ${id} is already closed`, EXIT.USAGE);
          throw error;
        }
      });
    });
}
