/**
 * A fleet plan at scale (issue 26): one `dcsPlan` of N full migrations on W `dcs-migrate worker` processes sharing a
 * task queue, against the emulator's timeline data plane (statuses advance on a schedule, no data moves), with
 * workers killed -9 during the run.
 *
 *   npx tsx bench/plan-scale.ts --items 200 --kills 2                       (one worker, killed twice, restarted)
 *   npx tsx bench/plan-scale.ts --items 200 --workers 3 --kills 1 --kill-for-good
 *   npx tsx bench/plan-scale.ts --items 2000 --compare-one-by-one           (the same N migrations without a plan)
 *   … --rate-limit 600/1m   (the tenant's limit: the emulator answers 429 beyond it, the workers pace under it)
 *   … --full-sync 20s --poll 2s --max-concurrency 1000 --section plan-scale-extra --timeout 40m
 *
 * Kill k of K comes once k/(K+1) of the items have a remote task; without --kill-for-good a new worker replaces the
 * killed one at once. Checks: every item succeeded, exactly one remote task per item (none duplicated, none
 * missing, none left running), no plan run over 10,000 history events; exits 1 when one fails. Figures: wall time,
 * the plan's runs and events per run, DCS calls (total, per minute mean and peak, against the budget, 429s),
 * watcher rounds and list pages per round per worker, worker peak RSS; with --compare-one-by-one the same
 * migrations started one by one on one worker, and the ratios. Writes section `plan-scale` of bench/results.md.
 */
import path from 'node:path';
import getPort from 'get-port';
import { parseDurationMs } from '../common/migration-input.js';
import { PLAN_WORKFLOW_TYPE, type PlanResult } from '../common/plan-contract.js';
import { mergeItem, itemWorkflowId } from '../common/plan-merge.js';
import { validatePlan, type PlanInputFile } from '../common/plan-input.js';
import { buildPlanStartOptions } from '../common/plan-start-options.js';
import { formatRateLimit, parseRateLimit, type RateLimit } from '../common/rate-limit.js';
import type { CliWorker } from '../client/testing/run-cli.js';
import { benchInput, startBenchStack, type BenchStack } from './lib/bench-stack.js';
import { cleanupAll, runBench } from './lib/cleanup.js';
import { flag } from './lib/flags.js';
import { resultsOf, startMigrations, waitNoneRunning } from './lib/migration-batch.js';
import {
  callRate,
  countRemoteTasks,
  historyEventsPerRun,
  watchWatcherMetrics,
  type CallRate,
  type RemoteTaskCount,
  type WatcherFigures,
} from './lib/plan-figures.js';
import { trackPeakRss } from '../test/support/process-usage.js';
import { measureRows } from './results-file.js';

const items = Number(flag('items', '200'));
const workerCount = Number(flag('workers', '1'));
const kills = Number(flag('kills', '0'));
const killForGood = process.argv.includes('--kill-for-good');
const compare = process.argv.includes('--compare-one-by-one');
const rateLimit: RateLimit | undefined = process.argv.includes('--rate-limit')
  ? parseRateLimit(flag('rate-limit', ''))
  : undefined;
const fullSyncMs = parseDurationMs(flag('full-sync', '20s')) ?? 20_000;
const pollMs = parseDurationMs(flag('poll', '2s')) ?? 2_000;
const maxConcurrency = Number(flag('max-concurrency', String(Math.min(1_000, items))));
const timeoutMs = parseDurationMs(flag('timeout', '40m')) ?? 40 * 60_000;
const HISTORY_GOAL = 10_000;

if (!Number.isInteger(items) || items < 1) throw new Error(`--items: a whole number above 0, got ${flag('items', '')}`);
if (!Number.isInteger(workerCount) || workerCount < 1) throw new Error('--workers: a whole number above 0');
if (!Number.isInteger(kills) || kills < 0) throw new Error('--kills: a whole number, 0 or more');
if (killForGood && kills >= workerCount) throw new Error('--kill-for-good: kill fewer workers than --workers');

