/**
 * What `dcs-migrate up` does, start to finish: stack up, demo migration, summary, then stay up until Ctrl-C (or
 * stop at once with `exit`). Returns the process exit code; every process it started is stopped before it returns.
 * The body of the `up` command, so it lives with the CLI: it renders progress, prints, and picks exit codes; the
 * stack itself (stack/) only starts and stops processes and knows nothing of the CLI.
 */
import { createStackLog } from '../../stack/stack-log.js';
import type { StackOptions } from '../../stack/stack-options.js';
import { startLocalStack, type LocalStack } from '../../stack/start-stack.js';
import { EXIT } from '../exit-codes.js';
import { formatDuration } from '../output.js';
import { untilTerminationSignal } from '../../local/termination-signal.js';
import { runDemoMigration, type DemoResult } from './demo-migration.js';
import { stackEnvSummary } from './stack-env-summary.js';

export async function runUp(options: StackOptions): Promise<number> {
  const log = createStackLog();
  const started = Date.now();
  const clustered = options.topologies.source.mode === 'cluster' || options.topologies.target.mode === 'cluster';
  log.info(
    `dcs-migrate local stack: Temporal + Web UI, DCS emulator, ${clustered ? 'a source and a target instance (a Redis Cluster on either side or both)' : 'two redis-servers'}, a worker — then an incremental migration\n`,
  );

  let stack: LocalStack | undefined;
  let interrupted = false;
  // Also when npm (`npm start`) is stopped: it does not pass a SIGTERM on (local/parent-watch.ts).
  const stopping = untilTerminationSignal().then(() => {
    interrupted = true;
  });

  let result: DemoResult | undefined;
  try {
    stack = await raceSignal(
      startLocalStack(
        { keys: options.keys, port: options.port, uiPort: options.uiPort, topologies: options.topologies },
        log,
      ),
      stopping,
    );
    if (!stack) return EXIT.FAILURE;
    result = await raceSignal(
      runDemoMigration(stack, { trafficSeconds: options.trafficSeconds, trafficRate: options.trafficRate }, log),
      stopping,
    );
    if (!result) return EXIT.FAILURE;

    log.info('');
    const cutOver = clustered
      ? 'incremental migration cut over (no IP switch: DCS switches no IPs of a Redis Cluster)'
      : 'incremental migration cut over';
    log.info(
      result.ok
        ? `✔ ${cutOver}; the target equals the source (0 differences)`
        : '✘ the migration did not end as expected',
    );
    log.info(`  total ${formatDuration(Date.now() - started)} for stack + migration + verification`);
    log.info(`  Temporal UI:   ${result.uiUrl}`);
    log.info(`  all migrations: ${stack.uiUrl}/namespaces/${stack.temporal.namespace}/workflows`);
    log.info(`  logs:          ${stack.logDir}`);
    if (stack.movedPorts.length > 0) log.info(`  ${stackEnvSummary(stack)[0] ?? ''}`);
    if (options.exit) return result.ok ? EXIT.OK : EXIT.MIGRATION_FAILED;

    log.info('');
    // Payloads are encrypted: the CLI in another shell needs the session's key file, which the env file names.
    log.info('The stack stays up.');
    for (const line of stackEnvSummary(stack).slice(stack.movedPorts.length > 0 ? 1 : 0)) log.info(line);
    log.info('Press Ctrl-C to stop everything.');
    await Promise.race([stopping, stack.workerDone]);
    return result.ok ? EXIT.OK : EXIT.MIGRATION_FAILED;
  } catch (error) {
    log.info(`\n✘ ${(error as Error).message}`);
    if (stack) log.info(`  logs: ${stack.logDir}`);
    return result ? EXIT.MIGRATION_FAILED : EXIT.FAILURE;
  } finally {
    if (stack) {
      log.info(interrupted ? '\nstopping the stack …' : 'stopping the stack …');
      await stack.stop();
      log.info('stopped.');
    }
  }
}

/** Resolves with `work`, or with undefined as soon as `signal` resolves (Ctrl-C during a long step). */
async function raceSignal<T>(work: Promise<T>, signal: Promise<void>): Promise<T | undefined> {
  work.catch(() => undefined);
  return Promise.race([work, signal.then(() => undefined)]);
}
