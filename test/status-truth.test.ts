/**
 * Issue 19, "Truth in status": what `status`, `watch`, `start`, `cancel` and `cutover` tell an operator when
 * something is wrong or over. One real stack (Temporal dev server, the DCS emulator over real redis-servers) with
 * several migration workers, each on its own task queue and each wrong in one way: a DCS endpoint that refuses
 * connections, wrong AK/SK, payload encryption the CLI has no keys for; one task queue no worker polls; and a
 * healthy worker for runs that end (cut over, cancelled). The CLI runs as an operator runs it (a child process).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { createSecretResolver, type DcsMigrationApi } from '../activities/index.js';
import { cliEnvironment, jsonOf, runCli } from '../client/testing/run-cli.js';
import type { MigrationView } from '../client/migration-view.js';
import { generateKeyRing } from '../codec/codec-keys.js';
import { dataConverterFor, FAILURE_CONVERTER_PATH } from '../codec/data-converter.js';
import { parseMigrationInput, type MigrationInputFile } from '../common/migration-input.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import {
  cutoverUpdate,
  MIGRATION_WORKFLOW_TYPE,
  MigrationFailureType,
  statusQuery,
  type MigrationStatus,
} from '../common/workflow-contract.js';
import { DcsClient } from '../dcs/client.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { seedSampleData } from '../local/sample-data.js';
import { waitFor } from '../local/wait.js';
import { createMigrationWorker, WORKFLOWS_PATH } from '../worker/create-worker.js';
import { expectOutputSchema } from './harness/output-schemas.js';
import { startTemporalTestEnv, type TemporalTestEnv } from './harness/temporal.js';

const SOURCE_PASSWORD = 'truth-src-pw-never-printed';
const TARGET_PASSWORD = 'truth-tgt-pw-never-printed';
const WRONG_SK = 'wrong-secret-key-never-printed-1234';
const PAIRS = ['cut', 'cancel', 'codec'] as const;
type Pair = (typeof PAIRS)[number];

let temporal: TemporalTestEnv;
let emulator: Emulator;
let dir: string;
let cli: NodeJS.ProcessEnv;
let codecClient: Client;
const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
const queue = (name: string) => `truth-${name}-${process.pid}`;
let counter = 0;

function input(pair: Pair, method: 'full' | 'incremental'): MigrationInputFile {
  return {
    kind: 'online',
    source: { instanceId: `${pair}-src`, password: { env: 'TRUTH_SOURCE_PASSWORD' } },
    target: { instanceId: `${pair}-tgt`, password: { env: 'TRUTH_TARGET_PASSWORD' } },
    network: { vpcId: 'vpc-1', subnetId: 'subnet-1', securityGroupId: 'sg-1' },
    method,
    polling: { initialInterval: '200ms', maxInterval: '400ms', progressInterval: '200ms' },
  } as MigrationInputFile;
}

function dcsClient(endpoint: string, sk = emulator.credentials.sk): DcsMigrationApi {
  return DcsClient.fromEnv(
    {},
    {
      endpoint,
      projectId: emulator.credentials.projectId,
      accessKey: emulator.credentials.ak,
      secretKey: sk,
      timeouts: { connectMs: 1_000, headersMs: 3_000, bodyMs: 3_000 },
    },
  );
}

interface WorkerExtra {
  dataConverter?: ReturnType<typeof dataConverterFor>;
  backoff?: { initialMs: number; factor: number; maxMs: number };
}

async function startWorker(
  taskQueue: string,
  dcs: DcsMigrationApi,
  code: string,
  extra: WorkerExtra = {},
): Promise<void> {
  const worker = await createMigrationWorker({
    connection: temporal.env.nativeConnection,
    namespace: temporal.server.namespace,
    taskQueue,
    dcs,
    secrets: createSecretResolver({
      env: { TRUTH_SOURCE_PASSWORD: SOURCE_PASSWORD, TRUTH_TARGET_PASSWORD: TARGET_PASSWORD },
    }),
    backoff: extra.backoff ?? { initialMs: 100, factor: 2, maxMs: 500 },
    shutdownGraceTime: '1s',
    workflowBundle: { code },
    ...(extra.dataConverter ? { dataConverter: extra.dataConverter } : {}),
  });
  workers.push({ worker, running: worker.run() });
}

function start(taskQueue: string, file: MigrationInputFile, client: Client = temporal.client): Promise<WorkflowHandle> {
  const options = buildMigrationStartOptions({
    input: parseMigrationInput(file),
    workflowId: `truth-${process.pid}-${counter++}`,
    taskQueue,
  });
  return client.workflow.start(MIGRATION_WORKFLOW_TYPE, options);
}

async function phaseOf(
  handle: WorkflowHandle,
  client: Client = temporal.client,
): Promise<MigrationStatus['phase'] | undefined> {
  return (
    await client.workflow
      .getHandle(handle.workflowId)
      .query(statusQuery)
      .catch(() => undefined)
  )?.phase;
}

async function waitForPhase(handle: WorkflowHandle, phase: string, client: Client = temporal.client): Promise<void> {
  await waitFor(
    `${handle.workflowId} to reach ${phase}`,
    async () => (await phaseOf(handle, client)) === phase,
    90_000,
    250,
  );
}

async function closed(handle: WorkflowHandle): Promise<void> {
  await waitFor(
    `${handle.workflowId} to close`,
    async () => (await handle.describe()).status.name !== 'RUNNING',
    90_000,
    250,
  );
}

/** Nothing secret in what the CLI printed. */
function expectNoSecrets(...texts: string[]): void {
  for (const text of texts) {
    for (const secret of [SOURCE_PASSWORD, TARGET_PASSWORD, WRONG_SK, emulator.credentials.sk])
      expect(text).not.toContain(secret);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-truth-'));
  const instances = PAIRS.flatMap((pair) => [
    { id: `${pair}-src`, password: SOURCE_PASSWORD },
    { id: `${pair}-tgt`, password: TARGET_PASSWORD },
  ]);
  const [temporalEnv, emu, bundle] = await Promise.all([
    startTemporalTestEnv(),
    startEmulator({ instances, timings: { creatingMs: 200, terminatingMs: 200 } }),
    // One bundle for every worker (webpack once), with the encoding failure converter as production builds it.
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    }),
  ]);
  temporal = temporalEnv;
  emulator = emu;
  for (const pair of PAIRS) await seedSampleData(emulator.instance(`${pair}-src`).endpoint, { keys: 50 });
  // Nothing listens there: every DCS call is ECONNREFUSED.
  const closedPort = await getPort({ host: '127.0.0.1' });
  const ring = generateKeyRing('truth-key');
  const codec = dataConverterFor(ring);
  codecClient = new Client({
    connection: temporal.env.connection,
    namespace: temporal.server.namespace,
    dataConverter: codec,
  });
  await Promise.all([
    startWorker(queue('healthy'), dcsClient(emulator.url), bundle.code),
    // Retries 15 s apart, so a status read falls between two attempts and shows when the next one is due.
    startWorker(queue('down'), dcsClient(`http://127.0.0.1:${closedPort}`), bundle.code, {
      backoff: { initialMs: 15_000, factor: 1, maxMs: 15_000 },
    }),
    startWorker(queue('auth'), dcsClient(emulator.url, WRONG_SK), bundle.code),
    startWorker(queue('codec'), dcsClient(emulator.url), bundle.code, { dataConverter: codec }),
  ]);
  // The CLI's environment: Temporal only (no codec keys, no DCS credentials: those are the worker's).
  cli = cliEnvironment(temporal.server, queue('healthy'));
}, 240_000);

