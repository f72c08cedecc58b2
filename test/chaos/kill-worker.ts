/**
 * kill -9 the worker at seeded random moments while migrations run, restarting it each time. Each cycle starts
 * one migration (full and incremental-with-cutover alternate), waits a random moment within that migration's
 * undisturbed lifetime (so the kill lands in it, and in whatever older ones are still open), notes every open
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
import { percentile } from '../support/percentile.js';
import { chaosInput, sleep, startChaosStack } from './harness.js';
import { recoveryPerFault, timelineOf } from './histories.js';
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

/**
 * How long a migration of this stack takes when nothing is killed: create 1 s, provisioning 2.5 s, configure 1 s,
 * copy, hold 3 s (incremental), stop 1 s + 1 s.
 */
const LIFETIME_MS = { full: 5_000, incremental: 10_000 } as const;

const methodOf = (index: number) => (index % 2 === 0 ? 'full' : 'incremental');

export async function killWorkerScenario(options: KillWorkerOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const kills = options.kills ?? options.migrations;
  const stack = await startChaosStack({
    name: 'kill-worker',
    workflowBundle: options.workflowBundle,
    sourceKeys: 300,
    seed: options.seed,
    timings: { creatingMs: 2_500, terminatingMs: 1_000 },
  });
  try {
    // The writes whose outcome is ambiguous when their worker dies take a second, so kills land in them too: a
    // create that commits after its worker died must be found by name, never made twice.
    for (const operation of ['CreateOnlineMigrationTask', 'SetOnlineMigrationTask', 'StopMigrationTask'] as const) {
      stack.emu.faults.add({ operation, latencyMs: 1_000 });
    }
    let worker = await stack.startWorker('w');
    const handles: WorkflowHandle[] = [];
    const closed = new Set<string>();
    const startMigration = async (index: number) => {
      const handle = await stack.start(chaosInput(methodOf(index)), `chaos-kill-${options.seed}-${index}`);
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
      await sleep(200 + random() * (LIFETIME_MS[methodOf(cycle)] - 200));
      for (const phase of await openPhases(handles.filter((h) => !closed.has(h.workflowId))))
        phasesHit[phase] = (phasesHit[phase] ?? 0) + 1;
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
    const perKill = recoveryPerFault(killTimes, timelines);
    const lostAttempts = timelines.reduce((sum, t) => sum + t.lostActivityAttempts, 0);
    const comparison = await compareRedis(stack.emu.instance('source').endpoint, stack.emu.instance('target').endpoint);
    const problems =
      comparison.totalDifferences === 0
        ? []
        : [`target differs from source: ${comparison.totalDifferences} differences`];
    // A kill while nothing runs tests nothing: most kills must land in open migrations.
    if (perKill.length < kills / 2) problems.push(`only ${perKill.length} of ${kills} kills found a migration open`);
    return scenarioReport(
      'kill -9 worker',
      outcomes,
      Date.now() - started,
      {
        kills: killTimes.length,
        'kills with migrations open': perKill.length,
        'phases hit (open migrations at each kill)': Object.entries(phasesHit)
          .map(([phase, count]) => `${phase} ${count}`)
          .join(', '),
        'activity attempts lost in flight': lostAttempts,
        'writes lost in flight (timed out, re-read, decided again)':
          countBy(timelines.flatMap((t) => t.timedOutActivities)) || 0,
        'worker restart p50': formatSeconds(
          percentile(
            [...restartMs].sort((a, b) => a - b),
            50,
          ),
        ),
        'key differences': comparison.totalDifferences,
      },
      problems,
      perKill,
    );
  } finally {
    await stack.teardown();
  }
}

/** `create ×2, configure ×1`, or '' when the list is empty. */
function countBy(names: string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${name} ×${count}`).join(', ');
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
