import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../../local/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { seedSampleData, startTraffic } from '../../local/sample-data.js';
import { waitFor } from '../../local/wait.js';
import { compareRedis } from '../../verify/compare.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import { createDataPlane } from './index.js';
import { endpointOf, waitForPhase } from './test-support.js';

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
      await waitFor(
        'the change queue to drain',
        async () => run.phase() === 'incremental' && run.stats().offset === 0,
        30_000,
        20,
      );
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
  }, 90_000);
});
