/**
 * Every CLI command, run as an operator runs it (`node bin/dcs-migrate.js …` in a child process) against a real
 * Temporal dev server, the DCS emulator (real redis-servers) and a real worker started with `dcs-migrate worker`.
 * Bad files and bad arguments must give a clear error, exit 2, and start nothing (checked with visibility).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { jsonOf, runCli, type CliWorker } from '../client/testing/run-cli.js';
import type { MigrationJson } from '../client/json-output.js';
import type { MigrationInputFile } from '../common/migration-input.js';
import { MIGRATION_WORKFLOW_TYPE, statusQuery } from '../common/workflow-contract.js';
import type { Emulator } from '../emulator/index.js';
import { waitFor } from '../local/wait.js';
import { compareRedis } from '../verify/compare.js';
import { expectOutputSchema } from './harness/output-schemas.js';
import { buildWorkflowBundle } from './harness/workflow-bundle.js';
import { onlineInput as stackOnlineInput, startTestStack, instancePair, type TestStack } from './harness/stack.js';
import type { TemporalTestEnv } from './harness/temporal.js';
import { bundleEncodesFailures } from '../codec/data-converter.js';

const SOURCE_PASSWORD = 'src-Pa55-never-printed';
const TARGET_PASSWORD = 'tgt-Pa55-never-printed';
const PAIR = instancePair(
  ['src', 'tgt'],
  [SOURCE_PASSWORD, TARGET_PASSWORD],
  ['CLI_TEST_SOURCE_PASSWORD', 'CLI_TEST_TARGET_PASSWORD'],
);

let stack: TestStack;
let temporal: TemporalTestEnv;
let emulator: Emulator;
let worker: CliWorker;
let dir: string;
let env: NodeJS.ProcessEnv;
let metricsPort: number;
let taskQueue: string;

function onlineInput(method: 'full' | 'incremental'): MigrationInputFile {
  return stackOnlineInput(method, { polling: { initialInterval: '300ms', maxInterval: '600ms' } }, PAIR);
}

async function writeInput(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : toYaml(content));
  return file;
}

async function migrationsStarted(): Promise<number> {
  return (await temporal.client.workflow.count(`WorkflowType = "${MIGRATION_WORKFLOW_TYPE}"`)).count;
}

/** Waits through the Temporal client (not the CLI: each CLI run is a Node start). */
async function waitForPhase(id: string, phase: string): Promise<void> {
  await waitFor(
    `${id} to reach ${phase}`,
    async () => (await temporal.client.workflow.getHandle(id).query(statusQuery)).phase === phase,
    60_000,
    250,
  );
}

beforeAll(async () => {
  stack = await startTestStack({
    name: 'cli',
    pair: PAIR,
    emulator: { timings: { creatingMs: 200, terminatingMs: 200 } },
    sourceKeys: 300,
  });
  ({ temporal, emu: emulator, dir, taskQueue } = stack);
  metricsPort = await getPort({ host: '127.0.0.1' });
  env = stack.cliEnv({ DCS_MIGRATE_UI_URL: 'http://ui.example:8080' });
  // The worker runs on a prebuilt workflow bundle, as the Docker image's does.
  const bundle = await buildWorkflowBundle(dir);
  // With the codec on, failure messages are encrypted only if the bundle carries the failure converter.
  expect(bundleEncodesFailures(await readFile(bundle, 'utf8'))).toBe(true);
  env.DCS_MIGRATE_WORKFLOW_BUNDLE = bundle;
  worker = await stack.startCliWorker(
    ['--metrics-port', String(metricsPort), '--metrics-host', '127.0.0.1', '--shutdown-grace', '5s'],
    env,
  );
});

afterAll(async () => {
  await stack?.teardown();
});

