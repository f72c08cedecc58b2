/** `dcs-migrate worker`: runs a migration worker until SIGINT/SIGTERM (see `worker/main.ts`). */
import type { Command } from 'commander';
import type { WorkerFlags } from '../../worker/worker-options.js';
import { CliError, EXIT } from '../exit-codes.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('worker')
      .description('Run a worker that executes migrations (stops gracefully on SIGINT/SIGTERM).')
      .option('--task-queue <name>', 'task queue to poll (default: DCS_MIGRATE_TASK_QUEUE or "dcs-migrate")')
      .option(
        '--metrics-port <port>',
        'serve Prometheus metrics on this port at /metrics (default: DCS_MIGRATE_METRICS_PORT; off)',
      )
      .option('--metrics-host <host>', 'interface of the metrics endpoint', '0.0.0.0')
      .option(
        '--max-cached-workflows <n>',
        'workflow executions kept in memory (default: the SDK’s, sized from the heap)',
      )
      .option(
        '--max-concurrent-activities <n>',
        'activities running at once: DCS calls, and shared-mode migrations waiting on the status watcher (default 5000)',
      )
      .option(
        '--watch-interval <duration>',
        'shared status watcher: time between two listings of all tasks after a change (default: DCS_MIGRATE_WATCH_INTERVAL or 5s)',
      )
      .option(
        '--watch-max-interval <duration>',
        'shared status watcher: the longest time between two listings while nothing changes (default: DCS_MIGRATE_WATCH_MAX_INTERVAL or 60s)',
      )
      .option('--shutdown-grace <duration>', 'on shutdown, how long running activities may finish', '30s')
      .option(
        '--workflow-bundle <path>',
        'prebuilt workflow bundle (default: DCS_MIGRATE_WORKFLOW_BUNDLE; else bundled at start)',
      )
      .option('--log-level <level>', 'trace, debug, info, warn or error (default: DCS_MIGRATE_LOG_LEVEL or info)')
      .option('--deployment-name <name>', 'Worker Deployment to run a version of (DCS_MIGRATE_DEPLOYMENT_NAME)')
      .option('--build-id <id>', "this build's id in the deployment (DCS_MIGRATE_BUILD_ID); both or neither"),
  )
    .addHelpText(
      'after',
      '\nThe DCS endpoint and credentials come from the environment (DCS_* variables, see docs/cli.md); Redis passwords that\n' +
        'migration files reference as { env: NAME } must be set in this process’s environment.\n' +
        'With --deployment-name and --build-id, migrations are pinned to this version and move to a newer\n' +
        'current one at their next poll (docs/deploys.md); without them, the worker is unversioned.\n' +
        'Exit code 0 after a graceful shutdown, 2 for bad settings, 5 when Temporal cannot be reached.',
    )
    .action(async (flags: TemporalFlags & WorkerFlags) => {
      // Loaded on demand: the other commands do not need the worker SDK and its native bridge.
      const [
        { resolveWorkerSettings },
        { runWorker },
        { InvalidWorkerSettingsError, TemporalUnreachableError },
        { resolveTemporalConfig },
      ] = await Promise.all([
        import('../../worker/worker-options.js'),
        import('../../worker/main.js'),
        import('../../worker/worker-errors.js'),
        import('../temporal-config.js'),
      ]);
      // The worker throws plain typed errors; which exit code each one means is the CLI's business.
      try {
        await runWorker(resolveWorkerSettings(flags), resolveTemporalConfig(flags));
      } catch (error) {
        if (error instanceof InvalidWorkerSettingsError) throw new CliError(error.message, EXIT.USAGE);
        if (error instanceof TemporalUnreachableError) throw new CliError(error.message, EXIT.UNREACHABLE);
        throw error;
      }
    });
}
