/**
 * API economy (issue 8.2): DCS API calls per migration for the same remote timeline, by dcs-migrate (per-task
 * polling, and the shared status watcher amortized over N migrations) and by a client that follows the Terraform
 * provider's call sequence with its fixed 10 s poll (docs/dcs-api.md §3.1: create; job wait with a 2 s delay then 10 s
 * polls; configure; task detail every 10 s after a 10 s delay). Two timelines:
 *
 * - `full30m`: an online full migration, machine creation 2 min, full sync 30 min.
 * - `hold24h`: an online incremental migration (full sync 30 min) held 24 h, then stopped. Terraform itself stops
 *   watching once the task is in the incremental steady state, so its row is what watching the hold at the provider's fixed 10 s poll
 *   costs (then the stop and the provider's wait for TERMINATED), against dcs-migrate's hold watch.
 *
 * Everything runs for real against the emulator's timeline plane with time compressed by one factor per timeline
 * for everybody: durations, poll intervals and delays are all divided by it. The worker's watch interval may not
 * go below 100 ms, so a factor above 50 floors the watcher's 5 s round (and above 600 its 60 s backoff ceiling):
 * the notes say so. A per-task poll is a timer plus an activity, so at a high factor its round trip would eat into
 * the compressed interval and count fewer polls than the real schedule: the hold's per-task row therefore runs
 * uncompressed on the time-skipping test server (bench/lib/time-skipping-stack.ts), every poll of the real
 * schedule made. (Shared waits are one long activity timed by the worker's own clock, so compression suits them.)
 *
 * Notice lag (issue 18): the time from a remote transition to the client's read that saw it. One real run gives one
 * lag, so the median and p99 come from a simulation (bench/lib/poll-simulation.ts) of every client — Terraform's
 * 10 s poll, dcs-migrate's backoff as it was before the `predictive-polling` patch, and the predictive schedule —
 * on the same seeded timelines (`full30m`, `hold24h` with its cutover, `rateChange30m` whose copy slows to half
 * speed half-way), with the workflow's own pure decisions; the real workflow on the time-skipping server against a
 * scripted 30-min copy checks the predictive row (bench/lib/notice-lag-table.ts).
 *
 *   npx tsx bench/api-economy.ts [--timelines full30m,hold24h] [--n 1,20] [--factor-full30m 50] [--factor-hold24h 600]
 *       [--samples 400] [--hold-samples 100] [--check-samples 20] [--emulator-rows yes|no]
 *
 * Writes section `api-economy` of bench/results.md.
 */
import { parseMigrationInput } from '../common/migration-input.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE } from '../common/workflow-contract.js';
import { DcsClient } from '../dcs/client.js';
import { loadDcsConfig } from '../dcs/config.js';
import type { Emulator } from '../emulator/index.js';
import { benchInput, startBenchStack } from './lib/bench-stack.js';
import { cleanupAll, runBench } from './lib/cleanup.js';
import { TaskStatus } from '../common/dcs-status.js';
import { startTimeSkippingStack } from './lib/time-skipping-stack.js';
import { sectionHeader, writeResultsSection } from './results-file.js';
import { flag } from './lib/flags.js';
import { lagTable, simulatedRows, workflowCheckRow } from './lib/notice-lag-table.js';

const WATCH_FLOOR_MS = 100;
const sharedSizes = flag('n', '1,20').split(',').map(Number);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Timeline {
  name: string;
  title: string;
  method: 'full' | 'incremental';
  factor: number;
  /** Hold of an incremental migration, unscaled. */
  holdMs?: number;
}

const TIMELINES: Record<string, Omit<Timeline, 'factor'> & { defaultFactor: number }> = {
  full30m: { name: 'full30m', title: 'full migration, 30-min full sync', method: 'full', defaultFactor: 50 },
  hold24h: {
    name: 'hold24h',
    title: 'incremental migration held 24 h',
    method: 'incremental',
    holdMs: 24 * 3_600_000,
    defaultFactor: 600,
  },
};
const FULL_SYNC_MS = 30 * 60_000;
const CREATING_MS = 2 * 60_000;

