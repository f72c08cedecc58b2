/**
 * The full test stack, assembled in one place: a real Temporal dev server, the DCS emulator with its instances
 * (real redis-servers), a temp dir, and workers on demand, in process (the production factory) or as
 * `dcs-migrate worker` children (the CLI). Each test takes what it needs through the options; `teardown()` undoes
 * everything in reverse order, whatever failed half-way. Waits go through `waitFor` (local/wait.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { createSecretResolver, type DcsMigrationApi, type SharedStatusWatcher } from '../../activities/index.js';
import { cliEnvironment, startCliWorker, type CliWorker } from '../../client/testing/run-cli.js';
import type { MigrationInputFile } from '../../common/migration-input.js';
import { parseMigrationInput } from '../../common/migration-input.js';
import { buildMigrationStartOptions } from '../../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE } from '../../common/workflow-contract.js';
import { DcsClient } from '../../dcs/client.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { seedSampleData } from '../../local/sample-data.js';
import type { TemporalDevServerOptions } from '../../local/temporal-dev-server.js';
import { emulatorDcsEnvironment } from '../../stack/dcs-for-emulator.js';
import type { WorkerTracing } from '../../worker/tracing.js';
import type { TemporalTestEnv } from './temporal.js';

/** The emulator instances most tests migrate between, and the variables the inputs name their passwords by. */
export interface InstancePair {
  source: { id: string; password: string; env: string };
  target: { id: string; password: string; env: string };
}

export const DEFAULT_PAIR: InstancePair = {
  source: { id: 'source', password: 'source-secret-pw-7f3a', env: 'SOURCE_REDIS_PASSWORD' },
  target: { id: 'target', password: 'target-secret-pw-91cd', env: 'TARGET_REDIS_PASSWORD' },
};

/** A pair from ids, passwords and the variables inputs name the passwords by (default the worker's usual ones). */
export function instancePair(
  ids: [string, string],
  passwords: [string, string],
  envs: [string, string] = ['SOURCE_REDIS_PASSWORD', 'TARGET_REDIS_PASSWORD'],
): InstancePair {
  return {
    source: { id: ids[0], password: passwords[0], env: envs[0] },
    target: { id: ids[1], password: passwords[1], env: envs[1] },
  };
}

/** Input of an online migration between the pair's instances (passwords by environment reference). */
export function onlineInput(
  method: 'full' | 'incremental',
  extra: Partial<Record<string, unknown>> = {},
  pair: InstancePair = DEFAULT_PAIR,
): MigrationInputFile {
  return {
    kind: 'online',
    source: { instanceId: pair.source.id, password: { env: pair.source.env } },
    target: { instanceId: pair.target.id, password: { env: pair.target.env } },
    network: { vpcId: 'vpc-test', subnetId: 'subnet-test', securityGroupId: 'sg-test' },
    method,
    ...extra,
  } as MigrationInputFile;
}

/** The environment a worker resolves the pair's password references from. */
export function passwordEnv(pair: InstancePair = DEFAULT_PAIR): Record<string, string> {
  return { [pair.source.env]: pair.source.password, [pair.target.env]: pair.target.password };
}

export interface TestStackOptions {
  /** A Temporal dev server (with a client) too; off for emulator-only tests. Default on. */
  temporal?: boolean | TemporalDevServerOptions;
  /** The emulator's source and target instances; `extraInstances` adds more. */
  pair?: InstancePair;
  extraInstances?: EmulatorOptions['instances'];
  /** Emulator settings (status machine timings, fault seed, data plane …); short timings by default. */
  emulator?: Omit<EmulatorOptions, 'instances'>;
  /** Sample keys seeded into the source instance. */
  sourceKeys?: number;
  /** Prefix of the stack's temp dir (removed on teardown). */
  name?: string;
}

export interface RunningWorker {
  worker: Worker;
  /** Graceful shutdown, as on SIGTERM; resolves when the worker has stopped. */
  stop(): Promise<void>;
}

export interface InProcessWorkerOptions {
  dcs?: DcsMigrationApi;
  /** Traces (`worker/tracing.ts` `startTracing`, e.g. over an in-memory exporter); none by default. */
  tracing?: WorkerTracing;
  statusWatcher?: SharedStatusWatcher | { roundIntervalMs?: number; maxRoundIntervalMs?: number };
  env?: Record<string, string>;
  /** Payload encryption (`codec/data-converter.ts` `dataConverterFor`); none by default. */
  dataConverter?: DataConverter;
  /** Another task queue than the stack's (a second worker that must not take the first one's runs). */
  taskQueue?: string;
}

export interface TestStack {
  readonly dir: string;
  readonly emu: Emulator;
  readonly pair: InstancePair;
  /** The dev server and its client; throws when the stack was started without Temporal. */
  readonly temporal: TemporalTestEnv;
  readonly taskQueue: string;
  /** A DCS client for the emulator (AK/SK), with other credentials when asked; closed on teardown. */
  dcsClient(credentials?: { ak: string; sk: string }): DcsClient;
  /** A Redis connection to one of the emulator's instances; disconnected on teardown. */
  redis(instanceId: string): Redis;
  /** The environment of a CLI child: Temporal, task queue, the emulator's DCS settings, the pair's passwords. */
  cliEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Starts `dcs-migrate worker <args>` with `env` (default `cliEnv()`), logging to `<dir>/worker-<label>.log`. */
  startCliWorker(args: string[], env?: NodeJS.ProcessEnv, label?: string): Promise<CliWorker>;
  /** Starts a migration worker in this process (production factory) on the stack's task queue. */
  startWorker(options?: InProcessWorkerOptions): Promise<RunningWorker>;
  /** Starts a migration workflow with the CLI's start options. */
  start(input: MigrationInputFile, workflowId?: string): Promise<WorkflowHandleWithFirstExecutionRunId>;
  /** A clean slate between tests: the emulator forgets tasks, faults and requests; the pair's servers are emptied. */
  reset(): Promise<void>;
  /** Runs `cleanup` on teardown (last registered, first run). */
  onTeardown(cleanup: () => Promise<unknown> | unknown): void;
  teardown(): Promise<void>;
}

