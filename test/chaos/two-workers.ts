/**
 * Two workers on one task queue, one of them killed with SIGKILL mid-run and not restarted: the other carries
 * every migration to its end.
 *
 * Invariants: every migration completes with exactly one remote task; the killed worker had migrations in
 * flight (else the handover was not tested), and they finished on the survivor.
 * Figures: migrations handed over, kill → all done, activity attempts lost in flight.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { seededRandom } from '../../common/seeded-random.js';
import { chaosInput, sleep, startChaosStack } from './harness.js';
import { recoveryPerFault, timelineOf } from './histories.js';
import { settleMigrations } from './outcomes.js';
import { formatSeconds, scenarioReport, type ScenarioReport } from './report.js';

export interface TwoWorkersOptions {
  migrations: number;
  seed: number;
  workflowBundle: string;
}

export async function twoWorkersScenario(options: TwoWorkersOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const stack = await startChaosStack({
    name: 'two-workers',
    workflowBundle: options.workflowBundle,
    sourceKeys: 300,
    seed: options.seed,
    timings: { creatingMs: 1_500, terminatingMs: 1_000 },
  });
  try {
    const workers = [await stack.startWorker('a'), await stack.startWorker('b')] as const;
    const handles: WorkflowHandle[] = [];
    for (let index = 0; index < options.migrations; index++) {
      const method = index % 2 === 0 ? 'full' : 'incremental';
      handles.push(
        await stack.start(
          chaosInput(method, method === 'incremental' ? { hold: { maxDuration: '5s' } } : {}),
          `chaos-two-${options.seed}-${index}`,
        ),
      );
    }
    await sleep(2_000 + random() * 3_000);
    const victim = workers[random() < 0.5 ? 0 : 1];
    const killedAt = Date.now();
    await victim.process.kill();
    const outcomes = await settleMigrations(
      stack,
      handles.map((handle) => ({ handle, expect: 'complete' as const })),
      180_000,
    );
    const doneMs = Date.now() - killedAt;
    const timelines = await Promise.all(handles.map((handle) => timelineOf(handle)));
    // The SDK's default worker identity is `<pid>@<host>`.
    const onVictim = (identity: string) => identity.startsWith(`${victim.process.pid}@`);
    const handedOver = timelines.filter((t) => t.workerIdentities.some(onVictim) && t.closedAt > killedAt).length;
    const problems: string[] = [];
    if (handedOver === 0) problems.push('the killed worker had no migration in flight: the handover was not tested');
    return scenarioReport(
      'two workers, one killed',
      outcomes,
      Date.now() - started,
      {
        'migrations handed over to the survivor': handedOver,
        'kill → all done': formatSeconds(doneMs),
        'activity attempts lost in flight': timelines.reduce((sum, t) => sum + t.lostActivityAttempts, 0),
      },
      problems,
      recoveryPerFault([killedAt], timelines),
    );
  } finally {
    await stack.teardown();
  }
}
