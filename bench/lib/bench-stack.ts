/**
 * What the orchestration benchmarks share: a Temporal dev server, an emulator on the timeline data plane with one
 * registered target (no Redis behind it: the timeline plane never connects), and `dcs-migrate worker` child
 * processes on a prebuilt workflow bundle, as production workers run (no webpack in the measured process): one by
 * default, more (or again, after a kill) with `startWorker` — all registered for cleanup.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cliEnvironment, startCliWorker, type CliWorker } from '../../client/testing/run-cli.js';
import { startEmulator, type Emulator, type EmulatorTimings } from '../../emulator/index.js';
import type { TimelineSettings } from '../../emulator/data-plane/index.js';
import type { RateLimit } from '../../common/rate-limit.js';
import { emulatorDcsEnvironment } from '../../stack/dcs-for-emulator.js';
import { findJemalloc } from '../../worker/allocator.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../../test/harness/temporal.js';
import { onCleanup } from './cleanup.js';
import type { BenchAllocator } from './flags.js';
import { buildWorkflowBundle } from '../../test/harness/workflow-bundle.js';

let bundle: Promise<string> | undefined;

/** Bundles the workflow code once per benchmark process, with the project's own tool. */
function workflowBundle(): Promise<string> {
  bundle ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-bench-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return buildWorkflowBundle(dir);
  })();
  return bundle;
}

export interface BenchStack {
  temporal: TemporalTestEnv;
  emu: Emulator;
  worker: CliWorker | undefined;
  taskQueue: string;
  /** Starts one more worker on the task queue (`label` names its log file), registered for cleanup. */
  startWorker(label: string, args?: string[]): Promise<CliWorker>;
}

export interface BenchStackOptions {
  timeline: TimelineSettings;
  timings: Partial<EmulatorTimings>;
  watchIntervalMs: number;
  watchMaxIntervalMs?: number;
  worker?: boolean;
  workerArgs?: string[];
  /** The worker's allocator; jemalloc by default. */
  allocator?: BenchAllocator;
  /** The emulator's per-tenant rate limit (429 `APIGW.0308` beyond it); none by default. */
  rateLimit?: RateLimit;
  /** More environment for the workers (e.g. `DCS_RATE_LIMIT`). */
  workerEnv?: Record<string, string>;
}

/** LD_PRELOAD for the worker: jemalloc unless glibc is asked for; a machine without it cannot run the benchmark as asked. */
export function allocatorEnvironment(allocator: BenchAllocator = 'jemalloc'): NodeJS.ProcessEnv {
  if (allocator === 'glibc') return {};
  const jemalloc = findJemalloc();
  if (jemalloc === undefined)
    throw new Error('libjemalloc.so.2 not found: install it (apt-get install libjemalloc2) or pass --allocator glibc');
  return { LD_PRELOAD: jemalloc };
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-bench-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const temporal = await startTemporalTestEnv();
  onCleanup(() => temporal.teardown());
  // Every request kept: the benchmarks count calls (2,000 migrations make far more than the default 10,000).
  const emu = await startEmulator({
    timings: options.timings,
    dataPlane: { timeline: options.timeline },
    requestLogCapacity: 2_000_000,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  });
  onCleanup(() => emu.stop());
  emu.registerInstance({ id: 'bench-target', host: '127.0.0.1', port: 2 });
  const taskQueue = `bench-${process.pid}-${Date.now()}`;
  const environment = cliEnvironment(temporal.server, taskQueue, {
    DCS_MIGRATE_WORKFLOW_BUNDLE: await workflowBundle(),
    DCS_MIGRATE_WATCH_INTERVAL: String(Math.max(1, Math.round(options.watchIntervalMs))),
    // Without a ceiling of its own the worker's default (60 s) applies.
    ...(options.watchMaxIntervalMs !== undefined
      ? { DCS_MIGRATE_WATCH_MAX_INTERVAL: String(Math.round(options.watchMaxIntervalMs)) }
      : {}),
    ...emulatorDcsEnvironment(emu),
    ...allocatorEnvironment(options.allocator),
    ...options.workerEnv,
  });
  const startWorker = async (label: string, args: string[] = []): Promise<CliWorker> => {
    const worker = await startCliWorker(
      ['--shutdown-grace', '2s', ...(options.workerArgs ?? []), ...args],
      environment,
      path.join(dir, `${label}.log`),
    );
    onCleanup(() => worker.stop());
    return worker;
  };
  const worker = options.worker === false ? undefined : await startWorker('worker');
  return { temporal, emu, worker, taskQueue, startWorker };
}

/** An online migration input towards the stack's target, from a self-hosted address nobody listens on. */
export function benchInput(method: 'full' | 'incremental', polling: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: 'online',
    source: { addrs: '127.0.0.1:1' },
    target: { instanceId: 'bench-target' },
    network: { vpcId: 'vpc-bench', subnetId: 'subnet-bench', securityGroupId: 'sg-bench' },
    method,
    polling,
  };
}
