/**
 * The stack one chaos scenario runs on, every part a real process or server: a Temporal dev server (optionally on a
 * SQLite file, so it can be killed and restarted on the same address with the same data), the DCS emulator with a
 * `source` and a `target` instance (real redis-servers, the source seeded), and `dcs-migrate worker` child
 * processes — what the scenarios kill -9 — running a prebuilt workflow bundle so a restart takes a second or two.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { cliEnvironment, startCliWorker, type CliWorker } from '../../client/testing/run-cli.js';
import { parseMigrationInput, type MigrationInputFile } from '../../common/migration-input.js';
import type { RateLimit } from '../../common/rate-limit.js';
import { buildMigrationStartOptions } from '../../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE } from '../../common/workflow-contract.js';
import type { DataPlaneSettings } from '../../emulator/data-plane/index.js';
import {
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type EmulatorTaskSummary,
  type EmulatorTimings,
  type RequestLogEntry,
} from '../../emulator/index.js';
import { seedSampleData } from '../../local/sample-data.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../local/temporal-dev-server.js';
import { waitFor } from '../../local/wait.js';
import { emulatorDcsEnvironment } from '../../stack/dcs-for-emulator.js';
import { onlineInput } from '../../test/harness/stack.js';
import { deriveTaskName } from '../../workflows/task-name.js';

export const SOURCE_PASSWORD = 'chaos-source-pw-5d1e';
export const TARGET_PASSWORD = 'chaos-target-pw-a93c';

/** Builds the workflow bundle once (webpack takes seconds); every worker of the suite loads it. */
export { buildWorkflowBundle } from '../harness/workflow-bundle.js';

export interface ChaosStackOptions {
  /** Scenario name: labels the task queue and the temp dir. */
  name: string;
  workflowBundle: string;
  /** Dev server on a SQLite file, restartable with {@link ChaosStack.restartServer}. */
  persistent?: boolean;
  timings?: Partial<EmulatorTimings>;
  dataPlane?: DataPlaneSettings;
  /** Keys seeded into the `source` instance (0: none). */
  sourceKeys: number;
  seed: number;
  /** Extra environment for the workers (e.g. passwords of a self-hosted source). */
  workerEnv?: Record<string, string>;
  /** The emulator's per-tenant API rate limit (none by default). */
  rateLimit?: RateLimit;
  /** Requests the emulator's log keeps (default 10,000): scenarios counting calls raise it. */
  requestLogCapacity?: number;
  /** The emulator on a data dir, restartable with {@link ChaosStack.restartEmulator}. */
  persistentEmulator?: boolean;
  /** More target instances (with the target's password), e.g. for a plan's items. */
  extraTargets?: string[];
}

