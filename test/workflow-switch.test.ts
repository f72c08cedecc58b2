/**
 * The client switch at the cutover (`cutover.switch: ip`) end to end: real Temporal dev server, the production
 * worker, the emulator whose instances are reached at their own service addresses. A client that keeps using the
 * source's address reads what only the target holds after the switch, and the source's data again after
 * `rollback`; a failed post-switch check rolls back by itself; an ineligible pair is refused before any DCS write (only the pre-flight reads).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rollbackUpdate, cutoverUpdate, statusQuery, type MigrationResult } from '../common/workflow-contract.js';
import { runCli } from '../client/testing/run-cli.js';
import { waitFor } from '../local/wait.js';
import { callsSince } from './harness/emulator-requests.js';
import { instancePair, onlineInput, passwordEnv, startTestStack, type TestStack } from './harness/stack.js';
import { saveHistory, type MigrationTestEnv } from './workflow-env.js';

const PASSWORD = 'same-on-both-pw-5d2c';
const PAIR = instancePair(['swf-source', 'swf-target'], [PASSWORD, PASSWORD]);
const POLLING = { initialInterval: 100, maxInterval: 300, backoffFactor: 1.5 };
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    name: 'workflow-switch',
    pair: PAIR,
    extraInstances: [{ id: 'swf-other', password: 'another-password-9a0e' }],
    emulator: { timings: { creatingMs: 100, terminatingMs: 100, exchangingMs: 400 } },
  });
  await stack.startWorker({ env: { ...passwordEnv(PAIR), OTHER_PASSWORD: 'another-password-9a0e' } });
});
afterAll(async () => {
  await stack?.teardown();
});
beforeEach(() => stack.reset());

function switchInput(cutover: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  // Addresses only: these tests are about the switch itself (test/reverse-sync-*.test.ts: the writes kept).
  const switching = { switch: 'ip', rollback: 'addresses-only', ...cutover };
  return onlineInput('incremental', { polling: POLLING, cutover: switching, ...extra }, PAIR);
}

/** An application's client of the source's address: it reconnects by itself after the switch cuts it. */
function appClient(): Redis {
  const service = stack.emu.instance(PAIR.source.id).service!;
  const client = new Redis({ ...service, password: PASSWORD, retryStrategy: () => 20, maxRetriesPerRequest: 5 });
  stack.onTeardown(() => client.disconnect());
  return client;
}

async function phaseOf(handle: { query: (q: typeof statusQuery) => Promise<{ phase: string }> }, phase: string): Promise<void> {
  await waitFor(`phase ${phase}`, async () => (await handle.query(statusQuery)).phase === phase, 30_000, 100);
}

