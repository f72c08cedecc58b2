/**
 * The bad-input corpus (issue 7), against a real Temporal dev server:
 * - every case of `test/bad-input/cases.ts` (malformed migration files, malformed invocations) must exit 2 (unless
 *   the case says otherwise), name the bad field or flag on stderr, print no stack trace and echo no planted
 *   password; afterwards visibility must show that no migration workflow was started. Invocations run as
 *   `node bin/dcs-migrate.js …` in a child process. The `start --file` cases run in this process through the CLI's
 *   own loader and error printer (a process start costs ~0.7 s of CPU, the loader a millisecond), and a handful of
 *   them also through the binary, which proves the two paths print the same;
 * - malformed inputs sent straight to Temporal (no CLI) must fail the workflow on its first workflow task:
 *   non-retryable `InvalidMigrationInput` naming the field, no activity scheduled, no password in the failure.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSecretResolver } from '../activities/index.js';
import { exitCodeFor, printError } from '../client/exit-codes.js';
import { loadMigrationFile } from '../client/migration-file.js';
import { cliEnvironment, runCli, type CliRun } from '../client/testing/run-cli.js';
import { parseMigrationInput } from '../common/migration-input.js';
import { MIGRATION_WORKFLOW_TYPE, MigrationFailureType } from '../common/workflow-contract.js';
import { DcsClient } from '../dcs/client.js';
import { projectRoot } from '../local/tools.js';
import { waitFor } from '../local/wait.js';
import { createMigrationWorker } from '../worker/create-worker.js';
import { ALL_CASES, CLI_CASES, FILE_CASES, SECRETS, type BadInputCase } from './bad-input/cases.js';
import { startTemporalTestEnv, type TemporalTestEnv } from './harness/temporal.js';

/** Cases run this many at a time (each is a Node process start, ~0.7 s of CPU). */
const CONCURRENCY = 4;
/** A case that hangs (e.g. a worker or emulator that accepted its flags and kept running) fails after this. */
const CASE_TIMEOUT_MS = 30_000;
const GOOD_FILE = path.join(projectRoot, 'examples', 'online-full.yaml');
/** A stack frame (`    at fn (file.ts:12:3)`), or a line starting with an error class name. */
const STACK_TRACE = /^\s+at .*:\d+:\d+\)?$|^(?:[A-Z]\w*)?Error\b|node:internal/m;

// The workflows of the last part fail on purpose: keep the worker's "Workflow failed" warnings out of the report.
Runtime.install({ logger: new DefaultLogger('ERROR') });

let temporal: TemporalTestEnv;
let dir: string;
let env: NodeJS.ProcessEnv;
const taskQueue = `bad-input-${process.pid}`;
const results = new Map<string, CliRun>();

function migrationsStarted(): Promise<number> {
  return temporal.client.workflow.count(`WorkflowType = "${MIGRATION_WORKFLOW_TYPE}"`).then((answer) => answer.count);
}

/** The case's command line with its placeholders filled in (writing its generated file, if any). */
async function argsOf(testCase: BadInputCase, index: number): Promise<string[]> {
  let file: string | undefined;
  if (testCase.fixture) file = path.join(import.meta.dirname, 'bad-input', 'files', testCase.fixture);
  if (testCase.content) {
    file = path.join(dir, `case-${index}.yaml`);
    await writeFile(file, testCase.content());
  }
  const values: Record<string, string | undefined> = {
    file,
    good: GOOD_FILE,
    dir,
    missing: path.join(dir, 'no-such-dir', 'missing.yaml'),
  };
  return testCase.args.map((arg) =>
    arg.replace(/\{(file|good|dir|missing)\}/g, (_, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`case "${testCase.name}" uses {${key}} but has no file`);
      return value;
    }),
  );
}

/** The `start --file` cases: what the CLI does before it contacts anything, so they can run in this process. */
const START_FILE_ARGS = 'start --file {file}';
const isStartFileCase = (testCase: BadInputCase): boolean => testCase.args.join(' ') === START_FILE_ARGS;
/** `start --file` cases that also run through the binary: YAML, JSON, a generated binary file, a syntax error. */
const THROUGH_BINARY_TOO = new Set([
  'file missing-target.yaml',
  'file backup-import-empty-files.json',
  'file alias-bomb.yaml',
]);

