/**
 * `dcs-migrate rollback <id>`: switches the clients back to the source after a `cutover.switch`, inside the
 * rollback window. Sent as the workflow's `rollback` update, answered once DCS reports ROLLBACK_SUCCESS; the
 * migration then holds again or ends rolled back (`cutover.afterRollback`). Rejected (nothing recorded) outside
 * the window. With `cutover.rollback: keep-writes` it first waits until the reverse task has caught up, so the
 * source holds every write made since the switch; while the reverse task cannot keep them yet (its full sync),
 * it is rejected unless `--force` (go back without them), which also cuts short a rollback waiting to catch up.
 */
import type { Command } from 'commander';
import type { OperatorUpdateFlags } from '../operator-update.js';
import { addTemporalOptions } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('rollback')
      .description(
        'Switch the clients back to the source after a client switch (rollback-ip), within the rollback window.',
      )
      .argument('<id>', 'workflow id of the migration')
      .option('--note <text>', 'recorded with the rollback (who / why); never put secrets here')
      .option('--force', 'go back now, without the writes the reverse task has not copied back yet')
      .option('--json', 'print the answer as JSON'),
  )
    .addHelpText(
      'after',
      '\nExit code 0 once the clients are back on the source, 2 when there is no switch to roll back\n' +
        '(or when the rollback would lose writes: see --force).',
    )
    .action(async (id: string, flags: OperatorUpdateFlags & { force?: boolean }) => {
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [{ rollbackUpdate }, { sendOperatorUpdate }] = await Promise.all([
        import('../../common/workflow-contract.js'),
        import('../operator-update.js'),
      ]);
      const kept = (keptWrites: boolean | undefined) =>
        keptWrites === undefined ? '' : ` (${keptWrites ? 'with every write' : 'without the writes'} since the switch)`;
      const lines = (done: { acceptedAt: string; finishedAt?: string; keptWrites?: boolean }) => {
        const back = done.finishedAt ? `; clients back on the source at ${done.finishedAt}` : '';
        return [`rollback of ${id} accepted at ${done.acceptedAt}${back}${back ? kept(done.keptWrites) : ''}`];
      };
      await sendOperatorUpdate(id, flags, 'rollback', rollbackUpdate, lines, flags.force ? { force: true } : {});
    });
}
