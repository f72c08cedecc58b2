/**
 * `dcs-migrate up` (`npm start`, Quickstart command one): brings up the local stack and runs an incremental online
 * migration end to end against the DCS emulator, then keeps the stack up for the Temporal UI until Ctrl-C — or,
 * with `--exit` / DCS_MIGRATE_EXIT=1, stops it and exits (0 only when the migration was cut over and the target
 * equals the source).
 */
import type { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes.js';

interface UpFlags {
  keys?: string;
  exit?: boolean;
  port?: string;
  uiPort?: string;
  trafficSeconds?: string;
  trafficRate?: string;
  sourceType?: string;
  targetType?: string;
}

export function register(program: Command): void {
  program
    .command('up')
    .description(
      'Start the local stack (Temporal + UI, DCS emulator, redis-servers, worker) and run an incremental migration end to end.',
    )
    .option('--keys <n>', 'sample keys seeded on the source (default: DCS_MIGRATE_SAMPLE_KEYS or 100000)')
    .option('--exit', 'stop everything and exit after the migration (also DCS_MIGRATE_EXIT=1)')
    .option('--port <port>', 'Temporal gRPC port (default: 7233 when free)')
    .option('--ui-port <port>', 'Temporal Web UI port (default: 8233 when free)')
    .option('--traffic-seconds <s>', 'how long live writes hit the source during the incremental hold', '5')
    .option('--traffic-rate <n>', 'live writes per second', '500')
    .option(
      '--source-type <type>',
      'the source instance: single (default), ha[:N] (master + N standbys) or cluster[:M[xR]] (Redis Cluster, M masters, R replicas each), as --instance of dcs-migrate emulator spells it',
    )
    .option(
      '--target-type <type>',
      'the target instance: single (default), ha[:N] or cluster[:M[xR]] (with a cluster on either side the demo seeds db 0 only and cuts over without an IP switch)',
    )
    .addHelpText(
      'after',
      '\nExit codes (with --exit): 0 migration cut over and target equals source, 4 migration failed or differences found, ' +
        '1 the stack could not start. Without --exit it stays up until Ctrl-C.',
    )
    .action(async (flags: UpFlags) => {
      // Loaded on demand: the stack pulls in the worker SDK, the emulator and the data plane.
      const { InvalidStackOptionsError, resolveStackOptions } = await import('../../stack/stack-options.js');
      let options;
      try {
        options = resolveStackOptions(flags);
      } catch (error) {
        if (error instanceof InvalidStackOptionsError) throw new CliError(error.message, EXIT.USAGE);
        throw error;
      }
      const { runUp } = await import('../up/run-up.js');
      process.exitCode = await runUp(options);
    });
}
