/**
 * Migrations with `polling.mode: shared`: the workflows wait on the worker's shared status watcher instead of
 * polling on a timer. The confirm interval is set far beyond the test's length, so only the watcher can move
 * them along: real Temporal dev server, real worker, real emulator moving data between real redis-servers.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusWatcherOver, type SharedStatusWatcher } from '../activities/index.js';
import { cutoverUpdate, statusQuery } from '../common/workflow-contract.js';
import { seedSampleData } from '../local/sample-data.js';
import { compareRedis } from '../verify/compare.js';
import { waitFor } from '../local/wait.js';
import {
  FAST_POLLING,
  onlineInput,
  resultOf,
  saveHistory,
  startMigrationTestEnv,
  type MigrationTestEnv,
  type RunningWorker,
} from './workflow-env.js';

const SHARED_POLLING = { ...FAST_POLLING, mode: 'shared', confirmInterval: '10m' };

describe('shared status watcher', () => {
  let env: MigrationTestEnv;
  let worker: RunningWorker;
  let watcher: SharedStatusWatcher;
  beforeAll(async () => {
    env = await startMigrationTestEnv();
    watcher = statusWatcherOver(env.dcs, { roundIntervalMs: 200, maxRoundIntervalMs: 200 });
    worker = await env.startWorker({ statusWatcher: watcher });
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
  });

  it('incremental migrations reach the hold, cut over at once on request, and read their own task only a few times', async () => {
    await flush(env.emu.instance('source').endpoint, env.emu.instance('target').endpoint);
    await seedSampleData(env.emu.instance('source').endpoint, { keys: 500, seed: 5 });
    const handles = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        env.start(
          onlineInput('incremental', { polling: SHARED_POLLING, taskName: `shared-${name}` }),
          `shared-incremental-${name}`,
        ),
      ),
    );
    await waitFor(
      'three migrations holding in sync',
      async () =>
        (await Promise.all(handles.map((h) => h.query(statusQuery)))).every((s) => s.phase === 'incremental-hold'),
      60_000,
      200,
    );
    const roundsBefore = watcher.stats().rounds;

    // The cutover interrupts a wait on the watcher that would otherwise last ten minutes.
    const requested = Date.now();
    await Promise.all(handles.map((handle) => handle.executeUpdate(cutoverUpdate, { args: [{ note: 'shared' }] })));
    const results = await Promise.all(handles.map((handle) => resultOf(handle)));
    expect(Date.now() - requested).toBeLessThan(20_000);

    for (const result of results) {
      expect(result).toMatchObject({ outcome: 'cut-over', cutover: { by: 'operator' }, remoteStatus: 'TERMINATED' });
      expect(env.emu.tasks().filter((task) => task.name === result.taskName)).toHaveLength(1);
      // Reads of its own: before creating, after creating, then the stop loop — the running phases came from the watcher.
      expect(result.apiCalls['findTaskByName'] ?? 0).toBeLessThanOrEqual(10);
    }
    const statuses = await Promise.all(handles.map((handle) => handle.query(statusQuery)));
    for (const status of statuses) expect(status.watcherWaits).toBeGreaterThanOrEqual(1);
    // One listing per round served every waiting migration (one page: fewer than 1,000 tasks).
    const stats = watcher.stats();
    expect(stats.listCalls).toBe(stats.rounds);
    expect(stats.rounds).toBeGreaterThanOrEqual(roundsBefore);
    const report = await compareRedis(env.emu.instance('source').endpoint, env.emu.instance('target').endpoint);
    expect(report.totalDifferences).toBe(0);
    await saveHistory(env, handles[0]!, 'online-incremental-shared');
  });

  it('a full migration finishes through the watcher', async () => {
    await flush(env.emu.instance('source').endpoint, env.emu.instance('target').endpoint);
    await seedSampleData(env.emu.instance('source').endpoint, { keys: 500, seed: 6 });
    const handle = await env.start(
      onlineInput('full', { polling: SHARED_POLLING, taskName: 'shared-full' }),
      'shared-full',
    );
    const result = await resultOf(handle);
    expect(result).toMatchObject({ outcome: 'succeeded', remoteStatus: 'SUCCESS' });
    expect(env.emu.tasks().filter((task) => task.name === 'shared-full')).toHaveLength(1);
    expect(result.apiCalls['findTaskByName'] ?? 0).toBeLessThanOrEqual(6);
    expect(
      (await compareRedis(env.emu.instance('source').endpoint, env.emu.instance('target').endpoint)).totalDifferences,
    ).toBe(0);
  });

  it('while the watcher cannot list, a holding migration says so and polls on a timer, then cuts over', async () => {
    const handle = await env.start(
      onlineInput('incremental', { polling: SHARED_POLLING, taskName: 'shared-fallback' }),
      'shared-fallback',
    );
    await waitFor(
      'the incremental hold',
      async () => (await handle.query(statusQuery)).phase === 'incremental-hold',
      60_000,
      200,
    );
    const failedBefore = watcher.stats().failedRounds;
    // Three failed list calls: three failed watcher rounds (nothing else lists while the migration holds).
    env.emu.faults.add({ operation: 'ListMigrationTask', status: 503, count: 3 });
    await waitFor(
      'the workflow to report the failing watcher',
      async () => (await handle.query(statusQuery)).lastError?.type === 'StatusWatcherFailing',
      30_000,
      100,
    );
    expect(watcher.stats().failedRounds - failedBefore).toBe(3);
    await handle.executeUpdate(cutoverUpdate, { args: [{}] });
    expect(await resultOf(handle)).toMatchObject({ outcome: 'cut-over', remoteStatus: 'TERMINATED' });
    expect(env.emu.tasks().filter((task) => task.name === 'shared-fallback')).toHaveLength(1);
  });
});

async function flush(
  ...endpoints: Array<{ host: string; port: number; password?: string | undefined }>
): Promise<void> {
  for (const endpoint of endpoints) {
    const redis = new Redis({
      host: endpoint.host,
      port: endpoint.port,
      password: endpoint.password,
      lazyConnect: true,
    });
    await redis.connect();
    await redis.flushall();
    redis.disconnect();
  }
}
