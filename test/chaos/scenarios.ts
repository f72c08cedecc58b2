/**
 * The chaos scenarios and their sizes: the full run (`npx tsx bench/chaos/run.ts`) and the reduced one the CI
 * test runs (`quick`). Each has a deadline after which it is reported as failed instead of waited for.
 */
import { apiFaultsScenario } from './api-faults.js';
import { dcsOutageScenario, type OutageKind } from './dcs-outage.js';
import { killWorkerScenario } from './kill-worker.js';
import { serverRestartScenario } from './server-restart.js';
import { sourceKilledScenario } from './source-killed.js';
import { twoWorkersScenario } from './two-workers.js';
import { crashedReport, type ScenarioReport } from './report.js';

export interface ScenarioContext {
  seed: number;
  quick: boolean;
  workflowBundle: string;
}

export interface Scenario {
  id: string;
  /** Upper bound of the scenario's wall time, teardown included. */
  deadlineMs(quick: boolean): number;
  run(context: ScenarioContext): Promise<ScenarioReport>;
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'kill-worker',
    deadlineMs: (quick) => (quick ? 240_000 : 420_000),
    run: ({ seed, quick, workflowBundle }) => killWorkerScenario({ migrations: quick ? 5 : 20, seed, workflowBundle }),
  },
  {
    id: 'server-restart',
    deadlineMs: () => 300_000,
    // SIGTERM and SIGKILL in both runs: the crash is the case that matters and it is quick.
    run: ({ seed, workflowBundle }) => serverRestartScenario({ seed, workflowBundle }),
  },
  {
    id: 'api-faults',
    deadlineMs: (quick) => (quick ? 240_000 : 420_000),
    run: ({ seed, quick, workflowBundle }) =>
      apiFaultsScenario({
        migrations: quick ? 10 : 50,
        seed,
        workflowBundle,
        settleTimeoutMs: quick ? 200_000 : 380_000,
      }),
  },
  {
    id: 'source-killed',
    deadlineMs: () => 300_000,
    run: ({ seed, workflowBundle }) => sourceKilledScenario({ seed, workflowBundle }),
  },
  outage('dcs-down', 'down'),
  outage('dcs-throttled', 'throttled'),
  {
    id: 'two-workers',
    deadlineMs: () => 300_000,
    run: ({ seed, quick, workflowBundle }) => twoWorkersScenario({ migrations: quick ? 4 : 10, seed, workflowBundle }),
  },
];

/**
 * DCS out of reach while migrations hold (issue 28): 50 migrations and a 5-minute fault in the full run; 6 and
 * 15 s (8 s measured on either side) in the reduced one, whose migrations read more often so that its short windows still count calls.
 */
function outage(id: string, kind: OutageKind): Scenario {
  return {
    id,
    deadlineMs: (quick) => (quick ? 180_000 : 1_080_000),
    run: ({ seed, quick, workflowBundle }) =>
      dcsOutageScenario({
        kind,
        migrations: quick ? 6 : 50,
        faultMs: quick ? 15_000 : 300_000,
        measureMs: quick ? 8_000 : 60_000,
        maxPollInterval: quick ? '1s' : '10s',
        seed,
        workflowBundle,
        settleTimeoutMs: quick ? 60_000 : 240_000,
      }),
  };
}

export function scenarioById(id: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.id === id);
  if (!scenario) throw new Error(`unknown scenario "${id}"; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  return scenario;
}

/**
 * Runs one scenario within its deadline. A scenario that throws or overruns becomes a failed row; an overrun one
 * is left to its own bounded waits (its processes die with the run at the latest: see local/processes.ts).
 */
export async function runScenario(scenario: Scenario, context: ScenarioContext): Promise<ScenarioReport> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`deadline of ${scenario.deadlineMs(context.quick) / 1000} s passed`)),
      scenario.deadlineMs(context.quick),
    );
  });
  try {
    return await Promise.race([scenario.run(context), overrun]);
  } catch (error) {
    return crashedReport(scenario.id, Date.now() - started, error);
  } finally {
    clearTimeout(timer);
  }
}
