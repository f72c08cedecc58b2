/**
 * CLI latency: how long `dcs-migrate` takes to answer, next to the Temporal CLI on the same server, and how long a
 * worker takes to start with and without the prebuilt workflow bundle.
 *
 *   npx tsx bench/cli-latency.ts [--runs 10]
 *
 * One Temporal dev server (local/temporal-dev-server.ts), an emulator on the timeline data plane, and one migration
 * kept running (a full sync that lasts an hour) so `status` and `describe` have something to read. Each command
 * runs `--runs` times in turn, from process start to exit; the table shows the median and p90. `dcs-migrate` runs
 * as `node bin/dcs-migrate.js` on the prebuilt CLI, the same from the TypeScript sources (tsx, as before the
 * prebuild: DCS_MIGRATE_CLI_FROM_SOURCE=1), and through `npx dcs-migrate`. Worker start is from spawning
 * `dcs-migrate worker` to the time stamp of its `worker started` line (logged right before it polls). Writes its
 * section of bench/results.md. Not part of the tests.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLI_BIN, cliEnvironment, startCliWorker } from '../client/testing/run-cli.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { parseMigrationInput } from '../common/migration-input.js';
import { TEMPORAL_HTTP_VAR } from '../common/client-env.js';
import { DcsPhase } from '../common/search-attributes.js';
import { projectRoot, resolveTemporalCli } from '../local/tools.js';
import { emulatorDcsEnvironment } from '../stack/dcs-for-emulator.js';
import { buildCli } from '../tools/build-cli.js';
import { buildWorkflowBundles } from '../tools/build-workflow-bundles.js';
import { BUNDLE_AT_START_VAR } from '../worker/prebuilt-workflows.js';
import { benchInput, startBenchStack } from './lib/bench-stack.js';
import { onCleanup, runBench } from './lib/cleanup.js';
import { flag } from './lib/flags.js';
import { sectionHeader, writeResultsSection } from './results-file.js';

const RUNS = Number(flag('runs', '10'));
const WORKER_STARTS = Number(flag('worker-starts', '3'));

interface Timing {
  median: number;
  p90: number;
  /** Median user + system CPU time of the process (and its children, e.g. npm's), when GNU time is there. */
  cpu?: number;
}

/** GNU time reports each run's CPU time, which the other processes of a shared machine disturb far less than wall time. */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const CPU_MARK = '__cpu';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function summarize(samples: number[], cpu: number[] = []): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const cpuSorted = [...cpu].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    ...(cpu.length > 0 ? { cpu: percentile(cpuSorted, 50) } : {}),
  };
}

