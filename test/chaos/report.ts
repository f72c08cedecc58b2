/**
 * One row of the chaos table per scenario, and the invariants behind it: every migration ended as expected, each
 * with exactly one remote task. A scenario's own checks (data equal, worker survived…) add problems too; any
 * problem makes the suite fail.
 */
import { percentile } from '../support/percentile.js';
import type { MigrationOutcome } from './outcomes.js';

export interface ScenarioReport {
  scenario: string;
  migrations: number;
  completed: number;
  failedAsExpected: number;
  /** Remote tasks carrying the scenario's migration names. */
  remoteTasks: number;
  /** Remote tasks beyond one per migration. */
  duplicates: number;
  /** Migrations that did not end as expected, or have no remote task. */
  lost: number;
  wallMs: number;
  /**
   * Recovery per fault, ms, sorted: from the fault (a kill; the end of an outage) to the affected migrations moving
   * on again, the slowest of them (`recoveryPerFault` in histories.ts). Empty when the scenario has no fault moment.
   */
  recoveryMs: number[];
  /** Figures of the scenario, printed in the notes column (and asserted by the CI test). */
  figures: Record<string, number | string>;
  /** Broken invariants, one line each; empty when the scenario passed. */
  problems: string[];
}

export function scenarioReport(
  scenario: string,
  outcomes: MigrationOutcome[],
  wallMs: number,
  figures: Record<string, number | string>,
  extraProblems: string[] = [],
  recoveryMs: number[] = [],
): ScenarioReport {
  const problems = [...extraProblems];
  for (const outcome of outcomes) {
    if (!outcome.asExpected) {
      const how =
        outcome.ended === 'failed' ? `failed as ${outcome.failureType}: ${outcome.failureMessage}` : outcome.ended;
      problems.push(`${outcome.workflowId}: not as expected (${how})`);
    }
    if (outcome.remoteTasks !== 1) problems.push(`${outcome.workflowId}: ${outcome.remoteTasks} remote tasks`);
  }
  return {
    scenario,
    migrations: outcomes.length,
    completed: outcomes.filter((o) => o.ended === 'completed' && o.asExpected).length,
    failedAsExpected: outcomes.filter((o) => o.ended === 'failed' && o.asExpected).length,
    remoteTasks: outcomes.reduce((sum, o) => sum + o.remoteTasks, 0),
    duplicates: outcomes.reduce((sum, o) => sum + Math.max(0, o.remoteTasks - 1), 0),
    lost: outcomes.filter((o) => !o.asExpected || o.remoteTasks === 0).length,
    wallMs,
    recoveryMs,
    figures,
    problems,
  };
}

/** A scenario that threw (or overran its deadline): one row that says so. */
export function crashedReport(scenario: string, wallMs: number, error: unknown): ScenarioReport {
  const message = error instanceof Error ? error.message : String(error);
  return {
    scenario,
    migrations: 0,
    completed: 0,
    failedAsExpected: 0,
    remoteTasks: 0,
    duplicates: 0,
    lost: 0,
    wallMs,
    recoveryMs: [],
    figures: {},
    problems: [`scenario did not finish: ${message}`],
  };
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `8.2 s / 13.5 s (5 faults)`, or `—` when the scenario has no fault moment to recover from. */
export function formatRecovery(recoveryMs: number[]): string {
  if (recoveryMs.length === 0) return '—';
  const faults = `${recoveryMs.length} fault${recoveryMs.length === 1 ? '' : 's'}`;
  return `${formatSeconds(percentile(recoveryMs, 50))} / ${formatSeconds(percentile(recoveryMs, 100))} (${faults})`;
}

export function renderTable(reports: ScenarioReport[]): string {
  const header =
    '| scenario | migrations | completed | failed as expected | remote tasks | duplicates | lost | recovery p50 / max | wall time | notes |';
  const rule = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |';
  const rows = reports.map((r) => {
    const notes = Object.entries(r.figures).map(([key, value]) => `${key}: ${value}`);
    if (r.problems.length > 0) notes.unshift(`**FAILED**: ${r.problems.join('; ')}`);
    return `| ${r.scenario} | ${r.migrations} | ${r.completed} | ${r.failedAsExpected} | ${r.remoteTasks} | ${r.duplicates} | ${r.lost} | ${formatRecovery(r.recoveryMs)} | ${formatSeconds(r.wallMs)} | ${notes.join('; ').replaceAll('|', '\\|')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
