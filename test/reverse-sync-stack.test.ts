/**
 * The rollback keeps the writes (`cutover.rollback: keep-writes`, the default) end to end: real Temporal dev
 * server, the production worker, the emulator whose instances answer at their own service addresses over real
 * redis-servers, and `dcs-migrate rollback` as an operator runs it. After the IP switch an application writes
 * through the source's address (which now reaches the target): new keys, changed values, deletes, a list pop, a
 * hash field. The reverse task copies them back into the source; the rollback waits until it caught up, stops it
 * and switches the IPs back: the source then holds every one of those writes, and nothing else changed. The same
 * holds for the automatic rollback after a failed post-switch check (a canary the application overwrote). When
 * the window ends the reverse task is stopped and deleted; a cancel in the window leaves no task running. Each
 * scenario has its own pair of instances and they run concurrently on one stack; each counts its own paid tasks.
 * The rules (gate, --force, window end, cancel, failures) are on the time-skipping layer: reverse-sync-rules.test.ts.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutoverUpdate, statusQuery, type MigrationResult, type MigrationStatus } from '../common/workflow-contract.js';
import type { DryRunReport } from '../client/dry-run.js';
import { jsonOf, runCli } from '../client/testing/run-cli.js';
import { isFinalStatus } from '../common/dcs-status.js';
import type { MigrationInputFile } from '../common/migration-input.js';
import type { PrecheckOutcome } from '../common/precheck.js';
import type { DcsClient } from '../dcs/client.js';
import { waitFor } from '../local/wait.js';
import { deriveTaskName } from '../workflows/task-name.js';
import { expectOutputSchema } from './harness/output-schemas.js';
import { paidTasksLeft } from './harness/paid-tasks.js';
import { instancePair, onlineInput, passwordEnv, startTestStack, type TestStack } from './harness/stack.js';
import { saveHistory } from './workflow-env.js';

const PASSWORD = 'same-on-both-pw-4e1b';
const PAIR = instancePair(['rsw-source', 'rsw-target'], [PASSWORD, PASSWORD]);
/** One pair per concurrent scenario: the automatic rollback, the window's end, the cancel. */
const AUTO = instancePair(['rsa-source', 'rsa-target'], [PASSWORD, PASSWORD]);
const WINDOW_END = instancePair(['rse-source', 'rse-target'], [PASSWORD, PASSWORD]);
const CANCEL = instancePair(['rsc-source', 'rsc-target'], [PASSWORD, PASSWORD]);
const POLLING = { initialInterval: 100, maxInterval: 300, backoffFactor: 1.5 };
const CANARY = 'dcs-migrate:canary';
let stack: TestStack;
let dcs: DcsClient;

beforeAll(async () => {
  const extraInstances = [AUTO, WINDOW_END, CANCEL].flatMap((pair) => [
    { id: pair.source.id, password: PASSWORD },
    { id: pair.target.id, password: PASSWORD },
  ]);
  stack = await startTestStack({
    name: 'reverse-sync',
    pair: PAIR,
    extraInstances,
    // A switch settles 2 s after it starts: the automatic-rollback scenario must see the addresses swap (polled
    // every 5 ms) and pause the target's writes before the post-switch check runs, on a busy machine too.
    emulator: { timings: { creatingMs: 100, terminatingMs: 100, exchangingMs: 2_000 } },
  });
  await stack.startWorker({ env: passwordEnv(PAIR) });
  dcs = stack.dcsClient();
});
afterAll(async () => {
  await stack?.teardown();
});

/** Every key of a server with its type and value (sorted where Redis does not order), for an exact comparison. */
async function dump(redis: Redis): Promise<Record<string, unknown>> {
  const keys = (await redis.keys('*')).sort();
  const entries: Array<[string, unknown]> = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'string') entries.push([key, await redis.get(key)]);
    else if (type === 'list') entries.push([key, { list: await redis.lrange(key, 0, -1) }]);
    else if (type === 'hash') entries.push([key, { hash: Object.entries(await redis.hgetall(key)).sort() }]);
    else if (type === 'set') entries.push([key, { set: (await redis.smembers(key)).sort() }]);
    else entries.push([key, { [type]: 'not compared' }]);
  }
  return Object.fromEntries(entries);
}

/** The source's data before the migration: strings, a counter, a list, a hash, a set, a few plain keys. */
async function seed(source: Redis): Promise<void> {
  await source.mset('unchanged', 'same', 'changed', 'before', 'deleted', 'gone soon', 'counter', '10');
  await source.rpush('queue', 'first', 'second', 'third');
  await source.hset('profile', 'name', 'Ada', 'city', 'London');
  await source.sadd('tags', 'a', 'b');
  for (let i = 0; i < 50; i++) await source.set(`bulk:${i}`, `value ${i}`);
}

