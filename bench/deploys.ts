/**
 * Safe deploys (issue 28, docs/deploys.md) with 50 migrations: the deploy of test/deploys.test.ts at the size the
 * issue asks for. Migrations in every phase on version 1; the replay gate passes version 2 and refuses version 3;
 * version 2 made current; every migration outside a stop loop moves at its next poll; version 1 drains and is
 * stopped; all finish with one remote task each. Prints how long the moves, the drain and the gate took, and fails
 * (exit 1) when an invariant does not hold.
 *
 *   npx tsx bench/deploys.ts [--groups 15,5,15,15] [--phase 20s]
 *
 * `--groups`: migrations holding, stopping, in full sync and provisioning at the switch; `--phase`: how long the
 * emulator provisions and stops, half its full sync (long enough to start the last group and switch inside it).
 * Writes section `deploys` of bench/results.md.
 */
import path from 'node:path';
import { runCli } from '../client/testing/run-cli.js';
import { EXIT } from '../client/exit-codes.js';
import { parseDurationMs } from '../common/migration-input.js';
import { prepareDeploy, runDeploy, V2_WORKFLOWS } from '../test/deploys/scenario.js';
import type { DeployGroups, DeployReport } from '../test/deploys/scenario.js';
import { flag } from './lib/flags.js';
import { onCleanup, runBench } from './lib/cleanup.js';
import { sectionHeader, writeResultsSection } from './results-file.js';

const V3_WORKFLOWS = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'nondeterministic-workflows.ts');
const [hold = 15, stopping = 5, fullSync = 15, provisioning = 15] = flag('groups', '15,5,15,15').split(',').map(Number);
const groups: DeployGroups = { hold, stopping, fullSync, provisioning };
const phaseMs = parseDurationMs(flag('phase', '20s')) ?? 20_000;

interface Gate {
  ms: number;
  replayed: number;
  v2: number;
  v3: number;
}

/** What must hold; each broken one named. */
function problems(report: DeployReport, gate: Gate): string[] {
  const found: string[] = [];
  const want = { hold: 'incremental-hold', stopping: 'stopping', fullSync: 'migrating', provisioning: 'provisioning' };
  const outcome = { hold: 'cut-over', stopping: 'cut-over', fullSync: 'succeeded', provisioning: 'succeeded' };
  for (const m of report.migrations) {
    const id = m.workflowId;
    if (m.phaseAtSwitch !== want[m.group]) found.push(`${id}: ${m.phaseAtSwitch} at the switch, not ${want[m.group]}`);
    if (m.result.outcome !== outcome[m.group]) found.push(`${id}: ended ${m.result.outcome}`);
    if (m.remoteTasks !== 1) found.push(`${id}: ${m.remoteTasks} remote tasks`);
    if (m.group !== 'stopping' && m.movedAfterMs === undefined) found.push(`${id}: ended on v1 before its next poll`);
    const endedOn = m.group === 'stopping' ? 'v1' : 'v2';
    if (m.final.buildId !== endedOn) found.push(`${id}: ended on ${m.final.buildId ?? 'no version'}, not ${endedOn}`);
  }
  if (report.v1Drainage !== 'drained') found.push(`version 1 stopped while ${report.v1Drainage ?? 'unknown'}`);
  if (gate.v2 !== EXIT.OK) found.push(`the gate refused version 2 (exit ${gate.v2})`);
  if (gate.v3 !== EXIT.REPLAY_FAILED) found.push(`the gate let version 3 through (exit ${gate.v3})`);
  return found;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function table(report: DeployReport, gate: Gate): string {
  const moved = report.migrations.flatMap((m) => (m.movedAfterMs === undefined ? [] : [m.movedAfterMs]));
  const moves = moved.sort((a, b) => a - b);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const counts = Object.values(groups).join(', ');
  const rows = [
    ['migrations: holding, stopping, full sync, provisioning at the switch', `${report.migrations.length} (${counts})`],
    ['replay gate over the running migrations: v2 passes, v3 refused', `${gate.replayed} histories, ${s(gate.ms)}`],
    ['moved to v2 after set-current-version: p50 / max', `${s(percentile(moves, 50))} / ${s(moves.at(-1) ?? NaN)}`],
    ['all movable migrations seen on v2', s(report.allMovedMs)],
    ['v1 drained (stopping ones ended on it; server re-checks every 1 s here)', s(report.drainedMs)],
    ['every migration closed, from the first start', s(report.totalMs)],
    ['remote tasks per migration', [...new Set(report.migrations.map((m) => m.remoteTasks))].join(', ')],
  ];
  return ['| figure | value |', '| --- | --- |', ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join('\n');
}

runBench(async () => {
  const prepared = await prepareDeploy({ name: 'bench', phaseMs });
  onCleanup(() => prepared.stack.teardown());
  const gate: Gate = { ms: 0, replayed: 0, v2: -1, v3: -1 };
  const env = prepared.stack.cliEnv();
  const replay = (workflowsPath: string) => runCli(['replay', '--workflows-path', workflowsPath, '--json'], env);
  const beforeDeploy = async () => {
    const started = Date.now();
    const [v2, v3] = await Promise.all([replay(V2_WORKFLOWS), replay(V3_WORKFLOWS)]);
    Object.assign(gate, { ms: Date.now() - started, v2: v2.code, v3: v3.code });
    gate.replayed = (JSON.parse(v2.stdout) as { outcomes: unknown[] }).outcomes.length;
  };
  const report = await runDeploy(prepared, groups, { beforeDeploy, log: (line) => console.log(`deploys: ${line}`) });
  const found = problems(report, gate);
  const command = `npx tsx bench/deploys.ts ${process.argv.slice(2).join(' ')}`.trim();
  const notes = [
    'A real dev server (Temporal CLI 1.9, drainage re-checked every second), `dcs-migrate worker` processes for v1',
    `and v2, the emulator's timeline data plane (provisioning and stop ${phaseMs / 1000} s, full sync twice that);`,
    'polls every 0.5–1 s (one holding migration on the shared watcher, confirming every 2 s). A move is timed from',
    "`set-current-version` to the start of the migration's first run on v2.",
    `Invariants: ${found.length === 0 ? 'all held' : found.join('; ')}.`,
  ].join(' ');
  console.log(`\n${table(report, gate)}\n`);
  const header = sectionHeader('Safe deploys (issue 28)', command);
  await writeResultsSection('deploys', `${header}\n${notes}\n\n${table(report, gate)}\n`);
  if (found.length > 0) throw new Error(`deploy invariants broken:\n${found.join('\n')}`);
});