interface Row {
  timeline: string;
  client: string;
  migrations: number;
  callsPerMigration: number;
  byOperation: string;
}

function summarize(timeline: Timeline, client: string, emu: Emulator, migrations: number): Row {
  const counts = new Map<string, number>();
  for (const entry of emu.requests()) {
    const name = entry.operation ?? entry.path;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const byOperation = [...counts].map(([name, count]) => `${name} ${(count / migrations).toFixed(1)}`).join(', ');
  return { timeline: timeline.name, client, migrations, callsPerMigration: total / migrations, byOperation };
}

function scaler(timeline: Timeline): (ms: number) => number {
  return (ms) => Math.max(1, Math.round(ms / timeline.factor));
}

function stackFor(timeline: Timeline, worker: boolean) {
  const scaled = scaler(timeline);
  return startBenchStack({
    timeline: { fullSyncMs: scaled(FULL_SYNC_MS) },
    timings: { creatingMs: scaled(CREATING_MS), terminatingMs: scaled(10_000) },
    watchIntervalMs: Math.max(WATCH_FLOOR_MS, scaled(5_000)),
    watchMaxIntervalMs: Math.max(WATCH_FLOOR_MS, scaled(60_000)),
    worker,
  });
}

/** The Terraform provider's sequence for `huaweicloud_dcs_online_data_migration_task`, scaled; a hold watched at 10 s. */
async function terraformEquivalent(timeline: Timeline): Promise<Row> {
  const scaled = scaler(timeline);
  const { emu } = await stackFor(timeline, false);
  const client = new DcsClient({
    config: loadDcsConfig(
      {},
      {
        endpoint: emu.url,
        projectId: emu.credentials.projectId,
        accessKey: emu.credentials.ak,
        secretKey: emu.credentials.sk,
      },
    ),
  });
  const statusOf = async (id: string): Promise<string> => String((await client.showMigrationTask(id)).status);
  const pollUntil = async (id: string, wanted: string): Promise<void> => {
    await sleep(scaled(10_000));
    while ((await statusOf(id)) !== wanted) await sleep(scaled(10_000));
  };
  try {
    const created = await client.createOnlineMigrationTask({
      name: 'tf-equivalent',
      vpc_id: 'vpc',
      subnet_id: 'subnet',
      security_group_id: 'sg',
    });
    await sleep(scaled(2_000));
    while ((await client.showJobInfo(String(created.job_id))).status !== 'SUCCESS') await sleep(scaled(10_000));
    await client.setOnlineMigrationTask(created.instance_id, {
      migration_method: timeline.method === 'full' ? 'full_amount_migration' : 'incremental_migration',
      resume_mode: 'auto',
      source_instance: { addrs: '127.0.0.1:1' },
      target_instance: { id: 'bench-target' },
    });
    if (timeline.method === 'full') {
      await pollUntil(created.instance_id, 'SUCCESS');
    } else {
      await pollUntil(created.instance_id, TaskStatus.Incremental);
      const holdEnds = Date.now() + scaled(timeline.holdMs ?? 0);
      while (Date.now() < holdEnds) {
        await sleep(scaled(10_000));
        await statusOf(created.instance_id);
      }
      await client.stopMigrationTask(created.instance_id);
      await pollUntil(created.instance_id, 'TERMINATED');
    }
    return summarize(timeline, 'Terraform-equivalent (10 s poll)', emu, 1);
  } finally {
    await client.close();
    await cleanupAll();
  }
}

async function dcsMigrate(timeline: Timeline, mode: 'per-task' | 'shared', n: number): Promise<Row> {
  const scaled = scaler(timeline);
  const { temporal, emu, taskQueue } = await stackFor(timeline, true);
  try {
    const polling = {
      mode,
      initialInterval: scaled(5_000),
      maxInterval: scaled(60_000),
      confirmInterval: scaled(600_000),
      progressInterval: scaled(300_000),
    };
    const input = {
      ...benchInput(timeline.method, polling),
      ...(timeline.holdMs !== undefined ? { hold: { maxDuration: scaled(timeline.holdMs) } } : {}),
    };
    const handles = await Promise.all(
      Array.from({ length: n }, (_, index) =>
        temporal.client.workflow.start(
          MIGRATION_WORKFLOW_TYPE,
          buildMigrationStartOptions({
            input: parseMigrationInput(input),
            workflowId: `economy-${timeline.name}-${mode}-${n}-${index}`,
            taskQueue,
          }),
        ),
      ),
    );
    await Promise.all(handles.map((handle) => handle.result()));
    return summarize(timeline, `dcs-migrate ${mode}`, emu, n);
  } finally {
    await cleanupAll();
  }
}

/** One per-task migration of the timeline at its real durations and default polling, on the time-skipping server. */
async function dcsMigrateTimeSkipped(timeline: Timeline): Promise<Row> {
  const { env, emu, taskQueue } = await startTimeSkippingStack(`economy-${timeline.name}`);
  try {
    const input = {
      ...benchInput(timeline.method, {}),
      ...(timeline.holdMs !== undefined ? { hold: { maxDuration: timeline.holdMs } } : {}),
    };
    const handle = await env.client.workflow.start(
      MIGRATION_WORKFLOW_TYPE,
      buildMigrationStartOptions({
        input: parseMigrationInput(input),
        workflowId: `economy-${timeline.name}-per-task-skipped`,
        taskQueue,
      }),
    );
    await handle.result();
    return summarize(timeline, 'dcs-migrate per-task (time-skipping)', emu, 1);
  } finally {
    await cleanupAll();
  }
}

function table(rows: Row[], terraformByTimeline: Map<string, number>): string {
  return [
    '| timeline | client | migrations | calls per migration | ratio vs Terraform | calls by operation (per migration) |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => {
      const terraform = terraformByTimeline.get(r.timeline) ?? Number.NaN;
      return `| ${r.timeline} | ${r.client} | ${r.migrations} | ${r.callsPerMigration.toFixed(1)} | ${(r.callsPerMigration / terraform).toFixed(2)} | ${r.byOperation} |`;
    }),
  ].join('\n');
}