/**
 * `dcs-migrate start --file <file>` up to where it would contact Temporal: the CLI's loader, and on a refusal its
 * error printer and exit code, as `client/cli.ts` applies them. A file the loader accepts is a failure of the case
 * (exit 0 here, where the binary would go on to start a migration).
 */
async function startFileInProcess(file: string): Promise<CliRun> {
  const printed: string[] = [];
  const spy = vi
    .spyOn(console, 'error')
    .mockImplementation((...parts: unknown[]) => void printed.push(`${parts.join(' ')}\n`));
  try {
    await loadMigrationFile(file);
    return { code: 0, stdout: '', stderr: '' };
  } catch (error) {
    printError(error);
    return { code: exitCodeFor(error), stdout: '', stderr: printed.join('') };
  } finally {
    spy.mockRestore();
  }
}

/** Runs `items` through `fn`, at most `limit` at a time. */
async function inPool<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-bad-input-'));
  temporal = await startTemporalTestEnv();
  env = cliEnvironment(temporal.server, taskQueue, {
    // Nothing listens there: a case that got as far as calling DCS would fail, not reach a real cloud.
    DCS_ENDPOINT: 'http://127.0.0.1:9',
    DCS_PROJECT_ID: 'bad-input-project',
    HUAWEICLOUD_SDK_AK: 'bad-input-ak',
    HUAWEICLOUD_SDK_SK: 'bad-input-sk',
    SOURCE_REDIS_PASSWORD: 'source-password-from-env',
    TARGET_REDIS_PASSWORD: 'target-password-from-env',
  });
});

afterAll(async () => {
  await temporal?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bad-input corpus through the CLI', () => {
  beforeAll(async () => {
    // The "only the flag is wrong" cases need a file that is itself valid.
    parseMigrationInput((await import('yaml')).parse(await readFile(GOOD_FILE, 'utf8')));
    const started = Date.now();
    const inProcess = ALL_CASES.filter(isStartFileCase);
    for (const testCase of inProcess) {
      const args = await argsOf(testCase, ALL_CASES.indexOf(testCase));
      results.set(testCase.name, await startFileInProcess(args[2]!));
    }
    const binary = ALL_CASES.filter((testCase) => !isStartFileCase(testCase) || THROUGH_BINARY_TOO.has(testCase.name));
    await inPool(binary, CONCURRENCY, async (testCase) => {
      const run = await runCli(await argsOf(testCase, ALL_CASES.indexOf(testCase)), env, CASE_TIMEOUT_MS);
      const loaded = results.get(testCase.name);
      // The same refusal either way: the in-process path is only worth having while it prints what the binary does.
      if (loaded)
        expect({ code: run.code, stderr: run.stderr }, testCase.name).toEqual({
          code: loaded.code,
          stderr: loaded.stderr,
        });
      results.set(testCase.name, run);
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `bad-input corpus: ${FILE_CASES.length} file cases, ${CLI_CASES.length} invocation cases in ${seconds} s ` +
        `(${inProcess.length} in this process, ${binary.length} through the binary)`,
    );
  }, 240_000);

  it('has at least 40 cases, each with a unique name, and runs the chosen few through the binary too', () => {
    expect(ALL_CASES.length).toBeGreaterThanOrEqual(40);
    for (const name of THROUGH_BINARY_TOO)
      expect(
        ALL_CASES.find((c) => c.name === name && isStartFileCase(c)),
        name,
      ).toBeDefined();
    expect(new Set(ALL_CASES.map((c) => c.name)).size).toBe(ALL_CASES.length);
  });

  it.each(ALL_CASES.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    const run = results.get(testCase.name);
    if (!run) throw new Error(`case "${testCase.name}" did not run`);
    const shown = `exit ${run.code}\nstdout:\n${run.stdout.slice(0, 2000)}\nstderr:\n${run.stderr.slice(0, 2000)}`;
    expect(run.code, shown).toBe(testCase.expectCode ?? 2);
    expect(run.stderr, shown).toMatch(testCase.expectStderr);
    expect(run.stderr, shown).not.toMatch(STACK_TRACE);
    expect(run.stdout, shown).not.toMatch(/started migration/);
    for (const secret of SECRETS) {
      expect(run.stdout, `stdout echoes ${secret}`).not.toContain(secret);
      expect(run.stderr, `stderr echoes ${secret}`).not.toContain(secret);
    }
    // Errors stay short: a huge or binary file is not echoed back.
    expect(run.stderr.length, shown).toBeLessThan(8_000);
  });

  it('started no migration workflow', async () => {
    // Visibility is eventually consistent: once a probe started after every case is visible, a migration
    // started by any case would be visible too.
    const probe = await temporal.client.workflow.start('badInputVisibilityProbe', {
      taskQueue: `${taskQueue}-probe`,
      workflowId: `visibility-probe-${process.pid}`,
    });
    try {
      await waitFor(
        'the visibility probe to be listed',
        async () => (await temporal.client.workflow.count('WorkflowType = "badInputVisibilityProbe"')).count === 1,
        15_000,
        100,
      );
      expect(await migrationsStarted()).toBe(0);
    } finally {
      await probe.terminate('visibility probe done');
    }
  });
});

