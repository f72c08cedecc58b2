/**
 * Scale of the orchestration (issue 8.1): N concurrent full migrations on ONE worker process (`dcs-migrate worker`
 * as a child process) against the emulator's timeline data plane (statuses advance on a schedule, no data moves),
 * with a fixed poll interval so the notice lag can be judged against it.
 *
 *   npx tsx bench/scale.ts [--n 100,500] [--mode per-task,shared] [--full-sync 30s] [--poll 5s]
 *   npx tsx bench/scale.ts --runs per-task:100,shared:2000 …   (chosen (mode, N) pairs instead of every combination)
 *   … --max-cached-workflows 500   (passed on to the worker: bounds its memory at the cost of replays)
 *   … --section scale-extra         (writes another section of bench/results.md than `scale`)
 *   … --allocator glibc             (the worker on glibc's malloc instead of jemalloc, which the Docker image preloads)
 *
 * Figures per (mode, N): completions/s, notice lag of SUCCESS (emulator transition → the workflow's
 * DcsRemoteStatus upsert) p50/p99 and its ratio to the poll interval, worker peak RSS and CPU, Temporal server
 * CPU, DCS API calls in total and per poll round. Writes section `scale` of bench/results.md.
 */
import { parseDurationMs } from '../common/migration-input.js';
import { benchInput, startBenchStack } from './lib/bench-stack.js';
import { cleanupAll, runBench } from './lib/cleanup.js';
import { percentile } from '../test/support/percentile.js';
import { noticedAt } from '../test/support/notice-lag.js';
import { processUsage, trackPeakRss } from '../test/support/process-usage.js';
import { measureRows } from './results-file.js';
import { flag, parseAllocator } from './lib/flags.js';
import { resultsOf, startMigrations, waitNoneRunning } from './lib/migration-batch.js';

type Mode = 'per-task' | 'shared';

const sizes = flag('n', '100,500').split(',').map(Number);
const modes = flag('mode', 'per-task,shared').split(',') as Mode[];
const runs: Array<{ mode: Mode; n: number }> = process.argv.includes('--runs')
  ? flag('runs', '')
      .split(',')
      .map((pair) => {
        const [mode, n] = pair.split(':');
        if ((mode !== 'per-task' && mode !== 'shared') || !Number.isInteger(Number(n)))
          throw new Error(`--runs: expected mode:N pairs such as shared:2000, got ${pair}`);
        return { mode, n: Number(n) };
      })
  : modes.flatMap((mode) => sizes.map((n) => ({ mode, n })));
const fullSyncMs = parseDurationMs(flag('full-sync', '30s')) ?? 30_000;
const pollMs = parseDurationMs(flag('poll', '5s')) ?? 5_000;
const maxCachedWorkflows = process.argv.includes('--max-cached-workflows')
  ? flag('max-cached-workflows', '')
  : undefined;
const allocator = parseAllocator('allocator', flag('allocator', 'jemalloc'));

interface ScaleFigures {
  mode: Mode;
  n: number;
  wallSeconds: number;
  completionsPerSecond: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagSamples: number;
  workerPeakRssMiB: number;
  workerCpuSeconds: number;
  serverCpuSeconds: number;
  apiCalls: number;
  callsPerRound: number;
}

