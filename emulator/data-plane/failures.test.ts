import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../local/redis-server.js';
import { seedSampleData } from '../../local/sample-data.js';
import { waitFor } from '../../local/wait.js';
import { compareRedis } from '../../verify/compare.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import type { OnlineMigrationOptions } from './contract.js';
import { createDataPlane } from './index.js';
import { endpointOf, flushAll, startPair, waitForPhase } from './test-support.js';

describe('data plane: failures and faults', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  let source: RedisEndpoint;
  let target: RedisEndpoint;
  let unreachable: RedisEndpoint;
  // Short reconnect policy so that giving up takes a second, not a minute.
  const dataPlane = createDataPlane({ resume: { attempts: 2, delayMs: 50 } });

  beforeAll(async () => {
    pair = await startPair();
    source = endpointOf(pair.source);
    target = endpointOf(pair.target);
    await seedSampleData(source, { keys: 10_000, dbs: [0], seed: 4 });
    // A port where nothing listens any more: a stopped server's.
    const gone = await startRedisServer({ name: 'gone' });
    unreachable = { host: gone.host, port: gone.port, password: 'whatever-pw' };
    await gone.stop();
  });

  afterAll(async () => {
    await pair?.stop();
  });

  async function runToEnd(options: Partial<OnlineMigrationOptions>) {
    const run = dataPlane.startOnlineMigration({ source, target, method: 'full', resumeMode: 'manual', ...options });
    await run.ended;
    return run;
  }

  it('fails with a clear message, without the password, when the source password is wrong (whatever the resume mode)', async () => {
    for (const resumeMode of ['manual', 'auto'] as const) {
      const run = await runToEnd({ source: { ...source, password: 'wrong-password-123' }, resumeMode });
      expect(run.phase()).toBe('failed');
      expect(run.error()).toBe(
        `authentication to the source Redis at ${source.host}:${source.port} failed: the password is wrong or missing`,
      );
    }
    const noPassword = await runToEnd({ source: { ...source, password: undefined } });
    expect(noPassword.error()).toBe(
      `authentication to the source Redis at ${source.host}:${source.port} failed: the password is wrong or missing`,
    );
    const wrongTarget = await runToEnd({ target: { ...target, password: 'wrong-password-456' } });
    expect(wrongTarget.error()).toBe(
      `authentication to the target Redis at ${target.host}:${target.port} failed: the password is wrong or missing`,
    );
  });

  it('fails when the source is unreachable; resume mode auto retries first, then gives up', async () => {
    const manual = await runToEnd({ source: unreachable });
    expect(manual.phase()).toBe('failed');
    expect(manual.error()).toBe(
      `cannot connect to the source Redis at ${unreachable.host}:${unreachable.port}: connection refused`,
    );
    const auto = await runToEnd({ source: unreachable, resumeMode: 'auto' });
    expect(auto.error()).toBe(
      `cannot connect to the source Redis at ${unreachable.host}:${unreachable.port}: connection refused (gave up after 2 reconnect attempts)`,
    );
    expect(auto.stats().isMigrating).toBe(false);
  });

  it('injects failAt: the run fails at that progress with the given message', async () => {
    await flushAll(pair.target);
    const fallback = await runToEnd({ faults: { failAt: { atProgress: 40 } } });
    expect(fallback.phase()).toBe('failed');
    expect(fallback.error()).toMatch(/^the migration failed at [45]\d% of the full migration \(injected fault\)$/);
    expect(fallback.stats().fullMigrationProgress).toBeGreaterThanOrEqual(40);
    expect(fallback.stats().fullMigrationProgress).toBeLessThan(100);
    const custom = await runToEnd({
      resumeMode: 'auto',
      faults: { failAt: { atProgress: 0, message: 'source instance is being resized' } },
    });
    expect(custom.error()).toBe('source instance is being resized');
    expect(custom.stats().keysCopied).toBe(0);
  });

  it('drops the source at a given progress: manual fails, auto reconnects and finishes with 0 differences', async () => {
    await flushAll(pair.target);
    const manual = await runToEnd({ faults: { dropSourceAtProgress: 30 } });
    expect(manual.phase()).toBe('failed');
    expect(manual.error()).toBe(`the connection to the source Redis at ${source.host}:${source.port} was lost`);

    await flushAll(pair.target);
    const connectionsBefore = await totalConnections();
    const auto = await runToEnd({ resumeMode: 'auto', faults: { dropSourceAtProgress: 30 } });
    expect(auto.error()).toBeUndefined();
    expect(auto.phase()).toBe('succeeded');
    // One connection for the copy, one to drop it, one for the copy after the resume.
    expect((await totalConnections()) - connectionsBefore).toBeGreaterThanOrEqual(3);
    expect((await compareRedis(source, target)).totalDifferences).toBe(0);
  });

  it('loses the change feed in the incremental phase: manual fails, auto resyncs and keeps following', async () => {
    await flushAll(pair.target);
    const manual = dataPlane.startOnlineMigration({ source, target, method: 'incremental', resumeMode: 'manual' });
    await waitForPhase(manual, 'incremental');
    await killSubscribers();
    await manual.ended;
    expect(manual.phase()).toBe('failed');
    expect(manual.error()).toBe(`the connection to the source Redis at ${source.host}:${source.port} was lost`);

    const auto = dataPlane.startOnlineMigration({ source, target, method: 'incremental', resumeMode: 'auto' });
    const writer = pair.source.client(0);
    const reader = pair.target.client(0);
    try {
      await waitForPhase(auto, 'incremental');
      await killSubscribers();
      await writer.set('written-after-the-drop', 'still followed');
      await waitFor(
        'a change after the drop to reach the target',
        async () => (await reader.get('written-after-the-drop')) === 'still followed',
        20_000,
        50,
      );
      expect(auto.phase()).toBe('incremental');
      await writer.del('written-after-the-drop');
    } finally {
      await auto.stop();
      writer.disconnect();
      reader.disconnect();
    }
    expect(auto.phase()).toBe('stopped');
    expect((await compareRedis(source, target)).totalDifferences).toBe(0);
  });

  async function totalConnections(): Promise<number> {
    const client = pair.source.client(0);
    const info = await client.info('stats');
    client.disconnect();
    return Number(/^total_connections_received:(\d+)/m.exec(info)?.[1]);
  }

  /** Drops the migration's keyspace-notification subscription from the server side, as a network fault would. */
  async function killSubscribers(): Promise<void> {
    const client = pair.source.client(0);
    await client.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    client.disconnect();
  }
});