/** What the application writes through the source's address after the switch (one pipeline). */
type Command = [string, ...Array<string | number | Buffer>];
const APP_WRITES: Command[] = [
  ['set', 'new-key', 'written after the switch'],
  ['set', 'changed', 'after'],
  ['del', 'deleted'],
  ['incrby', 'counter', 5],
  ['lpop', 'queue'],
  ['hset', 'profile', 'city', 'Paris', 'email', 'ada@example.com'],
  ['srem', 'tags', 'a'],
];

/** Sends {@link APP_WRITES}; every one must succeed, and the list pop must take the list's head. */
async function appWrites(app: Redis, extra: Command[] = []): Promise<void> {
  const replies = (await app.pipeline([...extra, ...APP_WRITES]).exec()) ?? [];
  expect(replies.map(([error]) => error)).toEqual(replies.map(() => null));
  expect(replies[extra.length + 4]?.[1]).toBe('first');
}

/** The source's data `before` the switch with {@link APP_WRITES} applied: what it must hold after a rollback. */
function withAppWrites(before: Record<string, unknown>): Record<string, unknown> {
  const expected: Record<string, unknown> = {
    ...before,
    'new-key': 'written after the switch',
    changed: 'after',
    counter: '15',
    queue: { list: ['second', 'third'] },
    profile: {
      hash: [
        ['city', 'Paris'],
        ['email', 'ada@example.com'],
        ['name', 'Ada'],
      ],
    },
    tags: { set: ['b'] },
  };
  delete expected['deleted'];
  return expected;
}

type Queried = { query: (q: typeof statusQuery) => Promise<MigrationStatus> };
const statusOf = (handle: Queried): Promise<MigrationStatus> => handle.query(statusQuery);

interface Address {
  host: string;
  port: number;
}
/** Where the emulator says clients reach an instance now (its service address, as it printed it at start). */
const serviceOf = (id: string): Address => ({ ...stack.emu.instance(id).service! });
/** Where ShowInstance says clients reach an instance. */
async function shownAt(id: string): Promise<Address> {
  const shown = await dcs.showInstance(id);
  return { host: String(shown.ip), port: Number(shown.port) };
}
/** The addresses the migration task shows for its sides (those it was given: a switch does not change them). */
async function taskAddresses(taskId: string): Promise<{ source: Address; target: Address }> {
  const detail = await dcs.showMigrationTask(taskId);
  const side = (at: { ip?: unknown; port?: unknown } | null | undefined) => ({
    host: String(at?.ip),
    port: Number(at?.port),
  });
  return { source: side(detail.source_instance), target: side(detail.target_instance) };
}

/** An application's client of an address: it reconnects by itself after the switch cut its connection. */
function appClient(address: Address): Redis {
  const app = new Redis({ ...address, password: PASSWORD, retryStrategy: () => 20, maxRetriesPerRequest: 5 });
  stack.onTeardown(() => app.disconnect());
  return app;
}

/** The emulator's tasks of one migration: its own and its reverse task (both named after the workflow id). */
function tasksOf(workflowId: string) {
  const name = deriveTaskName(workflowId);
  return stack.emu.tasks().filter((task) => task.name === name || task.name.startsWith(`${name}-rev`));
}

/** Starts a migration and waits for its incremental hold. */
async function startHolding(input: MigrationInputFile, workflowId: string) {
  const handle = await stack.start(input, workflowId);
  const holding = async () => (await statusOf(handle)).phase === 'incremental-hold';
  await waitFor(`the incremental hold of ${workflowId}`, holding, 30_000, 100);
  return handle;
}

/** Clients of a server held by `CLIENT PAUSE WRITE` with a write (flag b), the emulator's own (named) aside. */
async function heldWriters(admin: Redis): Promise<number> {
  const list = String(await admin.client('LIST'));
  return list.split('\n').filter((line) => / name= /.test(line) && / flags=\S*b/.test(line)).length;
}

