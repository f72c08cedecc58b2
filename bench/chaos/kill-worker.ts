/**
 * kill -9 the worker at seeded random moments while migrations run, restarting it each time. Each cycle starts
 * one migration (full and incremental-with-cutover alternate), waits a random 1–12 s, notes every open
 * migration's phase, kills the worker with SIGKILL and starts a new one — sometimes starting the cycle's migration
 * while no worker runs. The kills so land in every phase, from before the task exists to the stop after cutover.
 *
 * Invariants: every migration completes, each with exactly one remote task; the target equals the source.
 * Figures: phases hit, recovery per kill (kill → every open migration moved on again), activity attempts lost.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { seededRandom } from '../../common/seeded-random.js';
import { DcsPhase } from '../../common/search-attributes.js';
import { compareRedis } from '../../verify/compare.js';
import { percentile } from '../lib/notice-lag.js';
import { chaosInput, sleep, startChaosStack } from './harness.js';
import { recoveriesAfter, timelineOf } from './histories.js';
import { settleMigrations } from './outcomes.js';
import { formatSeconds, scenarioReport, type ScenarioReport } from './report.js';

export interface KillWorkerOptions {
  migrations: number;
  /** Kills in total (default: one per migration). */
  kills?: number;
  seed: number;
  workflowBundle: string;
  /** How long the migrations may take to settle after the last kill. */
  settleTimeoutMs?: number;
}

export async function killWorkerScenario(options: KillWorkerOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const kills = options.kills ?? options.migrations;
  const stack = await startChaosStack({
    name: 'kill-worker',
    workflowBundle: options.workflowBundle,
    sourceKeys: 300,
    seed: options.seed,
    timings: { creatingMs: 1_500, terminatingMs: 1_000 },
  });
  try {
    let worker = await stack.startWorker('w');
    const handles: WorkflowHandle[] = [];
    const closed = new Set<string>();
    const startMigration = async (index: number) => {
      const method = index % 2 === 0 ? 'full' : 'incremental';
      const handle = await stack.start(chaosInput(method), `chaos-kill-${options.seed}-${index}`);
      handles.push(handle);
      void handle.result().then(
        () => closed.add(handle.workflowId),
        () => closed.add(handle.workflowId),
      );
    };
    const phasesHit: Record<string, number> = {};
    const killTimes: number[] = [];
    const restartMs: number[] = [];
    for (let cycle = 0; cycle < kills; cycle++) {
      const startsWhileDown = cycle < options.migrations && random() < 0.2;
      if (cycle < options.migrations && !startsWhileDown) await startMigration(cycle);
      // Kills close together stack their stalls; spaced ones let migrations reach their later phases.
      await sleep(1_000 + random() * 11_000);
      for (const phase of await openPhases(handles.filter((h) => !closed.has(h.workflowId)))) phasesHit[phase] = (phasesHit[phase] ?? 0) + 1;
      killTimes.push(Date.now());
      await worker.process.kill();
      if (startsWhileDown) {
        await startMigration(cycle);
        phasesHit['started with no worker'] = (phasesHit['started with no worker'] ?? 0) + 1;
      }
      const restartAt = Date.now();
      worker = await stack.startWorker('w');
      restartMs.push(Date.now() - restartAt);
    }
    for (let index = kills; index < options.migrations; index++) await startMigration(index);

    const outcomes = await settleMigrations(
      stack,
      handles.map((handle) => ({ handle, expect: 'complete' as const })),
      options.settleTimeoutMs ?? 180_000,
    );
    const timelines = await Promise.all(handles.map((handle) => timelineOf(handle)));
    // A kill with no migration open has nothing to recover.
    const perKill = killTimes
      .map((at) => recoveriesAfter(at, timelines))
      .filter((recoveries) => recoveries.length > 0)
      .map((recoveries) => Math.max(...recoveries))
      .sort((a, b) => a - b);
    const lostAttempts = timelines.reduce((sum, t) => sum + t.lostActivityAttempts, 0);
    const comparison = await compareRedis(stack.emu.instance('source').endpoint, stack.emu.instance('target').endpoint);
    const problems = comparison.totalDifferences === 0 ? [] : [`target differs from source: ${comparison.totalDifferences} differences`];
    return scenarioReport('kill -9 worker', outcomes, Date.now() - started, {
      seed: options.seed,
      kills: killTimes.length,
      'phases hit (open migrations at each kill)': Object.entries(phasesHit)
        .map(([phase, count]) => `${phase} ${count}`)
        .join(', '),
      'recovery per kill p50': formatSeconds(percentile(perKill, 50)),
      'recovery per kill max': formatSeconds(percentile(perKill, 100)),
      'activity attempts lost in flight': lostAttempts,
      'worker restart p50': formatSeconds(percentile([...restartMs].sort((a, b) => a - b), 50)),
      'key differences': comparison.totalDifferences,
    }, problems);
  } finally {
    await stack.teardown();
  }
}

/**
 * The phase of each open migration, from its `DcsPhase` search attribute as the server holds it (a query would
 * need the worker, and one whose sticky worker just died waits out the sticky timeout).
 */
async function openPhases(handles: WorkflowHandle[]): Promise<string[]> {
  const phases = await Promise.all(
    handles.map(async (handle) => {
      const description = await handle.describe().catch(() => undefined);
      if (description?.status.name !== 'RUNNING') return undefined;
      return description.typedSearchAttributes.get(DcsPhase) ?? 'not picked up yet';
    }),
  );
  return phases.filter((phase) => phase !== undefined);
}