describe('malformed input sent straight to Temporal', () => {
  const LITERAL = SECRETS[0];
  const online = {
    kind: 'online',
    source: { instanceId: 'dcs-source', password: { env: 'SOURCE_REDIS_PASSWORD' } },
    target: { instanceId: 'dcs-target' },
    network: { vpcId: 'vpc-1', subnetId: 'subnet-1', securityGroupId: 'sg-1' },
    method: 'full',
  };
  const { target: _target, ...withoutTarget } = online;
  const inputs: Array<[string, unknown, string]> = [
    ['missing target', withoutTarget, 'target'],
    ['bad polling duration', { ...online, polling: { initialInterval: 'soon' } }, 'polling.initialInterval'],
    ['literal password', { ...online, source: { instanceId: 'dcs-source', password: LITERAL } }, 'source.password'],
    ['wrong kind', { ...online, kind: 'teleport' }, 'kind'],
    ['port out of range', { ...online, source: { addrs: 'redis-host:99999' } }, 'source.addrs'],
    ['hold on a full migration', { ...online, hold: { maxDuration: '1h' } }, 'hold'],
    ['not an object', 'online', '(input)'],
  ];
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    worker = await createMigrationWorker({
      connection: temporal.env.nativeConnection,
      namespace: temporal.server.namespace,
      taskQueue,
      // Nothing listens there: the workflow must fail before any DCS call.
      dcs: DcsClient.fromEnv({}, { endpoint: 'http://127.0.0.1:9', projectId: 'p', accessKey: 'ak', secretKey: 'sk' }),
      secrets: createSecretResolver({ env: {} }),
      shutdownGraceTime: '1s',
    });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
  });

  it.each(inputs)('%s: fails at once, non-retryable, naming %s', async (name, input, field) => {
    const workflowId = `bad-input-direct-${name.replace(/\W+/g, '-')}-${process.pid}`;
    const started = Date.now();
    const handle = await temporal.client.workflow.start(MIGRATION_WORKFLOW_TYPE, {
      args: [input],
      taskQueue,
      workflowId,
    });
    const error = await handle.result().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    const app = failure as ApplicationFailure;
    expect(app.type).toBe(MigrationFailureType.InvalidInput);
    expect(app.nonRetryable).toBe(true);
    expect(app.message).toContain(`${field}: `);
    const problems = (app.details?.[0] as { problems?: Array<{ field: string }> } | undefined)?.problems ?? [];
    expect(problems.map((p) => p.field)).toContain(field);
    expect(JSON.stringify({ message: app.message, details: app.details })).not.toContain(LITERAL);

    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
    expect(events.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toHaveLength(0);
    expect(events.at(-1)?.workflowExecutionFailedEventAttributes).toBeTruthy();
  });
});
