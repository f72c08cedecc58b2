/**
 * The deploy gate against a real Temporal dev server: `dcs-migrate replay` downloads the histories of the
 * migrations a real worker is running (the emulator behind them) and replays them against this build, then against
 * a deliberately non-deterministic build (`--workflows-path test/fixtures/nondeterministic-workflows.ts`), which
 * it must refuse with exit 7, naming each migration and the first command that does not match its history.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli, type CliRun } from '../client/testing/run-cli.js';
import type { ReplayReport } from '../client/commands/replay-report.js';
import { EXIT } from '../client/exit-codes.js';
import { generateKeyRing, keyRingToEnv } from '../codec/codec-keys.js';
import { dataConverterFor } from '../codec/data-converter.js';
import { parseMigrationInput } from '../common/migration-input.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE, statusQuery } from '../common/workflow-contract.js';
import { waitFor } from '../local/wait.js';
import { Patch } from '../workflows/patches.js';
import { saveHistory } from './workflow-env.js';
import { instancePair, onlineInput, passwordEnv, startTestStack, type TestStack } from './harness/stack.js';

type Report = ReplayReport & { replayed: number; failed: number };

/** A second pair of instances, so the two running migrations do not share a target. */
const SECOND = instancePair(['source-2', 'target-2'], ['src2-pw-4b1d', 'tgt2-pw-8e2f'], ['SOURCE2_PW', 'TARGET2_PW']);
const NONDETERMINISTIC = path.join(import.meta.dirname, 'fixtures', 'nondeterministic-workflows.ts');
const polling = { initialInterval: '300ms', maxInterval: '600ms' };

let stack: TestStack;
let env: NodeJS.ProcessEnv;
const running = [`gate-incremental-a-${process.pid}`, `gate-incremental-b-${process.pid}`];
const done = `gate-full-${process.pid}`;
/** A migration run by a worker that encrypts payloads (its own task queue), and that worker's keys. */
const encrypted = `gate-encrypted-${process.pid}`;
const ring = generateKeyRing('replay-gate');

beforeAll(async () => {
  stack = await startTestStack({
    name: 'replay-gate',
    extraInstances: [
      { id: SECOND.source.id, password: SECOND.source.password },
      { id: SECOND.target.id, password: SECOND.target.password },
    ],
    sourceKeys: 50,
  });
  env = stack.cliEnv();
  await stack.startWorker({ env: { ...passwordEnv(), ...passwordEnv(SECOND) } });
  const queue = `${stack.taskQueue}-encrypted`;
  await stack.startWorker({ taskQueue: queue, dataConverter: dataConverterFor(ring) });
  // Its create is throttled once (HTTP 429): the run takes the create-retry-after-from-details patch.
  stack.emu.faults.add({ operation: 'CreateOnlineMigrationTask', status: 429, count: 1 });
  const full = await stack.start(onlineInput('full', { polling }), done);
  await waitFor('the throttled create', () => stack.emu.faults.list().some((rule) => rule.fired === 1));
  const encryptedInput = parseMigrationInput(onlineInput('full', { polling }));
  const startOptions = buildMigrationStartOptions({ input: encryptedInput, workflowId: encrypted, taskQueue: queue });
  const secret = await stack.temporal.client.workflow.start(MIGRATION_WORKFLOW_TYPE, startOptions);
  await stack.start(onlineInput('incremental', { polling }), running[0]);
  await stack.start(onlineInput('incremental', { polling }, SECOND), running[1]);
  await full.result();
  await saveHistory(stack, full, 'online-full-throttled-create');
  // Its result is encrypted: this client (no keys) waits for the status only.
  const completed = async () => (await secret.describe()).status.name === 'COMPLETED';
  await waitFor(`${encrypted} to complete`, completed, 60_000, 200);
  for (const id of running) {
    const handle = stack.temporal.client.workflow.getHandle(id);
    const holding = async () => (await handle.query(statusQuery)).phase === 'incremental-hold';
    await waitFor(`${id} in the incremental hold`, holding, 60_000, 200);
  }
});

afterAll(async () => {
  await stack?.teardown();
});

/** The patch markers in a run's history: the payload of each `core_patch` marker holds the patch id. */
async function patchesOf(workflowId: string): Promise<string> {
  const history = await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const markers = (history.events ?? []).flatMap((event) => event.markerRecordedEventAttributes ?? []);
  const details = markers.flatMap((marker) => Object.values(marker.details ?? {}));
  const payloads = details.flatMap((entry) => entry.payloads ?? []);
  return payloads.map((payload) => Buffer.from(payload.data ?? []).toString()).join('\n');
}

function reportOf(run: CliRun): Report {
  return jsonOf<Report>(run);
}

