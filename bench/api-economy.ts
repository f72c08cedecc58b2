/**
 * API economy (issue 8.2): DCS API calls per migration for the same remote timeline — a 30-minute full migration —
 * by dcs-migrate (per-task polling, and the shared status watcher amortized over N migrations) and by a client
 * that follows the Terraform provider's call sequence (dcs-api.md §3.1: create; job wait with a 2 s delay then
 * 10 s polls; configure; task detail every 10 s after a 10 s delay). Everything runs for real against the emulator's
 * timeline plane with time compressed by ONE factor for everybody: durations, poll intervals and delays are all
 * divided by it.
 *
 *   npx tsx bench/api-economy.ts [--factor 50] [--n 1,20]
 *
 * The factor is at most 50: the worker's watch interval (5 s scaled) cannot go below 100 ms.
 *
 * Writes section `api-economy` of bench/results.md.
 */
import { buildMigrationStartOptions } from '../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE } from '../common/workflow-contract.js';
import { DcsClient } from '../dcs/client.js';
import { loadDcsConfig } from '../dcs/config.js';
import type { Emulator } from '../emulator/index.js';
import { benchInput, startBenchStack } from './lib/bench-stack.js';
import { cleanupAll, runBench } from './lib/cleanup.js';
import { sectionHeader, writeResultsSection } from './results-file.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const factor = Number(flag('factor', '50'));
const sharedSizes = flag('n', '1,20').split(',').map(Number);
const FULL_MIGRATION_MS = 30 * 60_000;
const CREATING_MS = 2 * 60_000;
const scaled = (ms: number): number => Math.max(1, Math.round(ms / factor));
const timeline = { fullSyncMs: scaled(FULL_MIGRATION_MS) };
const timings = { creatingMs: scaled(CREATING_MS), terminatingMs: scaled(10_000) };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Row {
  client: string;
  migrations: number;
  callsPerMigration: number;
  byOperation: string;
}

function summarize(client: string, emu: Emulator, migrations: number): Row {
  const counts = new Map<string, number>();
  for (const entry of emu.requests()) {
    const name = entry.operation ?? entry.path;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const byOperation = [...counts].map(([name, count]) => `${name} ${(count / migrations).toFixed(1)}`).join(', ');
  return { client, migrations, callsPerMigration: total / migrations, byOperation };
}

/** The Terraform provider's sequence for `huaweicloud_dcs_online_data_migration_task` (full method), scaled. */
async function terraformEquivalent(): Promise<Row> {
  const { emu } = await startBenchStack({ timeline, timings, watchIntervalMs: scaled(5_000), worker: false });
  const client = new DcsClient({
    config: loadDcsConfig({}, { endpoint: emu.url, projectId: emu.credentials.projectId, accessKey: emu.credentials.ak, secretKey: emu.credentials.sk }),
  });
  try {
    const created = await client.createOnlineMigrationTask({ name: 'tf-equivalent', vpc_id: 'vpc', subnet_id: 'subnet', security_group_id: 'sg' });
    await sleep(scaled(2_000));
    while ((await client.showJobInfo(String(created.job_id))).status !== 'SUCCESS') await sleep(scaled(10_000));
    await client.setOnlineMigrationTask(created.instance_id, {
      migration_method: 'full_amount_migration',
      resume_mode: 'auto',
      source_instance: { addrs: '127.0.0.1:1' },
      target_instance: { id: 'bench-target' },
    });
    await sleep(scaled(10_000));
    while (String((await client.showMigrationTask(created.instance_id)).status) !== 'SUCCESS') await sleep(scaled(10_000));
    return summarize('Terraform-equivalent (10 s poll)', emu, 1);
  } finally {
    await client.close();
    await cleanupAll();
  }
}

async function dcsMigrate(mode: 'per-task' | 'shared', n: number): Promise<Row> {
  const { temporal, emu, taskQueue } = await startBenchStack({ timeline, timings, watchIntervalMs: scaled(5_000) });
  try {
    const polling = {
      mode,
      initialInterval: scaled(5_000),
      maxInterval: scaled(60_000),
      confirmInterval: scaled(600_000),
      progressInterval: scaled(300_000),
    };
    const handles = await Promise.all(
      Array.from({ length: n }, (_, index) =>
        temporal.client.workflow.start(
          MIGRATION_WORKFLOW_TYPE,
          buildMigrationStartOptions({ input: benchInput('full', polling) as never, workflowId: `economy-${mode}-${n}-${index}`, taskQueue }),
        ),
      ),
    );
    await Promise.all(handles.map((handle) => handle.result()));
    return summarize(`dcs-migrate ${mode}`, emu, n);
  } finally {
    await cleanupAll();
  }
}

function table(rows: Row[], terraform: number): string {
  return [
    '| client | migrations | calls per migration | ratio vs Terraform | calls by operation (per migration) |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.client} | ${r.migrations} | ${r.callsPerMigration.toFixed(1)} | ${(r.callsPerMigration / terraform).toFixed(2)} | ${r.byOperation} |`),
  ].join('\n');
}

runBench(async () => {
  const rows: Row[] = [];
  console.log(`time compressed ×${factor} for everybody (30-min full sync → ${timeline.fullSyncMs} ms; a 10 s poll → ${scaled(10_000)} ms)`);
  const terraform = await terraformEquivalent();
  rows.push(terraform);
  console.log(table(rows, terraform.callsPerMigration));
  rows.push(await dcsMigrate('per-task', 1));
  console.log(table(rows.slice(-1), terraform.callsPerMigration));
  for (const n of sharedSizes) {
    rows.push(await dcsMigrate('shared', n));
    console.log(table(rows.slice(-1), terraform.callsPerMigration));
  }
  const command = `npx tsx bench/api-economy.ts ${process.argv.slice(2).join(' ')}`.trim();
  const notes =
    `Timeline: online full migration, machine creation 2 min, full sync 30 min; time compressed ×${factor} for every client ` +
    `(durations, poll intervals, delays all divided by ${factor}). dcs-migrate polling: default intervals (5 s ×1.5 → 60 s, ` +
    `progress every 5 min, shared: watcher round 5 s, confirm every 10 min), scaled the same way. Shared rows amortize the watcher's ` +
    `list calls over N concurrent migrations. Goal: ≤ 0.3× Terraform's calls per migration.`;
  const markdown = `${sectionHeader('API economy: calls per migration vs the Terraform provider', command)}\n${notes}\n\n${table(rows, terraform.callsPerMigration)}\n`;
  console.log(`\n${table(rows, terraform.callsPerMigration)}`);
  await writeResultsSection('api-economy', markdown);
});
