/**
 * What the workflow tests share, over the test stack (test/harness/stack.ts): a real Temporal dev server, the real
 * DCS emulator with a source and a target instance (real redis-servers), the real DCS client pointed at it, and a
 * migration worker from the production factory. Timings are shortened (emulator status machine, poll intervals,
 * retry backoff), nothing else.
 */
import { execFile } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { DcsMigrationApi, SharedStatusWatcher } from '../activities/index.js';
import type { MigrationInputFile } from '../common/migration-input.js';
import type { MigrationResult } from '../common/workflow-contract.js';
import type { Emulator, EmulatorOptions } from '../emulator/index.js';
import { resolveTemporalCli } from '../local/tools.js';
import {
  DEFAULT_PAIR,
  onlineInput as stackOnlineInput,
  passwordEnv,
  startTestStack,
  type RunningWorker,
} from './harness/stack.js';
import type { TemporalTestEnv } from './harness/temporal.js';

export { failureOf } from './harness/workflow-failure.js';

export const SOURCE_PASSWORD = DEFAULT_PAIR.source.password;
export const TARGET_PASSWORD = DEFAULT_PAIR.target.password;
/** Passwords reach the worker as environment variables; the inputs only name them. */
export const PASSWORD_ENV = passwordEnv();

/** Poll settings for tests: quick, with a small cap so tests never wait long. */
export const FAST_POLLING = { initialInterval: 100, maxInterval: 400, backoffFactor: 1.5 };

export type { RunningWorker };

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
  /** The environment of a CLI child on this env (Temporal, task queue, the emulator's DCS settings). */
  cliEnv(): NodeJS.ProcessEnv;
  teardown(): Promise<void>;
}

export interface MigrationTestEnvOptions {
  /** Emulator status machine delays; short by default. */
  timings?: { creatingMs?: number; terminatingMs?: number };
  /** Seed of the emulator's probabilistic faults. */
  seed?: number;
  /** Emulator instances besides the default pair. */
  extraInstances?: EmulatorOptions['instances'];
  /** Variables the workers resolve password references from, besides the default pair's. */
  workerEnv?: Record<string, string>;
}

/** The test stack (test/harness/stack.ts) with Temporal, the default instance pair and in-process workers. */
export async function startMigrationTestEnv(options: MigrationTestEnvOptions = {}): Promise<MigrationTestEnv> {
  const stack = await startTestStack({
    name: 'migration-test',
    emulator: { timings: { creatingMs: 300, terminatingMs: 200, ...options.timings }, seed: options.seed ?? 7 },
    ...(options.extraInstances ? { extraInstances: options.extraInstances } : {}),
  });
  const workerEnv = { ...passwordEnv(), ...options.workerEnv };
  const dcs = stack.dcsClient();
  return {
    temporal: stack.temporal,
    emu: stack.emu,
    taskQueue: stack.taskQueue,
    dcs,
    dcsClient: (credentials) => stack.dcsClient(credentials),
    startWorker: (workerOptions = {}) =>
      stack.startWorker({
        dcs: workerOptions.dcs ?? dcs,
        env: workerEnv,
        ...(workerOptions.statusWatcher ? { statusWatcher: workerOptions.statusWatcher } : {}),
      }),
    start: (input, workflowId) => stack.start(input, workflowId),
    cliEnv: () => stack.cliEnv(options.workerEnv),
    teardown: () => stack.teardown(),
  };
}

/** The env and one running worker, as most workflow test files start (teardown stops the worker too). */
export async function startMigrationTestEnvWithWorker(
  options: MigrationTestEnvOptions = {},
): Promise<{ env: MigrationTestEnv; worker: RunningWorker }> {
  const env = await startMigrationTestEnv(options);
  try {
    return { env, worker: await env.startWorker() };
  } catch (error) {
    await env.teardown();
    throw error;
  }
}

/** Input of an online migration between the emulator's `source` and `target` instances. */
export function onlineInput(
  method: 'full' | 'incremental',
  extra: Partial<Record<string, unknown>> = {},
): MigrationInputFile {
  return stackOnlineInput(method, { polling: FAST_POLLING, ...extra });
}

/** Waits for the workflow result, failing the test with the workflow's own error. */
export function resultOf(handle: WorkflowHandle): Promise<MigrationResult> {
  return handle.result() as Promise<MigrationResult>;
}

/**
 * With `RECORD_HISTORIES=1` (set by `tools/record-histories.ts`), saves the workflow's history under
 * test/histories/ for the replay test, in the JSON the `temporal` CLI and the UI export (what
 * `Worker.runReplayHistories` reads); otherwise does nothing, so a test run leaves the committed files alone.
 */
export async function saveHistory(
  env: Pick<MigrationTestEnv, 'temporal'>,
  handle: WorkflowHandle,
  name: string,
): Promise<string | undefined> {
  if (process.env['RECORD_HISTORIES'] !== '1') return undefined;
  const temporal = await resolveTemporalCli();
  const { stdout } = await promisify(execFile)(
    temporal,
    [
      'workflow',
      'show',
      '--workflow-id',
      handle.workflowId,
      '--address',
      env.temporal.server.address,
      '--namespace',
      env.temporal.server.namespace,
      '--output',
      'json',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const dir = path.join(import.meta.dirname, 'histories');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, stdout);
  return file;
}
