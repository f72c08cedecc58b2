/** `dcs-migrate status <id>`: one read of a migration (phase, remote status, progress, result or failure). */
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import type { MigrationView } from '../migration-view-shape.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('status')
      .description('Show a migration: phase, remote status, progress, and its result or failure once closed.')
      .argument('<id>', 'workflow id of the migration')
      .option('--json', 'print the status as JSON (schema/status-output.schema.json)')
      .option('--verbose', 'keep failure messages whole (e.g. the canonical request a refused DCS signature quotes)'),
  )
    .addHelpText(
      'after',
      '\nExit code 0 when the migration is running or ended well, 4 when it failed, was cancelled or terminated.',
    )
    .action(async (id: string, flags: TemporalFlags & { json?: boolean; verbose?: boolean }) => {
      // Loaded here, not at the top: defining the commands (`--help`, usage errors) must not load the Temporal SDK.
      const [
        { printJson, printLines },
        { migrationJson },
        { statusLines },
        { migrationUiUrl },
        { resolveTemporalConfig },
        fast,
        { endedBadly },
      ] = await Promise.all([
        import('../output.js'),
        import('../json-output.js'),
        import('../render-migration.js'),
        import('../ui-link.js'),
        import('../temporal-config.js'),
        import('../status-over-http.js'),
        import('../migration-view-shape.js'),
      ]);
      const config = resolveTemporalConfig(flags);
      const print = (found: MigrationView) => {
        if (flags.json) printJson(migrationJson(found, migrationUiUrl(config, id) ?? null));
        else printLines(...statusLines(found, migrationUiUrl(config, id)));
      };
      // Temporal's HTTP API when the environment names it (the local stack's env file does): no SDK, no gRPC. Not
      // when --address or --profile point elsewhere than the environment's server.
      const overridden = flags.address !== undefined || flags.profile !== undefined;
      const read = overridden
        ? { sdkNeeded: '--address or --profile given' }
        : await fast.readStatusOverHttp(config, id, { verbose: flags.verbose ?? false });
      let view: MigrationView;
      if ('view' in read) {
        view = read.view;
        print(view);
      } else {
        if (flags.verbose) process.stderr.write(`(read through the Temporal SDK: ${read.sdkNeeded})\n`);
        const [{ readMigration }, { withTemporal }] = await Promise.all([
          import('../migration-view.js'),
          import('../temporal-client.js'),
        ]);
        view = await withTemporal(flags, async ({ client }) => {
          const found = await readMigration(client, id, { verbose: flags.verbose ?? false });
          print(found);
          return found;
        });
      }
      if (endedBadly(view)) process.exitCode = EXIT.MIGRATION_FAILED;
    });
}
