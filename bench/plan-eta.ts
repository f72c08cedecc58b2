/**
 * The plan's ETA on the emulator (issue 26): a 40-item plan, items of 4 size classes (sources of 2, 4, 6 and 8 MB
 * of 1 KB random strings, incompressible as DUMP compresses; each item copies one of them into a target of its own
 * at `bandwidthLimitMb: 1`), a first wave of 8 (2 of each class), then the 32 others, 8 at once; a real Temporal
 * dev server, the emulator over real redis-servers, a worker from the production factory. The plan starts with the
 * default `eta` assumptions.
 *
 * Prints each item's estimate once the first wave finished against what it took, and the plan's end as predicted
 * then (and before the start) against the actual end, with the error in % of the plan's duration; the goal is
 * within 25 % after the first wave. Writes the figures to bench/results.md.
 *
 *   npx tsx bench/plan-eta.ts
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { planStatusQuery, PLAN_WORKFLOW_TYPE, type PlanResult, type PlanStatus } from '../common/plan-contract.js';
import { validatePlan } from '../common/plan-input.js';
import { buildPlanStartOptions } from '../common/plan-start-options.js';
import { paidTasksLeft } from '../test/harness/paid-tasks.js';
import { DEFAULT_PAIR, onlineInput, startTestStack } from '../test/harness/stack.js';
import { onCleanup, runBench } from './lib/cleanup.js';
import { sectionHeader, writeResultsSection } from './results-file.js';

const COMMAND = 'npx tsx bench/plan-eta.ts';
const SIZES_MB = [2, 4, 6, 8];
const ITEMS = 40;
const FIRST_WAVE = 8;
const CONCURRENCY = 8;

const sourceId = (mb: number) => `source-${mb}mb`;
const targetId = (index: number) => (index === 0 ? DEFAULT_PAIR.target.id : `target-${index}`);
const keyOf = (index: number) => `item-${String(index).padStart(2, '0')}`;
/** Item i copies the source of class i mod 4: every wave holds every class. */
const classOf = (index: number) => SIZES_MB[index % SIZES_MB.length]!;

async function seed(redis: Redis, mb: number): Promise<void> {
  for (let at = 0; at < mb * 1024; at += 500) {
    const batch = redis.pipeline();
    for (let key = at; key < Math.min(mb * 1024, at + 500); key++) batch.set(`k:${key}`, randomBytes(1024));
    await batch.exec();
  }
}