export interface ChaosStack {
  readonly dir: string;
  /** The emulator running now (another object after {@link ChaosStack.restartEmulator}). */
  readonly emu: Emulator;
  readonly client: Client;
  readonly taskQueue: string;
  server(): TemporalDevServer;
  /** Starts one more `dcs-migrate worker` child on the task queue (each incarnation logs to its own file). */
  startWorker(label: string): Promise<CliWorker>;
  /** Stops the dev server (SIGTERM, or SIGKILL as a crash), keeps it down `downMs`, restarts it on the same port and file. */
  restartServer(how: 'SIGTERM' | 'SIGKILL', downMs: number): Promise<{ restartMs: number }>;
  /**
   * Stops the emulator, keeps it down `downMs`, starts it again on the same port, data dir and credentials (its
   * tasks and instances come back; faults and the request log do not). Returns the requests the stopped one logged.
   */
  restartEmulator(downMs: number): Promise<{ restartMs: number; requests: RequestLogEntry[] }>;
  start(input: MigrationInputFile, workflowId: string): Promise<WorkflowHandle>;
  /** Remote tasks in the emulator carrying this migration's task name. */
  remoteTasksOf(workflowId: string): EmulatorTaskSummary[];
  teardown(): Promise<void>;
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `dcs-chaos-${options.name}-`));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  const teardown = async () => {
    while (cleanups.length > 0)
      await cleanups.pop()!().catch((error: unknown) => console.error(`chaos teardown: ${String(error)}`));
  };
  try {
    const dbFile = options.persistent ? path.join(dir, 'temporal.db') : undefined;
    let server = await startTemporalDevServer({ logDir: dir, ...(dbFile ? { dbFile } : {}) });
    cleanups.push(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: server.namespace });
    const emulatorOptions: EmulatorOptions = {
      instances: [
        { id: 'source', password: SOURCE_PASSWORD },
        { id: 'target', password: TARGET_PASSWORD },
        ...(options.extraTargets ?? []).map((id) => ({ id, password: TARGET_PASSWORD })),
      ],
      timings: { creatingMs: 1_000, terminatingMs: 500, ...options.timings },
      seed: options.seed,
      ...(options.dataPlane ? { dataPlane: options.dataPlane } : {}),
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      ...(options.requestLogCapacity ? { requestLogCapacity: options.requestLogCapacity } : {}),
      ...(options.persistentEmulator ? { dataDir: path.join(dir, 'emulator') } : {}),
      // A dropped connection mid-answer is expected here; say it once per error, not with a stack.
      onInternalError: (error) =>
        console.error(`chaos emulator: ${error instanceof Error ? error.message : String(error)}`),
    };
    let emu = await startEmulator(emulatorOptions);
    cleanups.push(() => emu.stop());
    if (options.sourceKeys > 0)
      await seedSampleData(emu.instance('source').endpoint, {
        keys: options.sourceKeys,
        dbs: [0, 1],
        seed: options.seed,
      });

    const taskQueue = `chaos-${options.name}-${process.pid}-${Date.now()}`;
    const workerEnv = (): NodeJS.ProcessEnv =>
      cliEnvironment(server, taskQueue, {
        DCS_MIGRATE_WORKFLOW_BUNDLE: options.workflowBundle,
        SOURCE_REDIS_PASSWORD: SOURCE_PASSWORD,
        TARGET_REDIS_PASSWORD: TARGET_PASSWORD,
        ...emulatorDcsEnvironment(emu),
        ...options.workerEnv,
      });
    let incarnation = 0;
    return {
      dir,
      get emu() {
        return emu;
      },
      client,
      taskQueue,
      server: () => server,
      async startWorker(label) {
        const logFile = path.join(dir, `worker-${label}-${++incarnation}.log`);
        // A short grace: teardown should not wait 30 s for a poll in flight.
        const worker = await startCliWorker(['--shutdown-grace', '2s'], workerEnv(), logFile);
        cleanups.push(() => worker.stop());
        return worker;
      },
      async restartServer(how, downMs) {
        if (!dbFile) throw new Error('restartServer needs a persistent stack');
        const { port } = server;
        if (how === 'SIGKILL') await server.kill();
        else await server.process.stop(10_000);
        await sleep(downMs);
        const started = Date.now();
        server = await startTemporalDevServer({ logDir: dir, dbFile, port });
        return { restartMs: Date.now() - started };
      },
      async restartEmulator(downMs) {
        if (!options.persistentEmulator) throw new Error('restartEmulator needs a persistent emulator');
        const requests = emu.requests();
        const { port, credentials, iamUser } = emu;
        await emu.stop();
        await sleep(downMs);
        const started = Date.now();
        emu = await startEmulator({ ...emulatorOptions, port, credentials, iamUser });
        return { restartMs: Date.now() - started, requests };
      },
      start: (input, workflowId) =>
        client.workflow.start(
          MIGRATION_WORKFLOW_TYPE,
          buildMigrationStartOptions({ input: parseMigrationInput(input), workflowId, taskQueue }),
        ),
      remoteTasksOf: (workflowId) => {
        const name = deriveTaskName(workflowId);
        return emu.tasks().filter((task) => task.name === name);
      },
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}

/** Input of an online migration from the emulator's `source` to its `target` instance. */
export function chaosInput(method: 'full' | 'incremental', extra: Record<string, unknown> = {}): MigrationInputFile {
  return onlineInput(method, {
    // Quick polls (a second at most) so recovery shows within the scenario; pollsPerRun high enough that no run
    // continues as new, so one history holds the whole migration for the recovery analysis.
    polling: { initialInterval: 200, maxInterval: 1_000, backoffFactor: 1.5, pollsPerRun: 2_000 },
    ...(method === 'incremental' ? { hold: { maxDuration: '3s' } } : {}),
    ...extra,
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until true; false (never a throw) when `timeoutMs` passes first, so a scenario reports instead of hanging. */
export function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  return waitFor('a chaos condition', check, timeoutMs, intervalMs).then(
    () => true,
    () => false,
  );
}