describe('dcs-migrate start: bad input starts nothing', () => {
  it('refuses a file with bad fields, naming each, with exit 2 and no workflow', async () => {
    const before = await migrationsStarted();
    const input = { ...onlineInput('full'), target: { instanceId: '' }, method: 'sideways' };
    const run = await runCli(['start', '--file', await writeInput('bad.yaml', input)], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('target.instanceId: must not be empty');
    expect(run.stderr).toMatch(/method: .*(full|incremental)/);
    expect(run.stderr).toContain('nothing was started');
    expect(run.stdout).toBe('');
    expect(await migrationsStarted()).toBe(before);
  });

  it('refuses a literal password (only references), a missing file, broken YAML and a bad --id, each with exit 2', async () => {
    const before = await migrationsStarted();
    const literal = { ...onlineInput('full'), source: { instanceId: 'src', password: 'hunter2' } };
    const cases: Array<[string[], RegExp]> = [
      [
        ['start', '--file', await writeInput('literal.yaml', literal)],
        /source\.password: a password is given as a reference/,
      ],
      [['start', '--file', path.join(dir, 'missing.yaml')], /--file .*missing\.yaml: cannot read it \(ENOENT\)/],
      [['start', '--file', await writeInput('broken.yaml', 'kind: [online\nmethod: full')], /not valid YAML or JSON/],
      [['start', '--file', await writeInput('ok.yaml', onlineInput('full')), '--id', 'has spaces'], /--id: expected/],
      [['start'], /required option '-f, --file <path>' not specified/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain('hunter2');
    }
    expect(await migrationsStarted()).toBe(before);
  });
});

describe('an incremental migration driven from the CLI', () => {
  const id = `cli-incremental-${process.pid}`;

  it('start prints the id and the UI link', async () => {
    const run = await runCli(
      ['start', '--file', await writeInput('incremental.yaml', onlineInput('incremental')), '--id', id, '--json'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const started = jsonOf<{ workflowId: string; ui: string; taskQueue: string }>(run);
    expectOutputSchema('start', started);
    expect(started.workflowId).toBe(id);
    expect(started.taskQueue).toBe(taskQueue);
    expect(started.ui).toMatch(new RegExp(`^http://ui\\.example:8080/namespaces/default/workflows/${id}/`));
    const human = await runCli(['start', '--file', path.join(dir, 'incremental.yaml'), '--id', id], env);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain(`a migration with id "${id}" already exists`);
  });

  it('status shows the phase, the remote status, the migration type and the UI link', async () => {
    await waitForPhase(id, 'incremental-hold');
    const run = await runCli(['status', id], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/phase\s+incremental-hold/);
    expect(run.stdout).toMatch(/remote\s+INCRMIGEATING/);
    expect(run.stdout).toMatch(/type\s+online:incremental/);
    expect(run.stdout).toContain(`ui          http://ui.example:8080/namespaces/default/workflows/${id}`);
    const json = jsonOf<MigrationJson>(await runCli(['status', id, '--json'], env));
    expect(json.status).toMatchObject({ phase: 'incremental-hold', cutoverRequested: false });
    expectOutputSchema('status', json);
  });

  it('list finds it through the search attributes', async () => {
    const run = await runCli(['list', '--phase', 'incremental-hold', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const rows = jsonOf<Array<{ workflowId: string; phase: string; remoteStatus: string; taskId: string }>>(run);
    expectOutputSchema('list', rows);
    const row = rows.find((r) => r.workflowId === id);
    expect(row).toMatchObject({ phase: 'incremental-hold', remoteStatus: 'INCRMIGEATING' });
    expect(emulator.tasks().map((t) => t.id)).toContain(row?.taskId);
    const table = await runCli(['list', '--status', 'running'], env);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+RUNNING\\s+incremental-hold\\s+INCRMIGEATING`));
  });

  it('cutover is accepted once, then refused with exit 2; watch follows it to the end with exit 0', async () => {
    const cut = await runCli(['cutover', id, '--note', 'cli test'], env);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout).toMatch(/cutover accepted for .* \(offset \d+\)/);
    const again = await runCli(['cutover', id], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /cutover rejected: .*(cutover already requested|only possible in the incremental hold|already closed)/,
    );
    const watch = await runCli(['watch', id, '--interval', '300'], env);
    expect(watch.code, watch.stderr).toBe(0);
    expect(watch.stdout).toContain(`✔ migration ${id} cut over (hold ended by operator)`);
    expect(watch.stdout).toMatch(/final remote status TERMINATED/);
    const status = jsonOf<MigrationJson>(await runCli(['status', id, '--json'], env));
    expect(status.execution).toBe('COMPLETED');
    expect(status.result?.outcome).toBe('cut-over');
    // Renamed in the result (CHANGELOG.md): still printed under the old names for a release.
    expect(status.result).toMatchObject({
      remoteStatus: 'TERMINATED',
      finalStatus: 'TERMINATED',
      cutover: { by: 'operator' },
      holdEndedBy: 'operator',
    });
    expectOutputSchema('status', status);
  });
});

describe('cancel', () => {
  it('stops the remote task, deletes it, and the run ends cancelled (watch and status exit 4)', async () => {
    const id = `cli-cancel-${process.pid}`;
    expect(
      (await runCli(['start', '--file', await writeInput('cancel.yaml', onlineInput('incremental')), '--id', id], env))
        .code,
    ).toBe(0);
    await waitForPhase(id, 'incremental-hold');
    const taskId = (await temporal.client.workflow.getHandle(id).query(statusQuery)).taskId;
    expect(taskId).toBeDefined();
    const cancel = await runCli(['cancel', id, '--delete', '--reason', 'rehearsal over'], env);
    expect(cancel.code, cancel.stderr).toBe(0);
    const watch = await runCli(['watch', id, '--interval', '300', '--json'], env);
    expect(watch.code).toBe(4);
    expect(watch.stderr).toMatch(new RegExp(`✘ migration ${id} cancel`));
    const final = jsonOf<MigrationJson>(watch);
    expect(final).toMatchObject({ execution: 'CANCELLED', failure: expect.any(String) });
    expectOutputSchema('status', final);
    expect(emulator.tasks().map((t) => t.id)).not.toContain(taskId);
    const status = await runCli(['status', id], env);
    expect(status.code).toBe(4);
    expect(status.stdout).toMatch(/execution\s+CANCELLED/);
    const json = await runCli(['status', id, '--json'], env);
    expect(json.code).toBe(4);
    expectOutputSchema('status', jsonOf(json));
    const again = await runCli(['cancel', id], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already closed');
  });
});

describe('start --wait', () => {
  it('follows a full migration to SUCCESS and exits 0 with a summary; the target holds the source keys', async () => {
    const id = `cli-full-${process.pid}`;
    const run = await runCli(
      ['start', '--file', await writeInput('full.json', JSON.stringify(onlineInput('full'))), '--id', id, '--wait'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`started migration ${id}`);
    expect(run.stdout).toContain(`✔ migration ${id} succeeded`);
    expect(run.stdout).toMatch(/final remote status SUCCESS/);
    const report = await compareRedis(emulator.instance('src').endpoint, emulator.instance('tgt').endpoint, {
      checkExtra: false,
    });
    expect(report.totalDifferences).toBe(0);
    expect(Object.values(report.dbs).reduce((n, db) => n + db.keys, 0)).toBe(300);
  });
});

describe('errors every command shares', () => {
  it('an unknown id is exit 2, an unreachable Temporal exit 5, bad numbers exit 2, and --help works everywhere', async () => {
    for (const command of ['status', 'watch', 'cutover', 'cancel']) {
      const run = await runCli([command, 'no-such-migration'], env);
      expect(run.code, command).toBe(2);
      expect(run.stderr).toContain('no migration with id "no-such-migration"');
    }
    const unreachable = await runCli(['status', 'x', '--address', '127.0.0.1:1'], env);
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
    // Known at once from the refused TCP connection (not after the SDK's deadline), with what to check.
    const unreachableList = await runCli(['list', '--address', '127.0.0.1:1'], env);
    expect(unreachableList.code).toBe(5);
    expect(unreachableList.stderr).toContain('connection refused');
    expect(unreachableList.stderr).toContain('TEMPORAL_ADDRESS');
    expect(unreachableList.stderr).not.toContain('Failed to connect before the deadline');
    const badLimit = await runCli(['list', '--limit', 'lots'], env);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('--limit: expected a whole number');
    const badStatus = await runCli(['list', '--status', 'sleeping'], env);
    expect(badStatus.code).toBe(2);
    const help = await runCli(['start', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: dcs-migrate start [options]');
    expect(help.stdout).toContain('Exit codes:');
  });
});

describe('dcs-migrate worker', () => {
  it('refuses bad settings with exit 2 naming the flag', async () => {
    const run = await runCli(['worker', '--max-concurrent-activities', '0'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--max-concurrent-activities: must be at least 1');
    const { DCS_ENDPOINT: _endpoint, ...withoutEndpoint } = env;
    const noDcs = await runCli(['worker'], withoutEndpoint);
    expect(noDcs.code).toBe(2);
    expect(noDcs.stderr).toContain('DCS_ENDPOINT');
    expect(noDcs.stderr).not.toContain(emulator.credentials.sk);
  });

  it('serves Prometheus metrics, logs JSON lines without secrets, and stops gracefully on SIGTERM', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/temporal_workflow_completed/);
    expect(metrics).toMatch(/temporal_activity_execution_latency/);
    await worker.stop();
    const exit = await worker.process.exited;
    expect(exit.code).toBe(0);
    const lines = await worker.logLines();
    // The allocator is named so an operator can tell whether jemalloc (worker/allocator.ts) is preloaded.
    expect(lines.find((line) => line.msg === 'worker started')).toMatchObject({
      taskQueue,
      namespace: 'default',
      level: 30,
      workflowCode: path.join(dir, 'workflow-bundle.js'),
      allocator: 'glibc malloc',
    });
    expect(lines.at(-1)?.msg).toBe('worker stopped');
    const raw = await readFile(worker.logFile, 'utf8');
    for (const secret of [SOURCE_PASSWORD, TARGET_PASSWORD, emulator.credentials.sk]) expect(raw).not.toContain(secret);
  });
});