describe('cutover.switch: ip', () => {
  it('clients of the source address reach the target after the switch, the source again after rollback; then it holds, switches again and cuts over', async () => {
    const source = stack.redis(PAIR.source.id);
    const target = stack.redis(PAIR.target.id);
    await source.set('copied', 'from source');
    const app = appClient();
    const handle = await stack.start(switchInput({ rollbackWindow: '6s', afterRollback: 'hold', canaryKey: 'dcs-migrate:canary' }), `switch-ip-${Date.now()}`);
    await phaseOf(handle, 'incremental-hold');
    // Nothing to roll back yet: refused, nothing recorded.
    await expect(handle.executeUpdate(rollbackUpdate, { args: [{}] })).rejects.toThrow();
    expect((await handle.query(statusQuery)).switch).toBeUndefined();
    await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'switch test' }] });
    await phaseOf(handle, 'switched');

    await target.set('only-on-target', 'new home');
    expect(await app.get('only-on-target')).toBe('new home');
    expect(await app.get('copied')).toBe('from source');
    const switched = await handle.query(statusQuery);
    expect(switched.switch).toMatchObject({ mode: 'ip', state: 'switched', check: { outcome: 'passed' } });
    expect(switched.switch?.check?.evidence).toContain('canary');
    expect(await target.get('dcs-migrate:canary')).toContain('dcs-migrate switch 1');

    const done = await handle.executeUpdate(rollbackUpdate, { args: [{ note: 'back' }] });
    expect(done.finishedAt).toBeDefined();
    await source.set('only-on-source', 'old home');
    expect(await app.get('only-on-source')).toBe('old home');
    expect(await app.get('only-on-target')).toBeNull();

    // afterRollback: hold — the same task copies again, and the next cutover switches again.
    await phaseOf(handle, 'incremental-hold');
    await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'again' }] });
    await phaseOf(handle, 'switched');
    expect(await app.get('only-on-source')).toBe('old home'); // copied to the target by the restarted task
    await target.set('second', 'switch');
    expect(await app.get('second')).toBe('switch');
    // No rollback this time: the window ends, the task is stopped, and the clients stay on the target.
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'cut-over', remoteStatus: 'TERMINATED', switch: { state: 'switched', switches: 2 } });
    expect(await app.get('second')).toBe('switch');
    expect(stack.emu.tasks().filter((task) => task.name === result.taskName)).toHaveLength(1);
    await saveHistory({ temporal: stack.temporal } as MigrationTestEnv, handle, 'switch-rollback-hold-cutover');
  }, 60_000);

  it('a failed post-switch check rolls back by itself; afterRollback: end ends rolled back with one task', async () => {
    stack.emu.faults.add({ operation: 'ExchangeInstanceIp', ipSwitch: { swap: false }, count: 1 });
    const handle = await stack.start(switchInput({ rollbackWindow: 0, afterRollback: 'end' }), `switch-check-${Date.now()}`);
    await phaseOf(handle, 'incremental-hold');
    await handle.executeUpdate(cutoverUpdate, { args: [{}] });
    const result: MigrationResult = await handle.result();
    expect(result.outcome).toBe('rolled-back');
    expect(result.switch).toMatchObject({ state: 'rolled-back', check: { outcome: 'failed' }, rollback: { by: 'check' } });
    expect(result.apiCalls['rollbackIp']).toBe(1);
    const tasks = stack.emu.tasks().filter((task) => task.name === result.taskName);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.status).toBe('SUCCESS');
  }, 40_000);

  it('a target the verify step finds different is refused before any switch call: the clients stay on the source', async () => {
    const source = stack.redis(PAIR.source.id);
    const target = stack.redis(PAIR.target.id);
    await source.set('copied', 'from source');
    // Only on the target, planted before the migration: the verify step (`reverse`, the default) finds it EXTRA.
    await target.set('stray-on-target', 'not from the source');
    const endpoint = (id: string) => `${stack.emu.instance(id).endpoint.host}:${stack.emu.instance(id).endpoint.port}`;
    const verify = {
      source: { address: endpoint(PAIR.source.id), password: { env: PAIR.source.env } },
      target: { address: endpoint(PAIR.target.id), password: { env: PAIR.target.env } },
      rounds: 0,
    };
    const input = switchInput({ mode: 'auto' }, { verify });
    const before = stack.emu.requests().length;
    const handle = await stack.start(input, `switch-unverified-${Date.now()}`);
    const failure = (await handle.result().catch((error: unknown) => error)) as { cause?: { message?: string; type?: string } };
    expect(failure.cause?.message).toMatch(/switch-verified: the verify step found 1 difference/);
    expect(failure.cause?.type).toBe('SwitchRefused');
    const status = await handle.query(statusQuery);
    expect(status.switch).toMatchObject({ state: 'refused', eligibility: [expect.objectContaining({ id: 'switch-verified', verdict: 'fail' })] });
    expect(callsSince(stack.emu, before, 'ExchangeInstanceIp')).toHaveLength(0);
  }, 40_000);

  it('an ineligible pair (different passwords) is refused before any DCS write (only the pre-flight reads)', async () => {
    const before = stack.emu.requests().length;
    const input = switchInput({}, { target: { instanceId: 'swf-other', password: { env: 'OTHER_PASSWORD' } } });
    const handle = await stack.start(input, `switch-refused-${Date.now()}`);
    await expect(handle.result()).rejects.toThrow();
    const status = await handle.query(statusQuery);
    expect(status.switch).toMatchObject({ state: 'refused', eligibility: [expect.objectContaining({ id: 'switch-same-password', verdict: 'fail' })] });
    // Only the pre-flight checks' reads (ShowInstance of both instances) reached DCS: nothing was created or switched.
    expect(
      new Set(
        stack.emu
          .requests()
          .slice(before)
          .map((request) => request.operation),
      ),
    ).toEqual(new Set(['ShowInstance']));
    expect(callsSince(stack.emu, before, 'ExchangeInstanceIp')).toHaveLength(0);
    // The CLI says so too: nothing to roll back, exit 2.
    const rollback = await runCli(['rollback', handle.workflowId], stack.cliEnv());
    expect(rollback.code).toBe(2);
    expect(rollback.stderr).toContain('rollback rejected');
  });
});
