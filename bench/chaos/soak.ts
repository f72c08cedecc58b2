/**
 * The soak (issue 28): `npx tsx bench/chaos/soak.ts [--minutes 60] [--migrations 200] [--kill-every 4]
 * [--server-restart-every 15] [--api-faults 0.1] [--outage 3] [--plan-items 3] [--seed n]` (durations in minutes).
 * The scenario is test/chaos/soak.ts (the CI test runs it reduced); this is the command: it prints progress once a
 * minute, then the figures, writes them into bench/results.md (section `soak`) and exits 1 when an invariant broke.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { seedFlag, seedOrRandom } from './seed.js';
import { reapOrphans } from '../../local/processes.js';
import { sectionHeader, writeResultsSection } from '../results-file.js';
import { buildWorkflowBundle } from '../../test/chaos/harness.js';
import { formatRecovery, formatSeconds, type ScenarioReport } from '../../test/chaos/report.js';
import { soakScenario } from '../../test/chaos/soak.js';

const minutes = (name: string, fallback: number) =>
  z.coerce
    .number({ message: `--${name}: a number of minutes` })
    .positive(`--${name}: more than 0 minutes`)
    .default(fallback);

const argsSchema = z.object({
  minutes: minutes('minutes', 60),
  migrations: z.coerce.number({ message: '--migrations: a whole number' }).int().min(1).max(5_000).default(200),
  'kill-every': minutes('kill-every', 4),
  'server-restart-every': minutes('server-restart-every', 15),
  'api-faults': z.coerce.number({ message: '--api-faults: a share, 0 to 0.5' }).min(0).max(0.5).default(0.1),
  outage: minutes('outage', 3),
  'plan-items': z.coerce.number({ message: '--plan-items: a whole number' }).int().min(1).max(20).default(3),
  seed: seedFlag,
});

const FLAGS = [
  'minutes',
  'migrations',
  'kill-every',
  'server-restart-every',
  'api-faults',
  'outage',
  'plan-items',
  'seed',
];

async function main(): Promise<number> {
  const { values } = parseArgs({ options: Object.fromEntries(FLAGS.map((name) => [name, { type: 'string' }])) });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`soak: --${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  const args = parsed.data;
  const seed = seedOrRandom(args.seed);
  const given = FLAGS.filter((name) => name !== 'seed' && values[name] !== undefined)
    .map((name) => ` --${name} ${values[name]}`)
    .join('');
  const command = `npx tsx bench/chaos/soak.ts${given} --seed ${seed}`;
  const durationMs = args.minutes * 60_000;
  console.log(`soak, seed ${seed} (re-run: ${command})`);
  reapOrphans();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-soak-'));
  let report: ScenarioReport;
  try {
    report = await soakScenario({
      durationMs,
      migrations: args.migrations,
      killEveryMs: args['kill-every'] * 60_000,
      serverRestartEveryMs: args['server-restart-every'] * 60_000,
      apiFaultRate: args['api-faults'],
      outageMs: args.outage * 60_000,
      planItems: args['plan-items'],
      sampleEveryMs: Math.min(60_000, durationMs / 20),
      warmupMs: Math.min(10 * 60_000, durationMs / 6),
      seed,
      workflowBundle: await buildWorkflowBundle(dir),
      settleTimeoutMs: Math.max(5 * 60_000, durationMs / 4),
      log: (line) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const table = soakTable(report);
  console.log(`\n${table}`);
  for (const problem of report.problems) console.log(`✗ ${problem}`);
  await writeResultsSection('soak', `${sectionHeader('Soak (issue 28)', command)}\n${table}\n`);
  console.log('\nwritten to bench/results.md (section soak)');
  return report.problems.length === 0 ? 0 : 1;
}

/** One row per figure: the soak's figures are too many for the chaos table's notes column. */
function soakTable(report: ScenarioReport): string {
  const rows: Array<[string, string | number]> = [
    ['migrations (plan items included)', report.migrations],
    ['completed (cancelled ones as expected)', report.completed + report.failedAsExpected],
    ['lost', report.lost],
    ['duplicated (remote tasks beyond one per migration)', report.duplicates],
    ['recovery per worker kill p50 / max', formatRecovery(report.recoveryMs)],
    ...Object.entries(report.figures),
    ['wall time', formatSeconds(report.wallMs)],
    ['invariants', report.problems.length === 0 ? 'all held' : `**FAILED**: ${report.problems.join('; ')}`],
  ];
  return [
    '| figure | value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${String(v).replaceAll('|', '\\|')} |`),
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