function floorNote(timeline: Timeline): string {
  const floored = [5_000, 60_000].filter((ms) => ms / timeline.factor < WATCH_FLOOR_MS).map((ms) => `${ms / 1000} s`);
  return floored.length === 0
    ? ''
    : ` At ×${timeline.factor} the watcher's ${floored.join(' and ')} interval${floored.length > 1 ? 's' : ''} hit the worker's 100 ms floor ` +
        `(shared rows list a little less often than the real schedule before the backoff ceiling).`;
}

/** The notice-lag table: simulated clients on every timeline, then the real workflow's check row. */
async function noticeLag(): Promise<string> {
  const rows = simulatedRows(
    ['full30m', 'hold24h', 'rateChange30m'],
    Number(flag('samples', '400')),
    Number(flag('hold-samples', '100')),
  );
  console.log(lagTable(rows));
  const checks = Number(flag('check-samples', '20'));
  if (checks > 0) rows.push(await workflowCheckRow(checks));
  const notes = [
    '- Simulated (bench/lib/poll-simulation.ts): each sample is one timeline — machine creation 2 min + up to 20 s, full sync',
    '  30 min + up to 2 min whose speed wobbles ±20 % (three swings), stop 10–20 s — played against each client in virtual time,',
    '  150 ms per call, default polling (5 s ×1.5 → 60 s, progress every 5 min). The same seed gives every client the same',
    '  timelines. `rateChange30m`: half the keys in the first 10 min, the other half in 20. Lag: the end of the full sync',
    '  (SUCCESS) for full30m and rateChange30m; for hold24h the cutover, i.e. the stop at the hold deadline → TERMINATED.',
    '- "backoff (before the patch)": what runs recorded before `predictive-polling` still do on replay. "predictive": the',
    '  current schedule (workflows/poll-interval.ts, workflows/phase-estimate.ts). "calls in the full sync": from the',
    '  configure call to the read that saw the end.',
    '- The real-workflow row runs this code on the time-skipping server against a scripted steady copy (test/harness/fake-activities.ts',
    '  `timeline`): machine creation is instant there, so compare its lag and its calls in the full sync, not its total.',
    '- Goals: full30m median ≤ 3 s, p99 ≤ 10 s at ≤ 0.20× Terraform’s calls; hold24h ≤ 0.15× with the same cutover lag;',
    '  rateChange30m no worse than the backoff.',
  ].join('\n');
  return `### Notice lag: remote transition → the client saw it\n\n${notes}\n\n${lagTable(rows)}\n`;
}