/** Runs `command args` `RUNS` times, checking each exit code, and returns the wall times in ms. */
async function timeCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  expectCode: number,
): Promise<Timing> {
  const samples: number[] = [];
  const cpu: number[] = [];
  const [file, fileArgs] = GNU_TIME ? [GNU_TIME, ['-f', `${CPU_MARK} %U %S`, command, ...args]] : [command, args];
  for (let run = 0; run < RUNS; run += 1) {
    const started = process.hrtime.bigint();
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      execFile(
        file,
        fileArgs,
        { env, cwd: projectRoot, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
        (error, _stdout, stderr) => {
          if (error && typeof error.code !== 'number')
            return reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr}`));
          resolve({ code: error ? Number(error.code) : 0, stderr });
        },
      );
    });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (code !== expectCode)
      throw new Error(`${command} ${args.join(' ')}: exit ${code}, expected ${expectCode}\n${stderr}`);
    const mark = stderr.split('\n').find((line) => line.startsWith(CPU_MARK));
    if (mark)
      cpu.push(
        mark
          .split(' ')
          .slice(1, 3)
          .reduce((sum, seconds) => sum + Number(seconds) * 1000, 0),
      );
  }
  return summarize(samples, cpu);
}

/** Spawn to `worker started`, by the worker's own time stamp; the worker is stopped after each start. */
async function timeWorkerStart(
  env: NodeJS.ProcessEnv,
  dir: string,
  label: string,
): Promise<{ timing: Timing; workflowCode: string }> {
  const samples: number[] = [];
  let workflowCode = '';
  for (let run = 0; run < WORKER_STARTS; run += 1) {
    const logFile = path.join(dir, `worker-${label}-${run}.log`);
    const spawned = Date.now();
    const worker = await startCliWorker(['--shutdown-grace', '1s'], env, logFile);
    const line = (await worker.logLines()).find((entry) => entry.msg === 'worker started');
    await worker.stop();
    samples.push(Date.parse(String(line?.time)) - spawned);
    workflowCode = String(line?.workflowCode ?? '');
  }
  return { timing: summarize(samples), workflowCode };
}

const fmt = (ms: number) => `${Math.round(ms)}`;
const cell = (timing: Timing) =>
  `${fmt(timing.median)} / ${fmt(timing.p90)}${timing.cpu === undefined ? '' : ` (cpu ${fmt(timing.cpu)})`}`;

async function main(): Promise<void> {
  const cli = await buildCli();
  const bundles = await buildWorkflowBundles();
  console.log(
    `prebuilt CLI (${cli.ms} ms), workflow bundles ${bundles.built ? `built (${bundles.ms} ms)` : 'current'}`,
  );
  const temporalCli = await resolveTemporalCli();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-bench-cli-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const stack = await startBenchStack({
    timeline: { fullSyncMs: 3_600_000 },
    timings: { creatingMs: 0 },
    watchIntervalMs: 1000,
    worker: false,
    allocator: 'glibc',
  });
  const { address, namespace } = stack.temporal.server;
  const workerEnv = cliEnvironment(stack.temporal.server, stack.taskQueue, emulatorDcsEnvironment(stack.emu));

  console.log('worker start …');
  const atStart = await timeWorkerStart({ ...workerEnv, [BUNDLE_AT_START_VAR]: '1' }, dir, 'bundled');
  const prebuilt = await timeWorkerStart(workerEnv, dir, 'prebuilt');
  console.log(`worker start: bundled at start ${cell(atStart.timing)} ms, prebuilt ${cell(prebuilt.timing)} ms`);
  if (!prebuilt.workflowCode.includes('prebuilt'))
    throw new Error(`the worker did not take the prebuilt bundle: ${prebuilt.workflowCode}`);

  // One worker stays up for the migration `status` reads (it answers the status query).
  const worker = await startCliWorker(['--shutdown-grace', '1s'], workerEnv, path.join(dir, 'worker.log'));
  onCleanup(() => worker.stop());
  const workflowId = `bench-cli-latency-${process.pid}`;
  const input = parseMigrationInput(benchInput('full', {}));
  await stack.temporal.client.workflow.start(
    'dcsMigration',
    buildMigrationStartOptions({ input, workflowId, taskQueue: stack.taskQueue }),
  );
  const env = cliEnvironment(stack.temporal.server, stack.taskQueue);
  // Wait until the migration is past its first steps, so `status` reads a task with a remote status.
  for (let tries = 0; tries < 120; tries += 1) {
    if (
      (await stack.temporal.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(DcsPhase) ===
      'migrating'
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  const node = process.execPath;
  const fromSource = { ...env, DCS_MIGRATE_CLI_FROM_SOURCE: '1' };
  const npx = 'npx';
  const temporalArgs = ['--address', address, '--namespace', namespace];
  type Case = {
    what: string;
    dcs: (runner: 'node' | 'source' | 'npx') => Promise<Timing>;
    temporal: () => Promise<Timing>;
    temporalCommand: string;
  };
  const dcsRun = (args: string[], code: number) => (runner: 'node' | 'source' | 'npx') =>
    runner === 'npx'
      ? timeCommand(npx, ['--no-install', 'dcs-migrate', ...args], env, code)
      : timeCommand(node, [CLI_BIN, ...args], runner === 'source' ? fromSource : env, code);
  const cases: Case[] = [
    {
      what: '--help',
      dcs: dcsRun(['--help'], 0),
      temporal: () => timeCommand(temporalCli, ['--help'], env, 0),
      temporalCommand: 'temporal --help',
    },
    {
      what: 'usage error',
      dcs: dcsRun(['status'], 2),
      temporal: () => timeCommand(temporalCli, ['workflow', 'describe'], env, 1),
      temporalCommand: 'temporal workflow describe (no -w)',
    },
    {
      what: 'status <id> (HTTP API)',
      dcs: dcsRun(['status', workflowId], 0),
      temporal: () => timeCommand(temporalCli, ['workflow', 'describe', '-w', workflowId, ...temporalArgs], env, 0),
      temporalCommand: 'temporal workflow describe -w <id>',
    },
    {
      what: 'status <id>, SDK path',
      dcs: (runner) => {
        // The same read through the Temporal SDK over gRPC, as before the HTTP path (and as without the variable).
        const { [TEMPORAL_HTTP_VAR]: _http, ...sdkOnly } = env;
        return runner === 'npx'
          ? timeCommand(npx, ['--no-install', 'dcs-migrate', 'status', workflowId], sdkOnly, 0)
          : timeCommand(
              node,
              [CLI_BIN, 'status', workflowId],
              runner === 'source' ? { ...sdkOnly, DCS_MIGRATE_CLI_FROM_SOURCE: '1' } : sdkOnly,
              0,
            );
      },
      temporal: () => timeCommand(temporalCli, ['workflow', 'describe', '-w', workflowId, ...temporalArgs], env, 0),
      temporalCommand: 'temporal workflow describe -w <id>',
    },
    {
      what: 'list',
      dcs: dcsRun(['list'], 0),
      temporal: () => timeCommand(temporalCli, ['workflow', 'list', ...temporalArgs], env, 0),
      temporalCommand: 'temporal workflow list',
    },
  ];
  const rows: string[][] = [];
  for (const testCase of cases) {
    console.log(`${testCase.what} …`);
    const [built, source, viaNpx, temporal] = [
      await testCase.dcs('node'),
      await testCase.dcs('source'),
      await testCase.dcs('npx'),
      await testCase.temporal(),
    ];
    const row = [
      testCase.what,
      cell(built),
      cell(viaNpx),
      cell(source),
      `${testCase.temporalCommand}: ${cell(temporal)}`,
      `${(built.median / temporal.median).toFixed(1)}×`,
      `${(source.median / built.median).toFixed(1)}×`,
    ];
    console.log(row.join(' | '));
    rows.push(row);
  }
  const table = [
    '| command | dcs-migrate prebuilt, median / p90 ms (median CPU ms) | via npx | from sources (tsx, before) | Temporal CLI | prebuilt ÷ Temporal | before ÷ prebuilt |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  const workerTable = [
    '| worker start | median / p90 ms | workflow code |',
    '| --- | ---: | --- |',
    `| bundled at start (webpack, ${BUNDLE_AT_START_VAR}=1; before) | ${fmt(atStart.timing.median)} / ${fmt(atStart.timing.p90)} | ${atStart.workflowCode} |`,
    `| prebuilt bundle (dist/workflows/) | ${fmt(prebuilt.timing.median)} / ${fmt(prebuilt.timing.p90)} | ${path.relative(projectRoot, prebuilt.workflowCode)} |`,
  ].join('\n');
  console.log(`\n${table}\n\n${workerTable}`);
  const notes =
    `${RUNS} runs of each command in turn, process start to exit; worker start: ${WORKER_STARTS} starts each, spawn to its \`worker started\` log line. ` +
    `The usage error is \`dcs-migrate status\` (no id, exit 2). \`status <id> (HTTP API)\` reads through Temporal's HTTP API (${TEMPORAL_HTTP_VAR} set, as the stack's env file sets it); the SDK path is the same command without it. Shared machine: other processes ran meanwhile, so compare within a row.`;
  await writeResultsSection(
    'cli-latency',
    `${sectionHeader('CLI latency and worker start', 'npx tsx bench/cli-latency.ts')}\n${notes}\n\n${table}\n\n${workerTable}\n`,
  );
}

runBench(main);
