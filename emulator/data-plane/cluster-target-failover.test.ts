import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../../local/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { seedSampleData, startTraffic } from '../../local/sample-data.js';
import { waitFor } from '../../local/wait.js';
import { compareRedis } from '../../verify/compare.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import { createDataPlane } from './index.js';
import { keySlot } from '../../redis/key-slot.js';
import { endpointOf, waitForDrain, waitForPhase } from './test-support.js';

const targetPassword = 'failover-target-pw';

describe('data plane: a cluster target that fails over', () => {
  let source: RedisServer;
  let target: RedisCluster;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startRedisServer({ name: 'dp-failover-source', password: 'failover-source-pw' }),
      startRedisCluster({
        name: 'dp-failover-target',
        masters: 3,
        replicasPerMaster: 1,
        nodeTimeoutMs: 1_000,
        server: { password: targetPassword },
      }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  // A master that counts its cluster as down refuses a script's commands with a plain ERR ("Script attempted to
  // execute a command while the cluster is down"), as every master does between losing a peer and learning of its
  // replacement, or when a busy machine lets a node miss its node timeout. Here one master's own view lacks one of
  // its slots (CLUSTER DELSLOTS) until the test gives it back: the run must wait for it, not fail.
  it('incremental, resume mode manual: a target master that counts its cluster down for a while is waited for, then written: 0 differences', async () => {
    const from = endpointOf(source);
    const to: RedisEndpoint = { host: target.nodes[0]!.host, port: target.nodes[0]!.port, password: targetPassword };
    // The third master: the failover test below moves the second one's slots.
    const downNode = target.nodes[2]!;
    const [firstSlot, lastSlot] = target.slots[2]!;
    const down = new Redis({ host: downNode.host, port: downNode.port, password: targetPassword });
    const writer = source.client();
    const keys = Array.from({ length: 300 }, (_, index) => `cluster-down:${index}`).filter((key) => {
      const slot = keySlot(key);
      return slot > firstSlot && slot <= lastSlot;
    });
    const run = createDataPlane().startOnlineMigration({
      source: from,
      target: to,
      method: 'incremental',
      resumeMode: 'manual',
    });
    try {
      await waitForPhase(run, 'incremental');
      await down.call('CLUSTER', 'DELSLOTS', firstSlot);
      await waitFor(
        'the master to count its cluster down',
        async () => /^cluster_state:fail/m.test(String(await down.call('CLUSTER', 'INFO'))),
        10_000,
        20,
      );
      // Changes whose keys that master serves: the run's writes there are refused while it counts the cluster down.
      for (const key of keys) await writer.set(key, 'written while a target master counted its cluster down');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(run.error()).toBeUndefined();
      expect(run.phase()).toBe('incremental');
      await down.call('CLUSTER', 'ADDSLOTS', firstSlot);
      await waitFor(
        'the changes to reach that master',
        async () => (await down.get(keys.at(-1)!)) === 'written while a target master counted its cluster down',
        30_000,
        20,
      );
      await waitForDrain(run);
      expect((await compareRedis(from, to)).differences).toEqual([]);
    } finally {
      await down.call('CLUSTER', 'ADDSLOTS', firstSlot).catch(() => undefined); // already back unless the test failed
      down.disconnect();
      writer.disconnect();
      await run.stop();
    }
    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('stopped');
  }, 60_000);

  it('incremental, resume mode manual: writes refused by a demoted target master are resynced after the failover: 0 differences', async () => {
    const from = endpointOf(source);
    const to: RedisEndpoint = { host: target.nodes[0]!.host, port: target.nodes[0]!.port, password: targetPassword };
    await seedSampleData(from, { keys: 10_000, dbs: [0], seed: 21 });
    const traffic = startTraffic(from, { keys: 10_000, dbs: [0], seed: 21, opsPerSecond: 1_500 });
    const run = createDataPlane().startOnlineMigration({
      source: from,
      target: to,
      method: 'incremental',
      resumeMode: 'manual',
    });
    const replica = new Redis({
      host: target.replicas[1]![0]!.host,
      port: target.replicas[1]![0]!.port,
      password: targetPassword,
    });
    try {
      await waitForPhase(run, 'incremental');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await replica.call('CLUSTER', 'FAILOVER');
      await waitFor(
        'the target replica to be promoted',
        async () => /role:master/.test(await replica.info('replication')),
        20_000,
        50,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await traffic.stop();
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      await waitForDrain(run);
      expect(run.error()).toBeUndefined();
      const live = await compareRedis(from, to, { recheck: { rounds: 3, intervalMs: 300 } });
      expect(live.differences).toEqual([]);
    } finally {
      replica.disconnect();
      await traffic.stop().catch(() => undefined);
      await run.stop();
    }
    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('stopped');
    expect((await compareRedis(from, to)).totalDifferences).toBe(0);
  }, 120_000);
});