describe('dcs-migrate replay against a server', () => {
  it("replays every running migration's history and exits 0; closed runs only when the query asks", async () => {
    const run = await runCli(['replay', '--json'], env);
    expect(run.code, run.stderr).toBe(EXIT.OK);
    const report = reportOf(run);
    expect(report.query).toBe("WorkflowType IN ('dcsMigration', 'dcsPlan') AND (ExecutionStatus = 'Running')");
    expect(report.matched).toBe(2);
    expect(report.outcomes.map((outcome) => outcome.workflowId).sort()).toEqual([...running].sort());
    const downloaded = { verdict: 'ok', origin: 'server', runId: expect.any(String) };
    for (const outcome of report.outcomes) expect(outcome).toMatchObject(downloaded);

    const closed = reportOf(await runCli(['replay', '--query', `WorkflowId = '${done}'`, '--json'], env));
    expect(closed.outcomes.map((outcome) => [outcome.workflowId, outcome.verdict])).toEqual([[done, 'ok']]);
    // That run went through a patched branch: the replay took it too.
    expect(await patchesOf(done)).toContain(Patch.CreateRetryAfter);
  });

  it("replays an encrypted history with the worker's keys, and without them fails saying so", async () => {
    const query = `WorkflowId = '${encrypted}'`;
    const withKeys = await runCli(['replay', '--query', query, '--json'], { ...env, ...keyRingToEnv(ring) });
    expect(withKeys.code, withKeys.stderr).toBe(EXIT.OK);
    const verdicts = reportOf(withKeys).outcomes.map((outcome) => [outcome.workflowId, outcome.verdict]);
    expect(verdicts).toEqual([[encrypted, 'ok']]);
    const withoutKeys = await runCli(['replay', '--query', query, '--json'], env);
    expect(withoutKeys.code).toBe(EXIT.REPLAY_FAILED);
    const [outcome] = reportOf(withoutKeys).outcomes;
    expect(outcome).toMatchObject({ workflowId: encrypted, verdict: 'failed' });
    expect(outcome?.detail).toContain('DCS_MIGRATE_CODEC_KEYS');
  });

  it('prints a table, and says when --limit left matching runs out', async () => {
    const run = await runCli(['replay', '--limit', '1'], env);
    expect(run.code, run.stderr).toBe(EXIT.OK);
    expect(run.stdout).toMatch(/WORKFLOW ID\s+RUN ID\s+TYPE\s+RESULT/);
    expect(run.stdout).toMatch(new RegExp(`(${running.join('|')})\\s+\\S+\\s+dcsMigration\\s+ok`));
    expect(run.stdout).toContain('1 of 1 histories replay on this build (of 2 matching: raise --limit)');
  });

  it('refuses a non-deterministic build: exit 7, each migration named with the first mismatched command', async () => {
    const run = await runCli(['replay', '--workflows-path', NONDETERMINISTIC, '--json'], env);
    expect(run.code, run.stderr).toBe(EXIT.REPLAY_FAILED);
    const report = reportOf(run);
    expect(report.code).toContain('nondeterministic-workflows.ts');
    expect(report.failed).toBe(2);
    for (const id of running) {
      const outcome = report.outcomes.find((candidate) => candidate.workflowId === id);
      expect(outcome?.verdict).toBe('nondeterministic');
      // Core's own words: the history's first command (a patch marker) has no match in the timer this build adds.
      expect(outcome?.detail).toMatch(/^\[TMPRL1100\] Nondeterminism error: .*(marker|Timer|command)/);
      expect(run.stderr).toContain(id);
    }
    expect(run.stderr).toContain('2 of 2 histories do not replay on this build');
  });

  it('bad arguments exit 2 naming the flag; an unreachable server exits 5', async () => {
    const limit = await runCli(['replay', '--limit', '0'], env);
    expect([limit.code, limit.stderr]).toEqual([EXIT.USAGE, expect.stringContaining('--limit: expected a whole')]);
    const query = await runCli(['replay', '--query', 'NoSuchField ='], env);
    expect([query.code, query.stderr]).toEqual([EXIT.USAGE, expect.stringContaining('--query: Temporal refused')]);
    const both = await runCli(['replay', '--histories', stack.dir, '--query', "ExecutionStatus = 'Running'"], env);
    expect([both.code, both.stderr]).toEqual([EXIT.USAGE, expect.stringContaining('give one of them')]);
    const empty = await runCli(['replay', '--histories', stack.dir], env);
    const noHistories = `--histories: no *.json histories in ${stack.dir}`;
    expect([empty.code, empty.stderr]).toEqual([EXIT.USAGE, expect.stringContaining(noHistories)]);
    const missing = await runCli(['replay', '--workflows-path', path.join(stack.dir, 'nope.ts')], env);
    expect([missing.code, missing.stderr]).toEqual([EXIT.USAGE, expect.stringContaining('--workflows-path:')]);
    const away = await runCli(['replay', '--address', '127.0.0.1:1'], env);
    expect(away.code).toBe(EXIT.UNREACHABLE);
  });
});
