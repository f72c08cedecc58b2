/**
 * The rollback keeps the writes (`cutover.rollback: keep-writes`, the default) end to end: real Temporal dev
 * server, the production worker, the emulator whose instances answer at their own service addresses over real
 * redis-servers, and `dcs-migrate rollback` as an operator runs it. After the IP switch an application writes
 * through the source's address (which now reaches the target): new keys, changed values, deletes, a list pop, a
 * hash field. The reverse task copies them back into the source; the rollback waits until it caught up, stops it
 * and switches the IPs back: the source then holds every one of those writes, and nothing else changed. The
 * rules (gate, --force, window end, cancel, failures) are on the time-skipping layer: reverse-sync-rules.test.ts.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutoverUpdate, statusQuery, type MigrationResult, type MigrationStatus } from '../common/workflow-contract.js';
import type { DryRunReport } from '../client/dry-run.js';
import { jsonOf, runCli } from '../client/testing/run-cli.js';
import type { PrecheckOutcome } from '../common/precheck.js';
import { waitFor } from '../local/wait.js';
import { expectOutputSchema } from './harness/output-schemas.js';
import { paidTasksLeft } from './harness/paid-tasks.js';
import { instancePair, onlineInput, passwordEnv, startTestStack, type TestStack } from './harness/stack.js';
import { saveHistory } from './workflow-env.js';

const PASSWORD = 'same-on-both-pw-4e1b';
const PAIR = instancePair(['rsw-source', 'rsw-target'], [PASSWORD, PASSWORD]);
const POLLING = { initialInterval: 100, maxInterval: 300, backoffFactor: 1.5 };
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    name: 'reverse-sync',
    pair: PAIR,
    emulator: { timings: { creatingMs: 100, terminatingMs: 100, exchangingMs: 400 } },
  });
  await stack.startWorker({ env: passwordEnv(PAIR) });
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

type Queried = { query: (q: typeof statusQuery) => Promise<MigrationStatus> };
const statusOf = (handle: Queried): Promise<MigrationStatus> => handle.query(statusQuery);

describe('cutover.rollback: keep-writes (full stack)', () => {
  it('every write made through the source address after the switch is on the source after rollback', async () => {
    const started = Date.now();
    const source = stack.redis(PAIR.source.id);
    const target = stack.redis(PAIR.target.id);
    await source.mset('unchanged', 'same', 'changed', 'before', 'deleted', 'gone soon', 'counter', '10');
    await source.rpush('queue', 'first', 'second', 'third');
    await source.hset('profile', 'name', 'Ada', 'city', 'London');
    await source.sadd('tags', 'a', 'b');
    for (let i = 0; i < 50; i++) await source.set(`bulk:${i}`, `value ${i}`);

    // The application's client of the source's address, as configured before the switch.
    const service = { ...stack.emu.instance(PAIR.source.id).service! };
    const app = new Redis({ ...service, password: PASSWORD, retryStrategy: () => 20, maxRetriesPerRequest: 5 });
    stack.onTeardown(() => app.disconnect());
    const cutover = { switch: 'ip', rollbackWindow: '5m', afterRollback: 'end' };
    const input = onlineInput('incremental', { polling: POLLING, cutover }, PAIR);
    const handle = await stack.start(input, `reverse-sync-${Date.now()}`);
    const holding = async () => (await statusOf(handle)).phase === 'incremental-hold';
    await waitFor('the incremental hold', holding, 30_000, 100);
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
    await app.set('new-key', 'written after the switch');
    await app.set('changed', 'after');
    await app.del('deleted');
    await app.incrby('counter', 5);
    expect(await app.lpop('queue')).toBe('first');
    await app.hset('profile', 'city', 'Paris', 'email', 'ada@example.com');
    await app.srem('tags', 'a');
    expect(await target.get('new-key')).toBe('written after the switch');

    const status = await runCli(['status', handle.workflowId], stack.cliEnv());
    expect(status.stdout).toMatch(/reverse +reverse task .*a rollback now keeps writes/);

    const rollback = await runCli(['rollback', handle.workflowId, '--note', 'keep writes'], stack.cliEnv());
    expect(rollback.stderr).toBe('');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('(with every write since the switch)');

    const expected = {
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
    } as Record<string, unknown>;
    delete expected['deleted'];
    expect(await dump(source)).toEqual(expected);
    // The clients are back on the source, which has them all.
    expect(await app.get('new-key')).toBe('written after the switch');
    expect(await app.hget('profile', 'email')).toBe('ada@example.com');

    const result: MigrationResult = await handle.result();
    expect(result.outcome).toBe('rolled-back');
    expect(result.switch?.rollback).toMatchObject({ by: 'operator', keptWrites: true });
    expect(result.switch?.reverse?.state).toBe('deleted');
    const tasks = stack.emu.tasks();
    expect(tasks.some((task) => task.name === result.switch?.reverse?.taskName)).toBe(false);
    expect(paidTasksLeft(`keep-writes rollback (${Date.now() - started} ms)`, tasks)).toBe(0);
    await saveHistory({ temporal: stack.temporal }, handle, 'switch-reverse-sync-rollback');
  }, 90_000);

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