afterAll(async () => {
  for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  await Promise.all(workers.map(({ running }) => running.catch(() => undefined)));
  await emulator?.stop();
  await temporal?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a DCS call Temporal keeps retrying', () => {
  let handle: WorkflowHandle;

  beforeAll(async () => {
    handle = await start(queue('down'), input('cut', 'full'));
    await waitFor(
      'a retried activity',
      async () =>
        ((await handle.describe()).raw.pendingActivities ?? []).some((activity) => (activity.attempt ?? 0) >= 2),
      60_000,
      250,
    );
  });

  afterAll(async () => {
    await handle.terminate('test over').catch(() => undefined);
  });

  it('status names the activity, its attempt, the ECONNREFUSED and the next attempt (text and --json)', async () => {
    await expectSameStatusBothWays(handle.workflowId, (view) => ({
      phase: view.phase,
      pending: view.pendingActivities?.map(({ activity, state, lastFailure }) => ({ activity, state, lastFailure })),
    }));
    const text = await runCli(['status', handle.workflowId], cli);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /retrying\s+findTaskByName attempt \d+ \(scheduled, next attempt at \d{4}-\d\d-\d\dT[^)]*\): .*ECONNREFUSED/,
    );
    const json = jsonOf<MigrationView>(await runCli(['status', handle.workflowId, '--json'], cli));
    expectOutputSchema('status', json);
    const retrying = json.pendingActivities?.find((activity) => activity.attempt >= 2);
    expect(retrying).toBeDefined();
    expect(retrying?.lastFailure).toContain('ECONNREFUSED');
    expect(retrying?.lastFailure).not.toContain('\n');
  });

  it('watch says it is retrying', async () => {
    const watching = runCli(['watch', handle.workflowId, '--interval', '300'], cli);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await handle.terminate('watch test over');
    const watch = await watching;
    expect(watch.stdout).toMatch(/retrying \w+ attempt \d+ .*ECONNREFUSED/);
  });
});

