/**
 * `dcs-migrate restart <id>`: restarts the migration's failed remote task now (the same task, DCS batch-restart),
 * through the workflow's `restart` update. Accepted only while the migration waits to restart it (the input's
 * `restart` backoff, or its `restart.waitForOperator` window); otherwise rejected with the reason, nothing recorded.
 */
import type { Command } from 'commander';
import type { OperatorUpdateFlags } from '../operator-update.js';
import { addTemporalOptions } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('restart')
      .description(
        "Restart a migration's failed remote task now (the same task), while the migration waits to restart it.",
      )
      .argument('<id>', 'workflow id of the migration')
      .option('--note <text>', 'recorded with the restart (who / why); never put secrets here')
      .option('--json', 'print the answer as JSON'),
  )
    .addHelpText(
      'after',
      '\nExit code 0 when the restart was accepted, 2 when the migration is not waiting to restart its task.',
    )
    .action(async (id: string, flags: OperatorUpdateFlags) => {
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [{ restartUpdate }, { sendOperatorUpdate }] = await Promise.all([
        import('../../common/workflow-contract.js'),
        import('../operator-update.js'),
      ]);
      await sendOperatorUpdate(id, flags, 'restart', restartUpdate, (accepted) => [
        `restart accepted for ${id} at ${accepted.acceptedAt}${accepted.reason ? ` (the task had failed: ${accepted.reason})` : ''}`,
      ]);
    });
}