describe.concurrent('cutover.rollback: keep-writes, one migration per pair at once (full stack)', () => {
  it('every write made through the source address after the switch is on the source after rollback', async () => {
    const started = Date.now();
    const source = stack.redis(PAIR.source.id);
    const target = stack.redis(PAIR.target.id);
    await seed(source);

    // The application's client of the source's address, as configured before the switch.
    const app = appClient(serviceOf(PAIR.source.id));
    const cutover = { switch: 'ip', rollbackWindow: '5m', afterRollback: 'end' };
    const handle = await startHolding(
      onlineInput('incremental', { polling: POLLING, cutover }, PAIR),
      `rs-op-${started}`,
    );
    await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'reverse sync test' }] });
    const keepsWrites = async () => (await statusOf(handle)).switch?.reverse?.keepsWrites === true;
    await waitFor('the reverse task in sync', keepsWrites, 30_000, 100);
    const window = await statusOf(handle);
    expect(window.phase).toBe('switched');
    expect(window.switch?.rollbackMode).toBe('keep-writes');
    expect(window.switch?.reverse?.state).toMatch(/in-sync|lagging/);
    const before = await dump(source);
    expect(before).toEqual(await dump(target));

    // The application keeps using the source's address, which reaches the target since the switch.
    await appWrites(app);
    expect(await target.get('new-key')).toBe('written after the switch');

    const status = await runCli(['status', handle.workflowId], stack.cliEnv());
    expect(status.stdout).toMatch(/reverse +reverse task .*a rollback now keeps writes/);

    const rollback = await runCli(['rollback', handle.workflowId, '--note', 'keep writes'], stack.cliEnv());
    expect(rollback.stderr).toBe('');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('(with every write since the switch)');

    expect(await dump(source)).toEqual(withAppWrites(before));
    // The clients are back on the source, which has them all.
    expect(await app.get('new-key')).toBe('written after the switch');
    expect(await app.hget('profile', 'email')).toBe('ada@example.com');

    const result: MigrationResult = await handle.result();
    expect(result.outcome).toBe('rolled-back');
    expect(result.switch?.rollback).toMatchObject({ by: 'operator', keptWrites: true });
    expect(result.switch?.reverse?.state).toBe('deleted');
    const tasks = tasksOf(handle.workflowId);
    expect(tasks.some((task) => task.name === result.switch?.reverse?.taskName)).toBe(false);
    expect(paidTasksLeft(`keep-writes rollback (${Date.now() - started} ms)`, tasks)).toBe(0);
    await saveHistory({ temporal: stack.temporal }, handle, 'switch-reverse-sync-rollback');
  }, 90_000);

  it('a failed post-switch check rolls back by itself with every write; ShowInstance follows the switch', async () => {
    const started = Date.now();
    const source = stack.redis(AUTO.source.id);
    const target = stack.redis(AUTO.target.id);
    await seed(source);
    // Another logical database, with a binary key name: the deletes the rollback carries are by db and bytes.
    const sourceDb3 = source.duplicate({ db: 3 });
    stack.onTeardown(() => sourceDb3.disconnect());
    const binaryKey = Buffer.from([0xff, 0x00, 0xfe]);
    await sourceDb3.mset('db3:kept', 'stays', 'db3:deleted', 'gone soon');
    await sourceDb3.set(binaryKey, 'binary name');
    // Where the emulator put the instances (as it prints them); ShowInstance says the same.
    const printed = { source: serviceOf(AUTO.source.id), target: serviceOf(AUTO.target.id) };
    expect(await shownAt(AUTO.source.id)).toEqual(printed.source);
    expect(await shownAt(AUTO.target.id)).toEqual(printed.target);
    const app = appClient(printed.source);
    const cutover = { switch: 'ip', rollbackWindow: '5m', afterRollback: 'end', canaryKey: CANARY };
    const input = onlineInput('incremental', { polling: POLLING, cutover }, AUTO);
    const handle = await startHolding(input, `rs-auto-${started}`);
    const taskId = (await statusOf(handle)).taskId!;
    expect(await taskAddresses(taskId)).toEqual(printed);
    const before = await dump(source);

    // The check fails as when the application overwrites its canary between the check's write and read-back:
    // the target's server holds writes (CLIENT PAUSE WRITE) from the swap on, so the check's canary write and
    // then the application's pipeline (the canary too) run in that order the moment it lets them go.
    const admin = stack.redis(AUTO.target.id);
    await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'failed check test' }] });
    const swapped = async () => serviceOf(AUTO.source.id).host === printed.target.host;
    await waitFor('the addresses swapped', swapped, 30_000, 5);
    await admin.client('PAUSE', 20_000, 'WRITE');
    let writes: Promise<void> | undefined;
    try {
      await waitFor("the check's canary write held", async () => (await heldWriters(admin)) === 1, 20_000, 10);
      // Switched: each instance is at the other's address; the task keeps the addresses it was given.
      expect(await shownAt(AUTO.source.id)).toEqual(printed.target);
      expect(await shownAt(AUTO.target.id)).toEqual(printed.source);
      expect(await taskAddresses(taskId)).toEqual(printed);
      const inDb3: Command[] = [
        ['select', 3],
        ['del', 'db3:deleted', binaryKey],
        ['select', 0],
      ];
      writes = appWrites(app, [['set', CANARY, 'the application wrote here'], ...inDb3]);
      await waitFor("the application's writes held", async () => (await heldWriters(admin)) === 2, 20_000, 10);
    } finally {
      await admin.client('UNPAUSE');
    }
    await writes;

    const result: MigrationResult = await handle.result();
    expect(result.outcome).toBe('rolled-back');
    expect(result.switch?.check).toMatchObject({ outcome: 'failed', evidence: expect.stringContaining('canary') });
    expect(result.switch?.rollback).toMatchObject({ by: 'check', keptWrites: true });
    expect(result.switch?.reverse?.state).toBe('deleted');
    // The delete came before the reverse task's full sync, which cannot carry it: the rollback deleted it itself.
    expect(result.switch?.reverse?.deletesCarried).toBe(3);
    expect(await sourceDb3.exists('db3:deleted', binaryKey)).toBe(0);
    expect(await sourceDb3.get('db3:kept')).toBe('stays');
    // Every write is on the source, nothing else changed, and the target has nothing the source lacks.
    const expected = { ...withAppWrites(before), [CANARY]: 'the application wrote here' };
    expect(await dump(source)).toEqual(expected);
    expect(await dump(target)).toEqual(expected);
    // Rolled back: ShowInstance, the printed addresses and the task agree again; the clients are on the source.
    expect(await shownAt(AUTO.source.id)).toEqual(printed.source);
    expect(await shownAt(AUTO.target.id)).toEqual(printed.target);
    expect(serviceOf(AUTO.source.id)).toEqual(printed.source);
    expect(await taskAddresses(taskId)).toEqual(printed);
    expect(await app.get('new-key')).toBe('written after the switch');
    const tasks = tasksOf(handle.workflowId);
    expect(tasks.map((task) => task.name)).toEqual([deriveTaskName(handle.workflowId)]);
    expect(paidTasksLeft(`automatic rollback (${Date.now() - started} ms)`, tasks)).toBe(0);
    await saveHistory({ temporal: stack.temporal }, handle, 'switch-reverse-sync-check-rollback');
  }, 90_000);

  it("when the window ends the reverse task is stopped and deleted; the target's own hold key survives", async () => {
    const started = Date.now();
    const source = stack.redis(WINDOW_END.source.id);
    const target = stack.redis(WINDOW_END.target.id);
    await source.mset('kept', 'from the source', 'doomed', 'deleted in the hold');
    const printed = { source: serviceOf(WINDOW_END.source.id), target: serviceOf(WINDOW_END.target.id) };
    const app = appClient(printed.source);
    const cutover = { switch: 'ip', rollbackWindow: '6s' };
    const input = onlineInput('incremental', { polling: POLLING, cutover }, WINDOW_END);
    const handle = await startHolding(input, `rs-window-${started}`);
    // The hold: a key written to the target alone (through its address), a source key deleted.
    await appClient(printed.target).set('target-only', 'written in the hold');
    await app.del('doomed');
    await waitFor('the delete copied', async () => (await target.exists('doomed')) === 0, 20_000, 50);
    await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'window end test' }] });
    const keepsWrites = async () => (await statusOf(handle)).switch?.reverse?.keepsWrites === true;
    await waitFor('the reverse task in sync', keepsWrites, 30_000, 100);
    const reverseName = (await statusOf(handle)).switch!.reverse!.taskName;
    const reverseTask = () => tasksOf(handle.workflowId).find((task) => task.name === reverseName);
    expect(isFinalStatus(reverseTask()?.status)).toBe(false);
    await app.set('after-switch', 'kept on the target');

    const result: MigrationResult = await handle.result();
    expect(result.outcome).toBe('cut-over');
    expect(result.switch?.reverse?.state).toBe('deleted');
    // Neither running nor present: the emulator lists the forward task alone, ended.
    expect(reverseTask()).toBeUndefined();
    const tasks = tasksOf(handle.workflowId);
    expect(tasks.map((task) => [task.name, task.status])).toEqual([[deriveTaskName(handle.workflowId), 'TERMINATED']]);
    // The clients stay on the target, which kept its own key; the source followed it until the window ended.
    expect(await shownAt(WINDOW_END.source.id)).toEqual(printed.target);
    const seen = ['kept', 'target-only', 'after-switch', 'doomed'];
    expect(await app.mget(...seen)).toEqual(['from the source', 'written in the hold', 'kept on the target', null]);
    expect(await source.mget('kept', 'target-only', 'doomed')).toEqual([
      'from the source',
      'written in the hold',
      null,
    ]);
    expect(paidTasksLeft(`window end (${Date.now() - started} ms)`, tasks)).toBe(0);
  }, 90_000);

  it('a cancel in the rollback window leaves neither the forward nor the reverse task running', async () => {
    const started = Date.now();
    await stack.redis(CANCEL.source.id).mset('a', '1', 'b', '2');
    const cutover = { switch: 'ip', rollbackWindow: '5m' };
    const input = onlineInput('incremental', { polling: POLLING, cutover }, CANCEL);
    const handle = await startHolding(input, `rs-cancel-${started}`);
    await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'cancel test' }] });
    const reverseRuns = async () => {
      const name = (await statusOf(handle)).switch?.reverse?.taskName;
      const task = tasksOf(handle.workflowId).find((listed) => listed.name === name);
      return task !== undefined && !isFinalStatus(task.status);
    };
    await waitFor('the reverse task running', reverseRuns, 30_000, 100);
    expect(tasksOf(handle.workflowId).filter((task) => !isFinalStatus(task.status))).toHaveLength(2);

    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const tasks = tasksOf(handle.workflowId);
    expect(tasks).toHaveLength(2);
    expect(paidTasksLeft(`cancel in the window (${Date.now() - started} ms)`, tasks)).toBe(0);
  }, 90_000);
});

