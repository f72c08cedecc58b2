import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';
import { waitFor } from './wait.js';

describe('startRedisCluster with replicas', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster({
      name: 'cluster-replicas',
      masters: 3,
      replicasPerMaster: 1,
      server: { password: 'pw' },
    });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('attaches one replica per master, which takes over the master slots on a failover', async () => {
    expect(cluster.replicas.map((own) => own.length)).toEqual([1, 1, 1]);
    const [master, replica] = [cluster.nodes[0]!, cluster.replicas[0]![0]!];
    const client = new Cluster([{ host: master.host, port: master.port }], { redisOptions: { password: 'pw' } });
    try {
      await client.set('{a}k', 'v');
      const replicaClient = replica.client();
      try {
        expect(await replicaClient.info('replication')).toMatch(/role:slave/);
        await replicaClient.call('CLUSTER', 'FAILOVER');
        await waitFor(
          'replica promoted',
          async () => /role:master/.test(await replicaClient.info('replication')),
          20_000,
          100,
        );
      } finally {
        replicaClient.disconnect();
      }
      expect(await client.get('{a}k')).toBe('v');
    } finally {
      client.disconnect();
    }
  }, 60_000);
});
