/**
 * What the workflow tests share: a real Temporal dev server, the real DCS emulator with a source and a target
 * instance (real redis-servers), the real DCS client pointed at it, and a migration worker from the production
 * factory. Timings are shortened (emulator status machine, poll intervals, retry backoff), nothing else.
 */
import { execFile } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { createSecretResolver, type DcsMigrationApi, type SharedStatusWatcher } from '../activities/index.js';
import { parseMigrationInput, type MigrationInputFile } from '../common/migration-input.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE, type MigrationResult } from '../common/workflow-contract.js';
import { DcsClient } from '../dcs/client.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { resolveTemporalCli } from '../local/tools.js';
import { createMigrationWorker } from '../worker/create-worker.js';
import { startTemporalTestEnv, type TemporalTestEnv } from './harness/temporal.js';

export const SOURCE_PASSWORD = 'source-secret-pw-7f3a';
export const TARGET_PASSWORD = 'target-secret-pw-91cd';
/** Passwords reach the worker as environment variables; the inputs only name them. */
export const PASSWORD_ENV = { SOURCE_REDIS_PASSWORD: SOURCE_PASSWORD, TARGET_REDIS_PASSWORD: TARGET_PASSWORD };

/** Poll settings for tests: quick, with a small cap so tests never wait long. */
export const FAST_POLLING = { initialInterval: 100, maxInterval: 400, backoffFactor: 1.5 };

export interface RunningWorker {
  worker: Worker;
  /** Graceful shutdown, as on SIGTERM; resolves when the worker has stopped. */
  stop(): Promise<void>;
}

export interface MigrationTestEnv {
  temporal: TemporalTestEnv;
  emu: Emulator;
  taskQueue: string;
  dcs: DcsMigrationApi;
  /** Starts a migration worker (production factory) on the env's task queue. */
  startWorker(options?: { dcs?: DcsMigrationApi; statusWatcher?: SharedStatusWatcher }): Promise<RunningWorker>;
  /** Starts a migration workflow with the CLI's start options. */
  start(input: MigrationInputFile, workflowId?: string): Promise<WorkflowHandleWithFirstExecutionRunId>;
  /** A DCS client for the emulator, with other credentials when asked (auth failure tests). */
  dcsClient(credentials?: { ak: string; sk: string }): DcsMigrationApi;
  teardown(): Promise<void>;
}

let counter = 0;

export interface MigrationTestEnvOptions {
  /** Emulator status machine delays; short by default. */
  timings?: { creatingMs?: number; terminatingMs?: number };
  /** Seed of the emulator's probabilistic faults. */
  seed?: number;
}

export async function startMigrationTestEnv(options: MigrationTestEnvOptions = {}): Promise<MigrationTestEnv> {
  const temporal = await startTemporalTestEnv();
  let emu: Emulator | undefined;
  const workers: RunningWorker[] = [];
  try {
    emu = await startEmulator({
      instances: [
        { id: 'source', password: SOURCE_PASSWORD },
        { id: 'target', password: TARGET_PASSWORD },
      ],
      timings: { creatingMs: 300, terminatingMs: 200, ...options.timings },
      seed: options.seed ?? 7,
    });
    const emulator = emu;
    const taskQueue = `migration-test-${process.pid}-${Date.now()}`;
    const dcsClient = (credentials?: { ak: string; sk: string }): DcsMigrationApi =>
      DcsClient.fromEnv(
        {},
        {
          endpoint: emulator.url,
          projectId: emulator.credentials.projectId,
          accessKey: credentials?.ak ?? emulator.credentials.ak,
          secretKey: credentials?.sk ?? emulator.credentials.sk,
          // A dropped request must fail fast in tests, not after the production 30 s.
          timeouts: { connectMs: 2_000, headersMs: 3_000, bodyMs: 3_000 },
        },
      );
    const dcs = dcsClient();
    const env: MigrationTestEnv = {
      temporal,
      emu: emulator,
      taskQueue,
      dcs,
      dcsClient,
      async startWorker(options = {}) {
        const worker = await createMigrationWorker({
          connection: temporal.env.nativeConnection,
          namespace: temporal.server.namespace,
          taskQueue,
          dcs: options.dcs ?? dcs,
          secrets: createSecretResolver({ env: PASSWORD_ENV }),
          backoff: { initialMs: 100, factor: 2, maxMs: 1_000 },
          shutdownGraceTime: '1s',
          // Shared-polling migrations: a round every 200 ms instead of 5 s.
          statusWatcher: options.statusWatcher ?? { roundIntervalMs: 200, maxRoundIntervalMs: 200 },
        });
        const running = worker.run();
        const handle: RunningWorker = {
          worker,
          stop: async () => {
            if (worker.getState() === 'RUNNING') worker.shutdown();
            await running;
          },
        };
        workers.push(handle);
        return handle;
      },
      async start(input, workflowId) {
        const options = buildMigrationStartOptions({ input: parseMigrationInput(input), workflowId: workflowId ?? `wf-${Date.now()}-${counter++}`, taskQueue });
        return temporal.client.workflow.start(MIGRATION_WORKFLOW_TYPE, options);
      },
      async teardown() {
        for (const worker of workers) await worker.stop().catch(() => undefined);
        await emulator.stop();
        await temporal.teardown();
      },
    };
    return env;
  } catch (error) {
    await emu?.stop();
    await temporal.teardown();
    throw error;
  }
}

/** Input of an online migration between the emulator's `source` and `target` instances. */
export function onlineInput(method: 'full' | 'incremental', extra: Partial<Record<string, unknown>> = {}): MigrationInputFile {
  return {
    kind: 'online',
    source: { instanceId: 'source', password: { env: 'SOURCE_REDIS_PASSWORD' } },
    target: { instanceId: 'target', password: { env: 'TARGET_REDIS_PASSWORD' } },
    network: { vpcId: 'vpc-test', subnetId: 'subnet-test', securityGroupId: 'sg-test' },
    method,
    polling: FAST_POLLING,
    ...extra,
  } as MigrationInputFile;
}

/** Waits for the workflow result, failing the test with the workflow's own error. */
export function resultOf(handle: WorkflowHandle): Promise<MigrationResult> {
  return handle.result() as Promise<MigrationResult>;
}

/** Waits for the workflow to fail and returns the ApplicationFailure it failed with (asserting that it did). */
export async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const error = await handle.result().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/**
 * With `RECORD_HISTORIES=1` (set by `tools/record-histories.ts`), saves the workflow's history under
 * test/histories/ for the replay test, in the JSON the `temporal` CLI and the UI export (what
 * `Worker.runReplayHistories` reads); otherwise does nothing, so a test run leaves the committed files alone.
 */
export async function saveHistory(env: MigrationTestEnv, handle: WorkflowHandle, name: string): Promise<string | undefined> {
  if (process.env['RECORD_HISTORIES'] !== '1') return undefined;
  const temporal = await resolveTemporalCli();
  const { stdout } = await promisify(execFile)(
    temporal,
    ['workflow', 'show', '--workflow-id', handle.workflowId, '--address', env.temporal.server.address, '--namespace', env.temporal.server.namespace, '--output', 'json'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const dir = path.join(import.meta.dirname, 'histories');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, stdout);
  return file;
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