interface RunFigures {
  what: string;
  wallSeconds: number;
  succeeded: number;
  tasks: RemoteTaskCount;
  calls: CallRate;
  /** The plan's events per run (empty for migrations started one by one). */
  eventsPerRun: number[];
  watchers: WatcherFigures[];
  workerPeakRssMiB: number;
  killed: number;
  /** Workers that died by themselves (restarted by the benchmark's supervisor). */
  crashed: string[];
}

const targetOf = (index: number) => `bench-target-${index}`;
const keyOf = (index: number) => `item-${String(index).padStart(5, '0')}`;

function planFile(planId: string): PlanInputFile {
  const { target: _target, ...defaults } = benchInput('full', {
    mode: 'shared',
    initialInterval: pollMs,
    maxInterval: pollMs,
  });
  return {
    id: planId,
    defaults,
    items: Array.from({ length: items }, (_, index) => ({
      key: keyOf(index),
      target: { instanceId: targetOf(index) },
    })),
    maxConcurrency,
    failureTolerance: 0,
  };
}

/** The stack with a target per item (a plan refuses two items on one target) and the workers, each tracked. */
async function stackWithWorkers(count: number) {
  const stack = await startBenchStack({
    timeline: { fullSyncMs, fullSyncSpreadMs: pollMs * 2 },
    timings: { creatingMs: 2_000, terminatingMs: 200 },
    watchIntervalMs: pollMs,
    watchMaxIntervalMs: pollMs,
    worker: false,
    ...(rateLimit ? { rateLimit, workerEnv: { DCS_RATE_LIMIT: formatRateLimit(rateLimit) } } : {}),
  });
  for (let index = 0; index < items; index++)
    stack.emu.registerInstance({ id: targetOf(index), host: '127.0.0.1', port: 2 });
  const watchers = watchWatcherMetrics();
  const peaks: Array<{ stop(): number }> = [];
  let incarnation = 0;
  const start = async (): Promise<CliWorker> => {
    const label = `worker-${++incarnation}`;
    const port = await getPort({ host: '127.0.0.1' });
    const worker = await stack.startWorker(label, ['--metrics-port', String(port), '--metrics-host', '127.0.0.1']);
    watchers.add(label, port);
    peaks.push(trackPeakRss(worker.process.child.pid!));
    return worker;
  };
  const live: CliWorker[] = [];
  // A worker that dies by itself (not one this benchmark killed) is restarted, as a supervisor would, and counted.
  const crashed: string[] = [];
  let supervising = true;
  const supervised = async (): Promise<CliWorker> => {
    const worker = await start();
    worker.process.child.once('exit', (code, signal) => {
      if (!supervising || !live.includes(worker)) return;
      crashed.push(`${path.basename(worker.logFile, '.log')} (${signal ?? `exit ${code}`})`);
      console.log(`  a worker died by itself (${signal ?? `exit ${code}`}): restarting it; log ${worker.logFile}`);
      live.splice(live.indexOf(worker), 1);
      void supervised().then((next) => live.push(next));
    });
    return worker;
  };
  for (let index = 0; index < count; index++) live.push(await supervised());
  const finish = async () => {
    supervising = false;
    await watchers.scrapeNow();
    return {
      watchers: watchers.stop(),
      peakRssMiB: Math.max(...peaks.map((peak) => peak.stop())) / 2 ** 20,
      crashed,
    };
  };
  return { stack, live, start: supervised, watchers, finish };
}

/** Kills a worker -9 each time another share of the items has its remote task; restarts it unless for good. */
async function killAlong(
  stack: BenchStack,
  workers: Awaited<ReturnType<typeof stackWithWorkers>>,
  done: () => boolean,
): Promise<number> {
  let killed = 0;
  for (let k = 1; k <= kills; k++) {
    const threshold = Math.ceil((k * items) / (kills + 1));
    while (stack.emu.tasks().length < threshold && !done()) await new Promise((resolve) => setTimeout(resolve, 200));
    if (done()) break;
    await workers.watchers.scrapeNow();
    const victim = workers.live.shift()!;
    await victim.process.kill();
    console.log(`  (log of the killed worker: ${victim.logFile})`);
    killed += 1;
    console.log(`  killed a worker -9 at ${stack.emu.tasks().length} remote tasks${killForGood ? ' (for good)' : ''}`);
    if (!killForGood) workers.live.push(await workers.start());
  }
  return killed;
}