const pct = (value: number) => `${value.toFixed(1)} %`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const password = { source: DEFAULT_PAIR.source.password, target: DEFAULT_PAIR.target.password };
  const stack = await startTestStack({
    name: 'bench-plan-eta',
    emulator: { timings: { creatingMs: 300, terminatingMs: 200 } },
    extraInstances: [
      ...SIZES_MB.map((mb) => ({ id: sourceId(mb), password: password.source })),
      ...Array.from({ length: ITEMS - 1 }, (_, index) => ({ id: targetId(index + 1), password: password.target })),
    ],
  });
  onCleanup(() => stack.teardown());
  for (const mb of SIZES_MB) await seed(stack.redis(sourceId(mb)), mb);
  await stack.startWorker();

  const {
    target: _target,
    source: _source,
    ...defaults
  } = onlineInput('full', {
    polling: { initialInterval: '500ms', maxInterval: '1s' },
    bandwidthLimitMb: 1,
  }) as Record<string, unknown>;
  const keys = Array.from({ length: ITEMS }, (_, index) => keyOf(index));
  const plan = validatePlan({
    id: `eta-${Date.now()}`,
    defaults: {
      ...defaults,
      source: { password: { env: DEFAULT_PAIR.source.env } },
      target: { password: { env: DEFAULT_PAIR.target.env } },
    },
    items: keys.map((key, index) => ({
      key,
      source: { instanceId: sourceId(classOf(index)) },
      target: { instanceId: targetId(index) },
    })),
    waves: [
      { name: 'first', items: keys.slice(0, FIRST_WAVE) },
      { name: 'rest', items: keys.slice(FIRST_WAVE) },
    ],
    maxConcurrency: CONCURRENCY,
  }).plan;
  const client = stack.temporal.client;
  const handle = await client.workflow.start(
    PLAN_WORKFLOW_TYPE,
    buildPlanStartOptions({ plan, planId: plan.id!, taskQueue: stack.taskQueue }),
  );
  console.log(`plan ${plan.id}: ${ITEMS} items (${SIZES_MB.join(', ')} MB), waves of ${FIRST_WAVE} then the rest`);

  let afterFirst: PlanStatus | undefined;
  for (;;) {
    const status = await handle.query(planStatusQuery, { items: true });
    if (status.waves[0]?.state === 'done') {
      afterFirst = status;
      break;
    }
    await sleep(250);
  }
  const result = (await handle.result()) as PlanResult;
  const started = Date.parse(result.startedAt);
  const actualEnd = Math.max(...result.items.map((item) => Date.parse(item.endedAt ?? '')));
  const duration = actualEnd - started;
  const off = (predicted: number) => (Math.abs(predicted - actualEnd) / duration) * 100;
  const predicted = afterFirst.eta!.predictedEndMs!;
  const first = Date.parse(afterFirst.eta!.firstPredictedEnd ?? '');

  const rows = result.items.map((item, index) => {
    const then = afterFirst.items!.find((candidate) => candidate.key === item.key)!;
    const actual = item.eta?.actualMs ?? Number.NaN;
    return {
      key: item.key,
      mb: classOf(index),
      wave: item.wave,
      first: then.eta!.firstEstimateMs,
      estimate: then.eta!.estimateMs,
      actual,
      errorPct: (Math.abs(then.eta!.estimateMs - actual) / actual) * 100,
    };
  });
  const rest = rows.filter((row) => row.wave === 'rest');
  const restErrors = rest.map((row) => row.errorPct).sort((a, b) => a - b);
  const rate = afterFirst.eta!.learnedRate;
  const summary = [
    `| | predicted | actual | error (% of the plan's ${seconds(duration)}) |`,
    '| --- | --- | --- | --- |',
    `| plan end, after the first wave (${rate.samples} syncs measured) | +${seconds(predicted - started)} | +${seconds(duration)} | ${pct(off(predicted))} |`,
    `| plan end, before the start (default assumptions) | +${seconds(first - started)} | +${seconds(duration)} | ${pct(off(first))} |`,
    '',
    `Learned after the first wave: ${(rate.bytesPerSecond / 1024 / 1024).toFixed(2)} MB/s + ${Math.round(rate.keysPerSecond)} keys/s, ` +
      `${seconds(rate.fixedSyncMs)} fixed per sync, ${seconds(rate.overheadMs)} outside the sync. ` +
      `Items of the second wave, estimated then: median ${pct(restErrors[Math.floor(restErrors.length / 2)]!)} off, ` +
      `max ${pct(restErrors.at(-1)!)}. First estimates (before the start): median ` +
      `${result.eta?.firstEstimateErrorPct?.medianPct ?? '?'} % off, max ${result.eta?.firstEstimateErrorPct?.maxPct ?? '?'} %.`,
  ];
  const table = [
    '| item | MB | wave | first estimate | estimate after wave 1 | actual | error |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.key} | ${row.mb} | ${row.wave} | ${seconds(row.first)} | ${seconds(row.estimate)} | ${seconds(row.actual)} | ${pct(row.errorPct)} |`,
    ),
  ];
  console.log([...summary, '', ...table].join('\n'));
  const listed = await stack.dcsClient().listMigrationTask({ limit: 1000 });
  const paid = paidTasksLeft('plan-eta', listed.migration_tasks);
  const goal = off(predicted) <= 25;
  await writeResultsSection(
    'plan-eta',
    [
      sectionHeader('Plan ETA (issue 26): 40 items of 4 sizes, predicted after the first wave', COMMAND),
      `Goal: the plan's end predicted within 25 % after the first wave: **${goal ? 'met' : 'missed'}**. ` +
        `Sources of ${SIZES_MB.join(', ')} MB (1 KB random strings), \`bandwidthLimitMb: 1\`, full migrations, a first wave ` +
        `of ${FIRST_WAVE} then ${ITEMS - FIRST_WAVE}, ${CONCURRENCY} at once; remote tasks left running: ${paid}.`,
      '',
      ...summary,
      '',
      '<details><summary>every item</summary>',
      '',
      ...table,
      '',
      '</details>',
    ].join('\n'),
  );
  if (paid !== 0) throw new Error(`${paid} remote task(s) left running`);
  if (!goal) process.exitCode = 1;
}

runBench(main);
