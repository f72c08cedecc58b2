/**
 * Worker memory per running migration (issue 8.1's RSS goal, measured on its own): N migrations in shared polling
 * mode held in full sync (the emulator's timeline plane keeps them there for an hour) on ONE `dcs-migrate worker`
 * process, and that worker's RSS once every migration has noticed FULLMIGRATING and sits waiting on the watcher.
 *
 *   npx tsx bench/worker-memory.ts [--n 500,2000] [--allocators jemalloc,glibc] [--worker-args '--max-cached-workflows 500']
 *
 * Figures per (allocator, N): seconds until all N wait, worker RSS idle (before any start) and settled (peak over
 * a 10 s window after a 15 s settle), RSS per running migration, worker CPU, and each allocator's RSS against
 * glibc's for the same N. Writes section `worker-memory` of bench/results.md.
 */
import { parseDurationMs, parseMigrationInput } from '../common/migration-input.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE } from '../common/workflow-contract.js';
import { benchInput, startBenchStack } from './lib/bench-stack.js';
import { cleanupAll, runBench } from './lib/cleanup.js';
import { processUsage, trackPeakRss } from '../test/support/process-usage.js';
import { measureRows } from './results-file.js';
import { flag, parseAllocator, type BenchAllocator } from './lib/flags.js';

const sizes = flag('n', '500,2000').split(',').map(Number);
const allocators = flag('allocators', 'jemalloc,glibc')
  .split(',')
  .map((value) => parseAllocator('allocators', value));
const workerArgs = flag('worker-args', '').split(' ').filter(Boolean);
const pollMs = parseDurationMs(flag('poll', '5s')) ?? 5_000;
const START_CONCURRENCY = 50;
const MiB = 2 ** 20;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface MemoryFigures {
  allocator: BenchAllocator;
  n: number;
  secondsToSteady: number;
  idleRssMiB: number;
  steadyRssMiB: number;
  perMigrationKiB: number;
  workerCpuSeconds: number;
}

async function measure(allocator: BenchAllocator, n: number): Promise<MemoryFigures> {
  const { temporal, worker, taskQueue } = await startBenchStack({
    // Long enough that no task leaves full sync while the figures are taken.
    timeline: { fullSyncMs: 3_600_000 },
    timings: { creatingMs: 2_000, terminatingMs: 200 },
    watchIntervalMs: pollMs,
    watchMaxIntervalMs: pollMs,
    workerArgs,
    allocator,
  });
  if (!worker) throw new Error('the memory benchmark needs its worker');
  const pid = worker.process.child.pid!;
  await sleep(5_000);
  const idle = await processUsage(pid);

  const started = performance.now();
  for (let from = 0; from < n; from += START_CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(START_CONCURRENCY, n - from) }, (_, offset) => {
        const input = benchInput('full', { mode: 'shared' });
        const options = buildMigrationStartOptions({
          input: parseMigrationInput(input),
          workflowId: `memory-${n}-${from + offset}`,
          taskQueue,
        });
        return temporal.client.workflow.start(MIGRATION_WORKFLOW_TYPE, options);
      }),
    );
  }
  const waiting = `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running" AND DcsRemoteStatus = "FULLMIGRATING"`;
  const closed = `TaskQueue = "${taskQueue}" AND ExecutionStatus != "Running"`;
  while ((await temporal.client.workflow.count(waiting)).count < n) {
    // A migration that ended here is a failure of the benchmark (the timeline keeps every task in full sync).
    if ((await temporal.client.workflow.count(closed)).count > 0)
      throw new Error(`a migration ended early; see ${worker.logFile}`);
    await sleep(1_000);
  }
  const secondsToSteady = (performance.now() - started) / 1000;

  await sleep(15_000);
  const peak = trackPeakRss(pid);
  await sleep(10_000);
  const steadyRss = peak.stop();
  const after = await processUsage(pid);
  await cleanupAll();
  return {
    allocator,
    n,
    secondsToSteady,
    idleRssMiB: idle.rssBytes / MiB,
    steadyRssMiB: steadyRss / MiB,
    perMigrationKiB: (steadyRss - idle.rssBytes) / n / 1024,
    workerCpuSeconds: after.cpuSeconds - idle.cpuSeconds,
  };
}

function table(rows: MemoryFigures[]): string {
  const header =
    '| allocator | N | s until all wait | worker RSS idle MiB | worker RSS, N waiting, MiB | KiB per migration | RSS / glibc | worker CPU s |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const lines = rows.map((r) => {
    const glibc = rows.find((other) => other.allocator === 'glibc' && other.n === r.n);
    return (
      `| ${r.allocator} | ${r.n} | ${r.secondsToSteady.toFixed(0)} | ${r.idleRssMiB.toFixed(0)} | ${r.steadyRssMiB.toFixed(0)} | ${r.perMigrationKiB.toFixed(0)} | ` +
      `${glibc ? (r.steadyRssMiB / glibc.steadyRssMiB).toFixed(2) : 'n/a'} | ${r.workerCpuSeconds.toFixed(1)} |`
    );
  });
  return [header, ...lines].join('\n');
}

runBench(async () => {
  const command = `npx tsx bench/worker-memory.ts ${process.argv.slice(2).join(' ')}`.trim();
  const notes =
    `One \`dcs-migrate worker\` process (prebuilt workflow bundle${workerArgs.length ? `, ${workerArgs.join(' ')}` : ''}; jemalloc preloaded as the Docker image does, or glibc's malloc); ` +
    `N full migrations in shared polling mode held in full sync by the emulator's timeline plane, watcher round ${pollMs / 1000} s. ` +
    `RSS: peak over 10 s after all N noticed FULLMIGRATING and 15 s more passed; per migration = (that − idle) / N. Goal: ≤ 1 GiB at N = 2,000.`;
  await measureRows(
    sizes.flatMap((n) => allocators.map((allocator) => ({ n, allocator }))),
    {
      what: ({ n, allocator }) => `worker memory: ${allocator}, N = ${n}`,
      measure: ({ n, allocator }) => measure(allocator, n),
      table,
      section: flag('section', 'worker-memory'),
      title: 'Worker memory per running migration',
      command,
      notes,
    },
  );
});