let counter = 0;

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const pair = options.pair ?? DEFAULT_PAIR;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const teardown = async () => {
    while (cleanups.length > 0) {
      await Promise.resolve()
        .then(cleanups.pop()!)
        .catch((error: unknown) => console.error(`test stack teardown: ${String(error)}`));
    }
  };
  try {
    const dir = await mkdtemp(path.join(os.tmpdir(), `dcs-migrate-${options.name ?? 'stack'}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const wantTemporal = options.temporal ?? true;
    const [temporal, emu] = await Promise.all([
      // Loaded only when asked: emulator-only tests skip the SDK's import cost.
      wantTemporal
        ? import('./temporal.js')
            .then(({ startTemporalTestEnv }) => startTemporalTestEnv(wantTemporal === true ? {} : wantTemporal))
            .then((env) => (cleanups.push(() => env.teardown()), env))
        : undefined,
      startEmulator({
        instances: [
          { id: pair.source.id, password: pair.source.password },
          { id: pair.target.id, password: pair.target.password },
          ...(options.extraInstances ?? []),
        ],
        ...options.emulator,
        timings: { creatingMs: 300, terminatingMs: 200, ...options.emulator?.timings },
      }).then((emulator) => (cleanups.push(() => emulator.stop()), emulator)),
    ]);
    if (options.sourceKeys) await seedSampleData(emu.instance(pair.source.id).endpoint, { keys: options.sourceKeys });
    const taskQueue = `${options.name ?? 'stack'}-${process.pid}-${Date.now()}-${counter++}`;
    const needTemporal = (): TemporalTestEnv => {
      if (!temporal) throw new Error('this test stack was started without Temporal');
      return temporal;
    };
    const stack: TestStack = {
      dir,
      emu,
      pair,
      get temporal() {
        return needTemporal();
      },
      taskQueue,
      dcsClient(credentials) {
        const client = DcsClient.fromEnv(
          {},
          {
            endpoint: emu.url,
            projectId: emu.credentials.projectId,
            accessKey: credentials?.ak ?? emu.credentials.ak,
            secretKey: credentials?.sk ?? emu.credentials.sk,
            // A dropped request must fail fast in tests, not after the production 30 s.
            timeouts: { connectMs: 2_000, headersMs: 3_000, bodyMs: 3_000 },
          },
        );
        cleanups.push(() => client.close());
        return client;
      },
      redis(instanceId) {
        const connection = new Redis({ ...emu.instance(instanceId).endpoint });
        cleanups.push(() => connection.disconnect());
        return connection;
      },
      async reset() {
        await emu.reset();
        for (const side of [pair.source, pair.target]) {
          const connection = new Redis({ ...emu.instance(side.id).endpoint });
          try {
            await connection.flushall();
          } finally {
            connection.disconnect();
          }
        }
      },
      cliEnv(extra = {}) {
        return cliEnvironment(needTemporal().server, taskQueue, {
          ...emulatorDcsEnvironment(emu),
          ...passwordEnv(pair),
          ...extra,
        });
      },
      async startCliWorker(args, env, label = 'worker') {
        const worker = await startCliWorker(args, env ?? stack.cliEnv(), path.join(dir, `${label}.log`));
        cleanups.push(() => worker.stop());
        return worker;
      },
      async startWorker(workerOptions = {}) {
        const { env: temporalEnv, server } = needTemporal();
        const { createMigrationWorker } = await import('../../worker/create-worker.js');
        const worker = await createMigrationWorker({
          connection: temporalEnv.nativeConnection,
          namespace: server.namespace,
          taskQueue: workerOptions.taskQueue ?? taskQueue,
          dcs: workerOptions.dcs ?? defaultDcs(),
          secrets: createSecretResolver({ env: workerOptions.env ?? passwordEnv(pair) }),
          backoff: { initialMs: 100, factor: 2, maxMs: 1_000 },
          shutdownGraceTime: '1s',
          // Shared-polling migrations: a round every 200 ms instead of 5 s.
          statusWatcher: workerOptions.statusWatcher ?? { roundIntervalMs: 200, maxRoundIntervalMs: 200 },
          tracing: workerOptions.tracing,
          ...(workerOptions.dataConverter ? { dataConverter: workerOptions.dataConverter } : {}),
        });
        const running = worker.run();
        const handle: RunningWorker = {
          worker,
          stop: async () => {
            if (worker.getState() === 'RUNNING') worker.shutdown();
            await running;
          },
        };
        cleanups.push(() => handle.stop());
        return handle;
      },
      start(input, workflowId) {
        const startOptions = buildMigrationStartOptions({
          input: parseMigrationInput(input),
          workflowId: workflowId ?? `wf-${Date.now()}-${counter++}`,
          taskQueue,
        });
        return needTemporal().client.workflow.start(MIGRATION_WORKFLOW_TYPE, startOptions);
      },
      onTeardown(cleanup) {
        cleanups.push(cleanup);
      },
      teardown,
    };
    let shared: DcsClient | undefined;
    const defaultDcs = () => (shared ??= stack.dcsClient());
    return stack;
  } catch (error) {
    await teardown();
    throw error;
  }
}
