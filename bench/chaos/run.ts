/**
 * The chaos suite (issue #7): `npx tsx bench/chaos/run.ts [--scenario id[,id]] [--seed n] [--quick]`.
 * Runs the scenarios one after another, prints the table, writes it into bench/results.md (section `chaos`, a
 * full run of every scenario only) and exits non-zero when any invariant broke.
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
import { formatSeconds, renderTable, type ScenarioReport } from '../../test/chaos/report.js';
import { runScenario, scenarioById, SCENARIOS } from '../../test/chaos/scenarios.js';

const argsSchema = z.object({
  scenario: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((id) => scenarioById(id.trim())) : SCENARIOS)),
  seed: seedFlag,
  quick: z.boolean().default(false),
});

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { scenario: { type: 'string' }, seed: { type: 'string' }, quick: { type: 'boolean' } },
  });
  const args = argsSchema.parse(values);
  const seed = seedOrRandom(args.seed);
  const command = `npx tsx bench/chaos/run.ts${values.scenario ? ` --scenario ${values.scenario}` : ''} --seed ${seed}${args.quick ? ' --quick' : ''}`;
  console.log(`chaos suite, seed ${seed} (re-run: ${command})`);
  reapOrphans();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-chaos-suite-'));
  const reports: ScenarioReport[] = [];
  try {
    const workflowBundle = await buildWorkflowBundle(dir);
    for (const scenario of args.scenario) {
      console.log(`\n▶ ${scenario.id} …`);
      const report = await runScenario(scenario, { seed, quick: args.quick, workflowBundle });
      console.log(`  ${report.problems.length === 0 ? 'ok' : 'FAILED'} in ${formatSeconds(report.wallMs)}`);
      for (const problem of report.problems) console.log(`  ✗ ${problem}`);
      reports.push(report);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const table = renderTable(reports);
  console.log(`\n${table}`);
  if (!values.scenario && !args.quick) {
    const reading =
      'Recovery per fault: from the fault (a kill, a server stop, the end of a DCS outage) to the affected migrations ' +
      'moving on again, the slowest of them; p50 and max over the faults. Nothing tells Temporal that a kill -9 worker ' +
      "is gone: a migration moves on again when its workflow task leaves the dead worker's sticky queue (4 s) or, with " +
      "an activity lost in flight, when that attempt's heartbeat timeout (5 s) passes. See bench/chaos/README.md.";
    await writeResultsSection('chaos', `${sectionHeader('Chaos suite (issue #7)', command)}\n${table}\n\n${reading}\n`);
    console.log('\nwritten to bench/results.md (section chaos)');
  }
  return reports.every((report) => report.problems.length === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
