import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { waitFor } from '../../local/wait.js';
import { compareRedis } from '../../verify/compare.js';
import type { DataPlaneRun, ResumeMode } from './contract.js';
import { createDataPlane } from './index.js';
import { endpointOf, flushAll, usePair, waitForPhase } from './test-support.js';

// DCS's sync carries the source's writes and deletes to the target; a key the source never had stays on the
// target. The incremental run does the same at its stop (events up to a barrier, no keyspace re-read) and in a
// resync after a gap without events (only keys it carried are deleted).
describe('data plane: the target keeps its own keys', () => {
  const pair = usePair();
  const dataPlane = createDataPlane({ resume: { attempts: 8, delayMs: 50 } });

  const clients: Redis[] = [];
  const track = (client: Redis) => (clients.push(client), client);
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  function startIncremental(resumeMode: ResumeMode): DataPlaneRun {
    const sides = { source: endpointOf(pair.source), target: endpointOf(pair.target) };
    return dataPlane.startOnlineMigration({ ...sides, method: 'incremental', resumeMode });
  }

  const gone =
    (redis: Redis, ...keys: string[]) =>
    async (): Promise<boolean> =>
      (await redis.exists(...keys)) === 0;

  /** SCAN calls a server has answered so far (INFO commandstats). */
  async function scans(redis: Redis): Promise<number> {
    return Number(/^cmdstat_scan:calls=(\d+)/m.exec(await redis.info('commandstats'))?.[1] ?? 0);
  }

  it('stop: keys written only to the target stay; source writes and deletes just before the stop arrive', async () => {
    const { source, target } = pair;
    await flushAll(source, target);
    const [s0, t0] = [track(source.client(0)), track(target.client(0))];
    const seed = s0.pipeline();
    for (let index = 0; index < 20_000; index++) seed.set(`seed:${index}`, index);
    await seed.exec();
    await t0.set('own:before', 'from before the migration');
    const run = startIncremental('manual');
    try {
      await waitForPhase(run, 'incremental');
      await t0.set('own:during', 'written to the target in the hold');
      await s0.del('seed:0');
      await waitFor('a source delete to reach the target', gone(t0, 'seed:0'), 10_000, 20);
      // A burst the stop must carry whole: its events may still be on their way when stop() is called.
      const burst = s0.pipeline();
      for (let index = 1; index <= 3_000; index++) burst.del(`seed:${index}`).set(`burst:${index}`, index);
      await burst.exec();
      const scansBefore = [await scans(s0), await scans(t0)];
      await run.stop();
      // The stop reads what changed, not the keyspace: no SCAN on either side.
      expect([await scans(s0), await scans(t0)]).toEqual(scansBefore);
    } finally {
      await run.stop();
    }
    expect(run.phase()).toBe('stopped');
    expect(run.error()).toBeUndefined();
    expect(await t0.mget('own:before', 'own:during', 'seed:1', 'seed:3000', 'burst:3000')).toEqual([
      'from before the migration',
      'written to the target in the hold',
      null,
      null,
      '3000',
    ]);
    const report = await compareRedis(endpointOf(source), endpointOf(target));
    const differences = report.differences.map(({ key, kind }) => `${kind} ${key}`).sort();
    expect(differences).toEqual(['EXTRA own:before', 'EXTRA own:during']);
  });

  it('resync after a lost feed, and FLUSHDB: carried keys the source lost go, the target own stay', async () => {
    const { source, target } = pair;
    await flushAll(source, target);
    const [s0, t0] = [track(source.client(0)), track(target.client(0))];
    await s0.mset('carried:kept', '1', 'carried:gone', '2', 'carried:flushed', '3');
    await t0.set('own:before', 'x');
    const run = startIncremental('auto');
    try {
      await waitForPhase(run, 'incremental');
      await t0.set('own:during', 'y');
      // The feed is dropped and the key deleted in one round trip: the delete's event reaches no subscriber.
      const gap = s0.pipeline().call('CLIENT', 'KILL', 'TYPE', 'pubsub').del('carried:gone');
      expect((await gap.exec())?.map(([error, reply]) => error ?? reply)).toEqual([1, 1]);
      await waitFor('the resync to delete the key lost in the gap', gone(t0, 'carried:gone'), 20_000, 20);
      expect(run.phase()).toBe('incremental');
      expect(await t0.mget('carried:kept', 'own:before', 'own:during')).toEqual(['1', 'x', 'y']);

      await s0.flushdb();
      await waitFor('FLUSHDB to reach the target', gone(t0, 'carried:kept', 'carried:flushed'), 10_000, 20);
      expect(await t0.mget('own:before', 'own:during')).toEqual(['x', 'y']);
    } finally {
      await run.stop();
    }
    expect(run.phase()).toBe('stopped');
    expect(run.error()).toBeUndefined();
  });
});
