/**
 * The DCS API at its worst, for every operation: 30% of calls answered HTTP 500, 10% of connections dropped
 * without an answer, and 2 s added to every call — while many full migrations run at once on one worker with the
 * production retry settings.
 *
 * Invariants: every migration succeeds with exactly one remote task; the target equals the source.
 * Figures: calls made, faults injected (the emulator's own counts), activity attempts.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { compareRedis } from '../../verify/compare.js';
import { chaosInput, startChaosStack } from './harness.js';
import { settleMigrations } from './outcomes.js';
import { scenarioReport, type ScenarioReport } from './report.js';

export interface ApiFaultsOptions {
  migrations: number;
  seed: number;
  workflowBundle: string;
  settleTimeoutMs?: number;
}

export async function apiFaultsScenario(options: ApiFaultsOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const stack = await startChaosStack({
    name: 'api-faults',
    workflowBundle: options.workflowBundle,
    sourceKeys: 300,
    seed: options.seed,
  });
  try {
    await stack.startWorker('w');
    const errors = stack.emu.faults.add({ operation: '*', probability: 0.3, status: 500 });
    const drops = stack.emu.faults.add({ operation: '*', probability: 0.1, drop: true });
    const latency = stack.emu.faults.add({ operation: '*', latencyMs: 2_000 });
    const handles: WorkflowHandle[] = [];
    for (let index = 0; index < options.migrations; index++) {
      // Polls no faster than the latency: a poll is an API call of 2 s at least.
      handles.push(
        await stack.start(
          chaosInput('full', { polling: { initialInterval: '1s', maxInterval: '3s', pollsPerRun: 2_000 } }),
          `chaos-faults-${options.seed}-${index}`,
        ),
      );
    }
    const outcomes = await settleMigrations(
      stack,
      handles.map((handle) => ({ handle, expect: 'complete' as const })),
      options.settleTimeoutMs ?? 300_000,
    );
    stack.emu.faults.clear();
    // Counted from what was answered (a request two rules fired on got only the first rule's effect).
    const requests = stack.emu.requests().filter((request) => request.operation !== undefined);
    const answered500 = requests.filter((request) => request.status === 500 && request.faults?.includes(errors)).length;
    const dropped = requests.filter((request) => request.status === 0 && request.faults?.includes(drops)).length;
    const delayed = requests.filter((request) => request.faults?.includes(latency)).length;
    const attempts = outcomes.reduce((sum, outcome) => sum + (outcome.result?.activityAttempts ?? 0), 0);
    const calls = outcomes.reduce(
      (sum, outcome) => sum + Object.values(outcome.result?.apiCalls ?? {}).reduce((a, b) => a + b, 0),
      0,
    );
    const comparison = await compareRedis(stack.emu.instance('source').endpoint, stack.emu.instance('target').endpoint);
    const problems: string[] = [];
    if (comparison.totalDifferences !== 0)
      problems.push(`target differs from source: ${comparison.totalDifferences} differences`);
    if (answered500 === 0 || dropped === 0) problems.push('a fault was never injected: the scenario did not test it');
    if (delayed !== requests.length) problems.push(`only ${delayed} of ${requests.length} requests were delayed`);
    return scenarioReport(
      'API faults (30% 500, 10% drop, +2 s)',
      outcomes,
      Date.now() - started,
      {
        'API requests': requests.length,
        'answered 500': answered500,
        dropped,
        'delayed 2 s': delayed,
        'activity attempts / completed calls': `${attempts} / ${calls}`,
        'key differences': comparison.totalDifferences,
      },
      problems,
    );
  } finally {
    await stack.teardown();
  }
}