async function measurePlan(): Promise<RunFigures> {
  const workers = await stackWithWorkers(workerCount);
  const { stack } = workers;
  const planId = `plan-scale-${items}-${Date.now()}`;
  const { plan } = validatePlan(planFile(planId));
  const started = Date.now();
  const handle = await stack.temporal.client.workflow.start(
    PLAN_WORKFLOW_TYPE,
    buildPlanStartOptions({ plan, planId, taskQueue: stack.taskQueue }),
  );
  let over = false;
  const result = Promise.race([
    handle.result() as Promise<PlanResult>,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the plan did not end within ${timeoutMs / 60_000} min`)), timeoutMs).unref(),
    ),
  ]).finally(() => (over = true));
  const killed = await killAlong(stack, workers, () => over);
  const ended = await result;
  const finished = Date.now();
  const ids = plan.items.map((item) => itemWorkflowId(planId, item.key));
  const { watchers, peakRssMiB, crashed } = await workers.finish();
  const figures: RunFigures = {
    what: `plan, ${workerCount} worker(s), ${killed} kill(s)${killForGood ? ' for good' : ''}`,
    wallSeconds: (finished - started) / 1000,
    succeeded: ended.counts.succeeded,
    tasks: countRemoteTasks(stack.emu, ids),
    calls: callRate(stack.emu, started, finished, rateLimit),
    eventsPerRun: await historyEventsPerRun(stack.temporal.client, planId),
    watchers,
    workerPeakRssMiB: peakRssMiB,
    killed,
    crashed,
  };
  await cleanupAll();
  return figures;
}

/** The same migrations, started one by one on one worker (no plan). */
async function measureOneByOne(): Promise<RunFigures> {
  const workers = await stackWithWorkers(1);
  const { stack } = workers;
  const planId = `solo-${items}-${Date.now()}`;
  const { plan } = validatePlan(planFile(planId));
  const started = Date.now();
  const handles = await startMigrations(
    stack.temporal.client,
    stack.taskQueue,
    plan.items.map((item) => ({ workflowId: itemWorkflowId(planId, item.key), input: mergeItem(plan.defaults, item) })),
  );
  await waitNoneRunning(stack.temporal.client, stack.taskQueue);
  const finished = Date.now();
  const results = await resultsOf(handles);
  const { watchers, peakRssMiB, crashed } = await workers.finish();
  const figures: RunFigures = {
    what: 'one by one, 1 worker',
    wallSeconds: (finished - started) / 1000,
    succeeded: results.filter((result) => result.outcome === 'succeeded').length,
    tasks: countRemoteTasks(
      stack.emu,
      handles.map((handle) => handle.workflowId),
    ),
    calls: callRate(stack.emu, started, finished, rateLimit),
    eventsPerRun: [],
    watchers,
    workerPeakRssMiB: peakRssMiB,
    killed: 0,
    crashed,
  };
  await cleanupAll();
  return figures;
}

/** What broke of the plan's promises, one line each; empty when all held. */
function broken(row: RunFigures): string[] {
  const problems: string[] = [];
  if (row.succeeded !== items) problems.push(`${row.what}: ${row.succeeded} of ${items} items succeeded`);
  if (row.tasks.duplicated.length > 0)
    problems.push(`${row.what}: duplicated remote tasks: ${row.tasks.duplicated.slice(0, 5).join(', ')}`);
  if (row.tasks.missing.length > 0)
    problems.push(`${row.what}: items without a remote task: ${row.tasks.missing.slice(0, 5).join(', ')}`);
  if (row.tasks.leftRunning > 0) problems.push(`${row.what}: ${row.tasks.leftRunning} remote task(s) left running`);
  const longest = Math.max(0, ...row.eventsPerRun);
  if (longest > HISTORY_GOAL) problems.push(`${row.what}: a plan run has ${longest} history events`);
  if (row.calls.throttled > 0) problems.push(`${row.what}: ${row.calls.throttled} call(s) answered 429`);
  return problems;
}

const crashText = (row: RunFigures) => (row.crashed.length > 0 ? `; crashed by itself: ${row.crashed.join(', ')}` : '');

const watcherText = (watchers: WatcherFigures[]) =>
  watchers
    .map((w) => `${w.label}: ${w.rounds} rounds, ${w.rounds > 0 ? (w.listPages / w.rounds).toFixed(2) : 'n/a'}/round`)
    .join('; ');

function table(rows: RunFigures[]): string {
  const header =
    '| run | items | wall s | succeeded | tasks 1/dup/missing/running | plan runs: events each | DCS calls | calls/min mean / peak / budget | 429s | watcher list calls per round, per worker | worker peak RSS MiB |\n' +
    '| --- | ---: | ---: | ---: | --- | --- | ---: | --- | ---: | --- | ---: |';
  const lines = rows.map((r) => {
    const budget = r.calls.budgetPerMinute === undefined ? 'none' : r.calls.budgetPerMinute.toFixed(0);
    const runs = r.eventsPerRun.length > 0 ? `${r.eventsPerRun.length}: ${r.eventsPerRun.join(', ')}` : '—';
    return (
      `| ${r.what}${crashText(r)} | ${items} | ${r.wallSeconds.toFixed(1)} | ${r.succeeded} | ${r.tasks.once}/${r.tasks.duplicated.length}/${r.tasks.missing.length}/${r.tasks.leftRunning} | ` +
      `${runs} | ${r.calls.total} | ${r.calls.meanPerMinute.toFixed(0)} / ${r.calls.peakPerMinute} / ${budget} | ${r.calls.throttled} | ` +
      `${watcherText(r.watchers)} | ${r.workerPeakRssMiB.toFixed(0)} |`
    );
  });
  if (rows.length === 2 && rows[1]!.what.startsWith('one by one')) {
    const [plan, solo] = rows as [RunFigures, RunFigures];
    const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
    lines.push(
      `| plan / one by one | | ${ratio(plan.wallSeconds, solo.wallSeconds)} | | | | ${ratio(plan.calls.total, solo.calls.total)} | ` +
        `${ratio(plan.calls.peakPerMinute, solo.calls.peakPerMinute)} (peak) | | | ${ratio(plan.workerPeakRssMiB, solo.workerPeakRssMiB)} |`,
    );
  }
  return [header, ...lines].join('\n');
}

runBench(async () => {
  const command = `npx tsx bench/plan-scale.ts ${process.argv.slice(2).join(' ')}`.trim();
  const notes =
    `One plan of ${items} full migrations (maxConcurrency ${maxConcurrency}, shared status watcher, poll ${pollMs / 1000} s) on ` +
    `${workerCount} \`dcs-migrate worker\` process(es) (prebuilt bundle, jemalloc); emulator timeline data plane (full sync ` +
    `${fullSyncMs / 1000} s + up to 2 polls of spread, creating 2 s, no data moved)` +
    `${rateLimit ? `; rate limit ${formatRateLimit(rateLimit)} at the emulator (429 beyond) and DCS_RATE_LIMIT on the workers (paced at 80 %)` : ''}. ` +
    `Kill k of K at k/(K+1) of the items created, ${killForGood ? 'not restarted' : 'a new worker started at once'}. ` +
    `Tasks: items with exactly one remote task / duplicated / missing / left running. Watcher: list calls (pages) per round, ` +
    `per worker incarnation (a killed one up to 2 s short). Calls/min: over the run, peak = most in any 60 s.`;
  const runs: Array<'plan' | 'one-by-one'> = compare ? ['plan', 'one-by-one'] : ['plan'];
  const rows = await measureRows(runs, {
    what: (run) => `plan-scale: ${run}, ${items} items`,
    measure: (run) => (run === 'plan' ? measurePlan() : measureOneByOne()),
    table,
    // Each scenario its own section, so the three of the issue stand side by side.
    section: flag('section', `plan-scale-${items}-w${workerCount}-k${kills}${killForGood ? '-for-good' : ''}`),
    title: 'Plan scale: one fleet plan, kills, and the same migrations one by one',
    command,
    notes,
  });
  const problems = rows.flatMap(broken);
  for (const problem of problems) console.error(`BROKEN: ${problem}`);
  if (problems.length > 0) process.exitCode = 1;
});