describe('cutover.rollback: keep-writes, what check and --dry-run say (full stack)', () => {
  it('check and --dry-run say up front whether a rollback can keep writes, and list the reverse task', async () => {
    const file = path.join(stack.dir, 'switch.json');
    const fileOf = (rollback?: string) => onlineInput('incremental', { cutover: { switch: 'ip', rollback } }, PAIR);
    const write = (rollback?: string) => writeFile(file, JSON.stringify(fileOf(rollback)));
    type Outcomes = { outcomes: PrecheckOutcome[] };
    const verdict = (report: Outcomes) => report.outcomes.find((outcome) => outcome.id === 'rollback-keeps-writes');
    const dryRunArgs = ['start', '--file', file, '--dry-run', '--id', 'reverse-dry', '--no-redis'];
    const dryRun = (...flags: string[]) => runCli([...dryRunArgs, ...flags], stack.cliEnv());
    const requestsBefore = stack.emu.requests().length;

    await write();
    const plan = await dryRun('--json');
    expect(plan.code, plan.stderr).toBe(0);
    const report = jsonOf<DryRunReport>(plan);
    expectOutputSchema('dry-run', report);
    expect(verdict(report)?.verdict).toBe('pass');
    expect(report.paidTasks.map((task) => task.role)).toEqual(['migration', 'reverse']);
    expect(report.paidTasks[1]?.runs).toContain('rollback window (10m00s)');
    const reverseCalls = report.calls.filter((call) => call.why.includes('reverse task')).map((call) => call.operation);
    const made = ['CreateOnlineMigrationTask', 'SetOnlineMigrationTask', 'DeleteMigrationTask'];
    expect(reverseCalls).toEqual(expect.arrayContaining(made));

    // A Proxy Cluster target cannot be an online source: the default falls back (a warning), keep-writes fails.
    stack.emu.setInstanceAttributes(PAIR.target.id, { cacheMode: 'proxy' });
    try {
      const fallback = await runCli(['check', '--file', file, '--json', '--no-redis'], stack.cliEnv());
      expect(fallback.code, fallback.stderr).toBe(0);
      const warned = verdict(jsonOf<Outcomes>(fallback));
      expect(warned).toMatchObject({ verdict: 'warn', evidence: expect.stringContaining('Proxy') });
      const text = await dryRun();
      expect(text.stdout).toMatch(/rollback-keeps-writes +WARN +the target rsw-target is a Proxy Cluster/);
      expect(text.stdout).not.toContain('(reverse)');
      await write('keep-writes');
      const refused = await runCli(['check', '--file', file, '--json', '--no-redis'], stack.cliEnv());
      expect(refused.code).toBe(6);
      expect(verdict(jsonOf<Outcomes>(refused))?.verdict).toBe('fail');
    } finally {
      stack.emu.setInstanceAttributes(PAIR.target.id, { cacheMode: 'single' });
    }
    // Reads only: nothing was created.
    const operations = new Set(
      stack.emu
        .requests()
        .slice(requestsBefore)
        .map((request) => request.operation),
    );
    expect([...operations]).toEqual(['ShowInstance']);
    expect(paidTasksLeft('check and dry run', stack.emu.tasks())).toBe(0);
  }, 60_000);
});
