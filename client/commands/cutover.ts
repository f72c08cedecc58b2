/**
 * `dcs-migrate cutover <id>`: ends the incremental hold. Sent as the workflow's `cutover` update, so the operator
 * gets an answer: accepted (with the offset DCS last reported, and what happens next: at once, or what the cutover
 * policy waits for — the lag gate, the window) or rejected with the reason (not in the hold yet, already
 * requested), in which case nothing is recorded.
 */
import type { Command } from 'commander';
import type { OperatorUpdateFlags } from '../operator-update.js';
import { addTemporalOptions } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('cutover')
      .description(
        'End the incremental hold of a migration: DCS stops the task once its cutover policy allows (in sync, in the window).',
      )
      .argument('<id>', 'workflow id of the migration')
      .option('--note <text>', 'recorded with the cutover (who / why); never put secrets here')
      .option('--json', 'print the answer as JSON'),
  )
    .addHelpText(
      'after',
      '\nExit code 0 when the cutover was accepted, 2 when the migration is not in its incremental hold.',
    )
    .action(async (id: string, flags: OperatorUpdateFlags) => {
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [{ cutoverUpdate }, { sendOperatorUpdate }] = await Promise.all([
        import('../../common/workflow-contract.js'),
        import('../operator-update.js'),
      ]);
      await sendOperatorUpdate(id, flags, 'cutover', cutoverUpdate, (accepted) => [
        `cutover accepted for ${id} at ${accepted.acceptedAt}${accepted.offset !== undefined ? ` (offset ${accepted.offset})` : ''}`,
        // The cutover policy (input `cutover`) may hold it back: say what happens next. Older workers do not say.
        ...(accepted.outlook ? [accepted.outlook] : []),
      ]);
    });
}
