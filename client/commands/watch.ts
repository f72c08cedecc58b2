/** `dcs-migrate watch <id>`: live progress of a migration until it closes, then a summary. */
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { parseIntFlag } from '../flags.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('watch')
      .description(
        'Follow a migration live (phase, remote status, full-sync progress, incremental offset) until it ends.',
      )
      .argument('<id>', 'workflow id of the migration')
      .option('--interval <ms>', 'between refreshes', '1000')
      .option('--json', 'progress on stderr, the final state as JSON on stdout'),
  )
    .addHelpText(
      'after',
      '\nExit code 0 when the migration succeeded or was cut over, 4 when it failed, was cancelled or terminated.',
    )
    .action(async (id: string, flags: TemporalFlags & { interval: string; json?: boolean }) => {
      // Checked before connecting: a bad flag is exit 2 even when Temporal is unreachable.
      const intervalMs = parseIntFlag('--interval', flags.interval, 200, 600_000);
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [
        { followMigration },
        { migrationJson },
        { endedBadly },
        { printJson },
        { withTemporal },
        { migrationUiUrl },
      ] = await Promise.all([
        import('../follow-migration.js'),
        import('../json-output.js'),
        import('../migration-view.js'),
        import('../output.js'),
        import('../temporal-client.js'),
        import('../ui-link.js'),
      ]);
      const view = await withTemporal(flags, async ({ client, config }) => {
        const final = await followMigration(client, id, {
          intervalMs,
          uiUrl: migrationUiUrl(config, id),
          out: flags.json ? process.stderr : process.stdout,
        });
        if (flags.json) printJson(migrationJson(final));
        return final;
      });
      if (endedBadly(view)) process.exitCode = EXIT.MIGRATION_FAILED;
    });
}