async function measure(mode: Mode, n: number): Promise<ScaleFigures> {
  // Transitions spread over two polls so they fall anywhere between polls (not in lockstep with the pollers).
  const { temporal, emu, worker, taskQueue } = await startBenchStack({
    timeline: { fullSyncMs, fullSyncSpreadMs: pollMs * 2 },
    timings: { creatingMs: 2_000, terminatingMs: 200 },
    watchIntervalMs: pollMs,
    // A fixed round, like the per-task rows' fixed poll: the lag figures compare like with like.
    watchMaxIntervalMs: pollMs,
    ...(maxCachedWorkflows ? { workerArgs: ['--max-cached-workflows', maxCachedWorkflows] } : {}),
    allocator,
  });
  if (!worker) throw new Error('the scale benchmark needs its worker');
  const workerPid = worker.process.child.pid!;
  const serverPid = temporal.server.process.child.pid!;
  const [workerBefore, serverBefore] = await Promise.all([processUsage(workerPid), processUsage(serverPid)]);
  const peakRss = trackPeakRss(workerPid);

  const started = performance.now();
  const handles = await startMigrations(
    temporal.client,
    taskQueue,
    Array.from({ length: n }, (_, index) => ({
      workflowId: `scale-${mode}-${n}-${index}`,
      input: benchInput('full', { mode, initialInterval: pollMs, maxInterval: pollMs }),
    })),
  );
  await waitNoneRunning(temporal.client, taskQueue);
  const wallSeconds = (performance.now() - started) / 1000;
  const results = await resultsOf(handles);
  const workerPeak = peakRss.stop();
  const [workerAfter, serverAfter] = await Promise.all([processUsage(workerPid), processUsage(serverPid)]);

  const lags: number[] = [];
  const successTimes: number[] = [];
  const fullSyncStarts: number[] = [];
  for (const [index, handle] of handles.entries()) {
    const changes = emu.statusChanges(results[index]!.taskId);
    const success = changes.find((change) => change.status === 'SUCCESS')?.at;
    const fullSync = changes.find((change) => change.status === 'FULLMIGRATING')?.at;
    if (fullSync !== undefined) fullSyncStarts.push(fullSync);
    if (success === undefined) continue;
    successTimes.push(success);
    const noticed = await noticedAt(handle, 'SUCCESS');
    if (noticed !== undefined) lags.push(Math.max(0, noticed - success));
  }
  lags.sort((a, b) => a - b);

  // Calls per round: the requests while every task sat in full sync and every workflow had noticed it (no
  // creates, configures or status-change reads then), per poll interval.
  const windowStart = Math.max(...fullSyncStarts) + 2 * pollMs;
  const windowEnd = Math.min(...successTimes);
  const inWindow = emu.requests().filter((entry) => {
    const at = Date.parse(entry.time);
    return at >= windowStart && at < windowEnd;
  }).length;
  const rounds = (windowEnd - windowStart) / pollMs;
  if (process.env.BENCH_DEBUG) {
    const byOperation = new Map<string, number>();
    for (const entry of emu.requests()) {
      const at = Date.parse(entry.time);
      if (at >= windowStart && at < windowEnd)
        byOperation.set(entry.operation ?? entry.path, (byOperation.get(entry.operation ?? entry.path) ?? 0) + 1);
    }
    console.log({ windowMs: windowEnd - windowStart, byOperation, lags: lags.slice(0, 10) });
  }
  const apiCalls = emu.requests().length;

  await cleanupAll();
  return {
    mode,
    n,
    wallSeconds,
    completionsPerSecond: n / wallSeconds,
    lagP50Ms: percentile(lags, 50),
    lagP99Ms: percentile(lags, 99),
    lagSamples: lags.length,
    workerPeakRssMiB: workerPeak / 2 ** 20,
    workerCpuSeconds: workerAfter.cpuSeconds - workerBefore.cpuSeconds,
    serverCpuSeconds: serverAfter.cpuSeconds - serverBefore.cpuSeconds,
    apiCalls,
    callsPerRound: rounds >= 1 ? inWindow / rounds : NaN,
  };
}

function table(rows: ScaleFigures[]): string {
  const header =
    '| mode | N | wall s | completions/s | lag p50 s | lag p99 s | p99 / poll | worker peak RSS MiB | worker CPU s (%) | server CPU s | API calls | calls/round |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const lines = rows.map(
    (r) =>
      `| ${r.mode} | ${r.n} | ${r.wallSeconds.toFixed(1)} | ${r.completionsPerSecond.toFixed(2)} | ${(r.lagP50Ms / 1000).toFixed(2)} | ${(r.lagP99Ms / 1000).toFixed(2)} | ` +
      `${(r.lagP99Ms / pollMs).toFixed(2)} | ${r.workerPeakRssMiB.toFixed(0)} | ${r.workerCpuSeconds.toFixed(1)} (${((100 * r.workerCpuSeconds) / r.wallSeconds).toFixed(0)}%) | ` +
      `${r.serverCpuSeconds.toFixed(1)} | ${r.apiCalls} | ${Number.isFinite(r.callsPerRound) ? r.callsPerRound.toFixed(1) : 'n/a'} |`,
  );
  return [header, ...lines].join('\n');
}

runBench(async () => {
  const command = `npx tsx bench/scale.ts ${process.argv.slice(2).join(' ')}`.trim();
  const notes =
    `One \`dcs-migrate worker\` process (prebuilt workflow bundle, ${allocator === 'jemalloc' ? 'jemalloc preloaded as in the Docker image' : "glibc's malloc"}, ${maxCachedWorkflows ? `--max-cached-workflows ${maxCachedWorkflows}` : 'SDK defaults otherwise'}); emulator timeline data plane (full sync ${fullSyncMs / 1000} s plus a spread of up to 2 polls so transitions fall anywhere between polls, creating 2 s, no data moved); ` +
    `poll interval ${pollMs / 1000} s (per-task: initial = max; shared: watcher round, no backoff). Lag: emulator SUCCESS time → the workflow's DcsRemoteStatus upsert event. ` +
    `Calls/round: API calls while every task sat in full sync, per poll interval (shared: the watcher's list pages). ` +
    `Goals: p99 lag ≤ 2× poll, worker RSS ≤ 1 GiB at N = 2,000; calls/round ≤ ceil(N/1000) + 1 with the watcher.`;
  await measureRows(runs, {
    what: ({ mode, n }) => `scale: mode ${mode}, N = ${n}`,
    measure: ({ mode, n }) => measure(mode, n),
    table,
    section: flag('section', 'scale'),
    title: 'Scale: concurrent migrations on one worker',
    command,
    notes,
  });
});
