/**
 * The Temporal dev server restarted in the middle of migrations: it runs on a SQLite file, is stopped (SIGTERM,
 * then in a second round SIGKILL, as a crash) while an incremental migration holds in sync and a full one is being
 * provisioned, stays down a few seconds, and comes back on the same port with the same file. The worker and the
 * client are not restarted: they must reconnect by themselves.
 *
 * Invariants: every migration completes with exactly one remote task; the worker process survives the outage.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { DcsPhase } from '../../common/search-attributes.js';
import { chaosInput, startChaosStack, waitUntil } from './harness.js';
import { recoveryPerFault, timelineOf } from './histories.js';
import { settleMigrations, type MigrationOutcome } from './outcomes.js';
import { formatSeconds, scenarioReport, type ScenarioReport } from './report.js';

export interface ServerRestartOptions {
  seed: number;
  workflowBundle: string;
  /** How long the server stays down each time. */
  downMs?: number;
  /** Restart rounds: SIGTERM, then SIGKILL. */
  signals?: Array<'SIGTERM' | 'SIGKILL'>;
}

export async function serverRestartScenario(options: ServerRestartOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const downMs = options.downMs ?? 3_000;
  const stack = await startChaosStack({
    name: 'server-restart',
    workflowBundle: options.workflowBundle,
    persistent: true,
    sourceKeys: 300,
    seed: options.seed,
    timings: { creatingMs: 2_000, terminatingMs: 1_000 },
  });
  try {
    const worker = await stack.startWorker('w');
    const outcomes: MigrationOutcome[] = [];
    const problems: string[] = [];
    const figures: Record<string, string | number> = {};
    const handles: WorkflowHandle[] = [];
    const stoppedAt: number[] = [];
    for (const [round, signal] of (options.signals ?? ['SIGTERM', 'SIGKILL']).entries()) {
      const incremental = await stack.start(
        chaosInput('incremental', { hold: { maxDuration: '4s' } }),
        `chaos-restart-${options.seed}-${round}-incr`,
      );
      if (!(await waitUntil(async () => (await phaseOf(incremental)) === 'incremental-hold', 60_000)))
        problems.push(`round ${signal}: the incremental migration never reached its hold`);
      const full = await stack.start(chaosInput('full'), `chaos-restart-${options.seed}-${round}-full`);
      await waitUntil(async () => (await phaseOf(full)) === 'provisioning', 20_000);
      const phases = `${await phaseOf(incremental)} + ${await phaseOf(full)}`;
      handles.push(incremental, full);
      stoppedAt.push(Date.now());
      const { restartMs } = await stack.restartServer(signal, downMs);
      const backAt = Date.now();
      const settled = await settleMigrations(
        stack,
        [incremental, full].map((handle) => ({ handle, expect: 'complete' as const })),
        60_000,
      );
      outcomes.push(...settled);
      figures[`${signal}: killed during`] = phases;
      figures[`${signal}: restart`] = formatSeconds(restartMs);
      figures[`${signal}: back → both done`] = formatSeconds(Date.now() - backAt);
      if (worker.process.child.exitCode !== null || worker.process.child.signalCode !== null) {
        problems.push(
          `the worker exited during the ${signal} outage (code ${worker.process.child.exitCode}); see ${worker.logFile}`,
        );
        break;
      }
    }
    figures['down each time'] = formatSeconds(downMs);
    figures['worker restarts'] = 0;
    // Recovery from the stop: the server's downtime is part of it.
    const recoveries = recoveryPerFault(stoppedAt, await Promise.all(handles.map((handle) => timelineOf(handle))));
    return scenarioReport('Temporal server restart', outcomes, Date.now() - started, figures, problems, recoveries);
  } finally {
    await stack.teardown();
  }
}

async function phaseOf(handle: WorkflowHandle): Promise<string | undefined> {
  const description = await handle.describe();
  return description.typedSearchAttributes.get(DcsPhase);
}