runBench(async () => {
  const lagSection = await noticeLag();
  const command = `npx tsx bench/api-economy.ts ${process.argv.slice(2).join(' ')}`.trim();
  if (flag('emulator-rows', 'yes') === 'no') {
    await writeResultsSection(
      'api-economy',
      `${sectionHeader('API economy: calls per migration and notice lag vs the Terraform provider', command)}
${lagSection}`,
    );
    return;
  }
  const names = flag('timelines', 'full30m,hold24h').split(',');
  const timelines: Timeline[] = names.map((name) => {
    const known = TIMELINES[name];
    if (!known) throw new Error(`--timelines: unknown timeline ${name} (known: ${Object.keys(TIMELINES).join(', ')})`);
    return { ...known, factor: Number(flag(`factor-${name}`, String(known.defaultFactor))) };
  });
  const rows: Row[] = [];
  const terraform = new Map<string, number>();
  for (const timeline of timelines) {
    console.log(
      `${timeline.title}: time compressed ×${timeline.factor} for everybody (a 10 s poll → ${scaler(timeline)(10_000)} ms)`,
    );
    const tf = await terraformEquivalent(timeline);
    terraform.set(timeline.name, tf.callsPerMigration);
    rows.push(tf);
    console.log(table([tf], terraform));
    rows.push(
      timeline.method === 'incremental'
        ? await dcsMigrateTimeSkipped(timeline)
        : await dcsMigrate(timeline, 'per-task', 1),
    );
    console.log(table(rows.slice(-1), terraform));
    for (const n of sharedSizes) {
      rows.push(await dcsMigrate(timeline, 'shared', n));
      console.log(table(rows.slice(-1), terraform));
    }
  }
  const notes = [
    ...timelines.map(
      (t) =>
        `- ${t.name}: ${t.title}; machine creation 2 min, full sync 30 min; time compressed ×${t.factor} for every client ` +
        `(durations, poll intervals, delays all divided by ${t.factor}).${floorNote(t)}`,
    ),
    `- dcs-migrate polling: default intervals (5 s ×1.5 → 60 s, progress every 5 min, confirm every 10 min; predictive around ` +
      `the estimated end of the full sync, 3 min apart in the hold; shared: watcher round ` +
      `5 s backing off ×1.5 to 60 s while nothing changes), scaled the same way. Shared rows amortize the watcher's list calls over ` +
      `N concurrent migrations. The hold24h per-task row runs at real durations on the time-skipping test server (every poll of ` +
      `the schedule made; the emulator's creation and full sync then pass in milliseconds, so the ~45 reads of those phases ` +
      `are missing from that row, under 3% of it). The hold24h Terraform row watches the hold at the provider's 10 s poll (Terraform itself stops ` +
      `watching at ${TaskStatus.Incremental}), then stops the task and waits for TERMINATED. Goal: ≤ 0.3× Terraform's calls per migration.`,
    `- Compressed, a 10 s poll loses polls to its own round trips (at ×600 the hold's Terraform row makes about 5,600 calls where ` +
      `the real schedule makes 8,700): for the hold, the simulated rows above give the ratio on the real schedule.`,
  ].join('\n');
  const markdown =
    `${sectionHeader('API economy: calls per migration and notice lag vs the Terraform provider', command)}\n${lagSection}\n` +
    `### Calls per migration on the emulator (real runs, time compressed)\n\n${notes}\n\n${table(rows, terraform)}\n`;
  console.log(`\n${table(rows, terraform)}`);
  await writeResultsSection('api-economy', markdown);
});