describe('a cutover rejected', () => {
  it('is a non-retryable CutoverRejected failure, and dcs-migrate cutover shows the reason', async () => {
    const handle = await start(queue('down'), input('cut', 'full'));
    try {
      await waitForPhase(handle, 'creating');
      const error = await handle.executeUpdate(cutoverUpdate, { args: [{}] }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (error as WorkflowUpdateFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe(MigrationFailureType.CutoverRejected);
      expect((cause as ApplicationFailure).nonRetryable).toBe(true);
      const run = await runCli(['cutover', handle.workflowId], cli);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        'cutover rejected: cutover is only possible in the incremental hold; the migration is creating',
      );
    } finally {
      await handle.terminate('test over').catch(() => undefined);
    }
  });
});

describe('wrong AK/SK on the worker', () => {
  it('status says the worker credentials are wrong in one line and keeps the canonical request for --verbose', async () => {
    const handle = await start(queue('auth'), input('cut', 'full'));
    await closed(handle);
    const run = await runCli(['status', handle.workflowId], cli);
    expect(run.code).toBe(4);
    expect(run.stdout).not.toMatch(/canonicalRequest/);
    expect(
      run.stdout.split('\n').filter((line) => line.includes('Incorrect IAM authentication information')),
    ).toHaveLength(1);
    const hints = run.stdout.split('\n').filter((line) => line.includes('HUAWEICLOUD_SDK_AK'));
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatch(/worker's DCS credentials were refused.*HUAWEICLOUD_SDK_SK.*DCS_PROJECT_ID/);
    expect(run.stdout.split('\n').length).toBeLessThan(16);
    const json = jsonOf<MigrationView>(await runCli(['status', handle.workflowId, '--json'], cli));
    expectOutputSchema('status', json);
    expect(json.hint).toContain('HUAWEICLOUD_SDK_AK');
    expect(json.failure).not.toContain('canonicalRequest');
    const verbose = await runCli(['status', handle.workflowId, '--verbose'], cli);
    expect(verbose.stdout).toContain('canonicalRequest:');
    expectNoSecrets(run.stdout, run.stderr, verbose.stdout, JSON.stringify(json));
  });
});

describe('no status answer', () => {
  it('without the codec keys, status names DCS_MIGRATE_CODEC_KEY_FILE / DCS_MIGRATE_CODEC_KEYS, not the worker', async () => {
    const handle = await start(queue('codec'), input('codec', 'incremental'), codecClient);
    try {
      await waitFor(
        'the codec worker to answer',
        async () => (await phaseOf(handle, codecClient)) !== undefined,
        60_000,
        250,
      );
      const run = await runCli(['status', handle.workflowId], cli);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/cannot decrypt the answer: .*encrypted \(key id "truth-key"\)/);
      expect(run.stdout).toContain('DCS_MIGRATE_CODEC_KEY_FILE');
      expect(run.stdout).toContain('DCS_MIGRATE_CODEC_KEYS');
      expect(run.stdout).not.toContain('no worker');
      await expectSameStatusBothWays(handle.workflowId, (view) => ({ statusUnavailable: view.statusUnavailable }));
    } finally {
      await codecClient.workflow
        .getHandle(handle.workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
  });

  it('on a task queue no worker polls, status says so and names the task queue', async () => {
    const nobody = queue('nobody');
    const handle = await start(nobody, input('cut', 'full'));
    try {
      const run = await runCli(['status', handle.workflowId], cli);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`no worker polls task queue "${nobody}"`);
      const json = jsonOf<MigrationView>(await runCli(['status', handle.workflowId, '--json'], cli));
      expectOutputSchema('status', json);
      expect(json.taskQueue).toBe(nobody);
      expect(json.statusUnavailable).toContain(`no worker polls task queue "${nobody}"`);
      await expectSameStatusBothWays(handle.workflowId, (view) => ({
        taskQueue: view.taskQueue,
        statusUnavailable: view.statusUnavailable,
      }));
    } finally {
      await handle.terminate('test over').catch(() => undefined);
    }
  });
});

describe('a run that ends', () => {
  it('watch hints the cutover once in the hold; the cut-over run shows its progress as of before the stop', async () => {
    const handle = await start(queue('healthy'), input('cut', 'incremental'));
    const watching = runCli(['watch', handle.workflowId, '--interval', '300'], cli);
    await waitForPhase(handle, 'incremental-hold');
    // Several refreshes in the hold: the hint must still be printed once.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'truth test' }] });
    const watch = await watching;
    expect(watch.code, watch.stderr).toBe(0);
    const hints = watch.stdout
      .split('\n')
      .filter((line) => line.includes(`cut over with: dcs-migrate cutover ${handle.workflowId}`));
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatch(/^(in sync|holding)/);
    expect(watch.stdout).toMatch(/progress as of \d{4}-.*, before the task stopped/);

    const status = await runCli(['status', handle.workflowId], cli);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toContain('not yet applied');
    expect(status.stdout).toMatch(/progress\s+as of \d{4}-\d\d-\d\dT\S+, before the task stopped: .*offset \d+/);
    const json = jsonOf<MigrationView>(await runCli(['status', handle.workflowId, '--json'], cli));
    expectOutputSchema('status', json);
    expect(json.result?.progressReadAt).toBeDefined();
    expect(Date.parse(json.result!.progressReadAt!)).toBeLessThanOrEqual(
      Date.parse(json.result!.timings.stopRequestedAt!),
    );
    // A closed run reads the same, whole, through the HTTP API and through the SDK.
    await expectSameStatusBothWays(handle.workflowId, (view) => view);

    // Its id cannot be used again, and start says how the first one ended.
    const file = path.join(dir, 'again.yaml');
    await writeFile(file, toYaml(input('cut', 'incremental')));
    const again = await runCli(['start', '--file', file, '--id', handle.workflowId], cli);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      new RegExp(`"${handle.workflowId}" already exists and ended completed at \\d{4}-.*; ids are never reused`),
    );
  });

  it('a duplicate --id of a running migration says it still runs and in which phase', async () => {
    const handle = await start(queue('down'), input('cut', 'full'));
    try {
      await waitForPhase(handle, 'creating');
      const file = path.join(dir, 'dup.yaml');
      await writeFile(file, toYaml(input('cut', 'full')));
      const again = await runCli(['start', '--file', file, '--id', handle.workflowId], cli);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already exists and is running \(phase creating.*; ids are never reused/);
    } finally {
      await handle.terminate('test over').catch(() => undefined);
    }
  });

  it('a cancel says its reason and what happened to the task, in cancel, watch and status', async () => {
    const handle = await start(queue('healthy'), input('cancel', 'incremental'));
    await waitForPhase(handle, 'incremental-hold');
    const taskId = (await handle.query(statusQuery)).taskId;
    const cancel = await runCli(['cancel', handle.workflowId, '--delete', '--reason', 'rehearsal over'], cli);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain('reason "rehearsal over"');
    expect(cancel.stdout).toContain('stopped, then deleted');
    await closed(handle);
    const watch = await runCli(['watch', handle.workflowId], cli);
    expect(watch.code).toBe(4);
    expect(watch.stdout).toContain(`cancel: reason "rehearsal over"; remote task ${taskId} stopped and deleted`);
    const status = await runCli(['status', handle.workflowId], cli);
    expect(status.stdout).toMatch(
      new RegExp(`cancel\\s+requested: reason "rehearsal over"; remote task ${taskId} stopped and deleted`),
    );
    expect(status.stdout).not.toContain('not yet applied');
  });
});

/**
 * `status --json` through Temporal's HTTP API (the CLI's environment names it) and through the SDK (the variable
 * unset) give the same view, `pick` choosing what cannot change between two reads. The HTTP read is also run with
 * TEMPORAL_ADDRESS on a closed port: it answers only if it really did not go through gRPC.
 */
async function expectSameStatusBothWays(workflowId: string, pick: (view: MigrationView) => unknown): Promise<void> {
  expect(cli.DCS_MIGRATE_TEMPORAL_HTTP, 'the CLI environment names the HTTP API').toMatch(
    /^http:\/\/127\.0\.0\.1:\d+$/,
  );
  const { DCS_MIGRATE_TEMPORAL_HTTP: _http, ...sdkOnly } = cli;
  const noGrpc = { ...cli, TEMPORAL_ADDRESS: `127.0.0.1:${await getPort({ host: '127.0.0.1' })}` };
  // `ui` is derived from TEMPORAL_ADDRESS, which differs on purpose.
  const read = async (env: NodeJS.ProcessEnv) => {
    const json = jsonOf<MigrationView & { ui?: unknown }>(await runCli(['status', workflowId, '--json'], env));
    expectOutputSchema('status', json);
    const { ui: _ui, ...view } = json;
    return view;
  };
  expect(pick(await read(noGrpc))).toEqual(pick(await read(sdkOnly)));
}
