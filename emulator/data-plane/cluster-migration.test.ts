import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushClusterMasters, startRedisCluster, type RedisCluster } from '../../local/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { seedSampleData, startTraffic } from '../../local/sample-data.js';
import { waitFor } from '../../local/wait.js';
import { compareRedis } from '../../verify/compare.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import { createDataPlane } from './index.js';
import { endpointOf, flushAll, waitForDrain, waitForPhase } from './test-support.js';

const sourcePassword = 'cluster-source-pw';
const targetPassword = 'cluster-target-pw';

/** Any node but the first, so that nothing depends on being given the master of slot 0. */
const nodeOf = (cluster: RedisCluster, password: string): RedisEndpoint => ({
  host: cluster.nodes[1]!.host,
  port: cluster.nodes[1]!.port,
  password,
});

function clusterClient(endpoint: RedisEndpoint): Cluster {
  return new Cluster([{ host: endpoint.host, port: endpoint.port }], { redisOptions: { password: endpoint.password } });
}

describe('data plane: Redis Cluster sources and targets', () => {
  let source: RedisCluster;
  let target: RedisCluster;
  let standalone: RedisServer;
  // Low limits so that the chunked copy (temp key + RENAME in the key's slot) runs on a cluster too.
  const dataPlane = createDataPlane({
    bigKeys: { maxElements: 2_000, chunkElements: 500 },
    resume: { attempts: 3, delayMs: 100 },
  });

  beforeAll(async () => {
    [source, target, standalone] = await Promise.all([
      startRedisCluster({
        name: 'dp-source',
        masters: 3,
        replicasPerMaster: 1,
        nodeTimeoutMs: 1_000,
        server: { password: sourcePassword },
      }),
      startRedisCluster({ name: 'dp-target', masters: 3, server: { password: targetPassword } }),
      startRedisServer({ name: 'dp-standalone', password: 'standalone-pw' }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop(), standalone?.stop()]);
  });

  it('full: copies 20,000 keys of every type (TTLs, big keys, hash-tagged keys) between two 3-master clusters with 0 differences', async () => {
    const from = nodeOf(source, sourcePassword);
    const to = nodeOf(target, targetPassword);
    const seeded = await seedSampleData(from, { keys: 20_000, dbs: [0], ttlFraction: 0.3, seed: 16 });
    expect(seeded.withTtl).toBeGreaterThan(5_000);
    const client = clusterClient(from);
    try {
      // Big keys (chunked) with and without a hash tag of their own, one with a TTL.
      for (const key of ['big:hash', '{tag}big:hash', 'odd}{name']) {
        for (let start = 0; start < 5_000; start += 1_000) {
          await client.hset(
            key,
            Object.fromEntries(Array.from({ length: 1_000 }, (_, index) => [`f${start + index}`, `v${index}`])),
          );
        }
      }
      await client.pexpire('big:hash', 900_000);
      await client.rpush('big:list', ...Array.from({ length: 3_000 }, (_, index) => `item${index}`));
    } finally {
      client.disconnect();
    }

    const run = dataPlane.startOnlineMigration({
      source: from,
      target: to,
      method: 'full',
      resumeMode: 'manual',
      bandwidthLimitMb: 500,
    });
    await run.ended;
    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('succeeded');
    const stats = run.stats();
    expect(stats.keysCopied).toBe(20_004);
    expect(stats.sourceDbSize).toBe(20_004);
    expect(stats.targetDbSize).toBe(20_004);
    // Per-shard progress: every source master contributed about a third.
    expect(stats.shards).toHaveLength(3);
    expect(stats.shards?.reduce((sum, shard) => sum + shard.keysCopied, 0)).toBe(20_004);
    for (const shard of stats.shards ?? []) expect(shard.keysCopied).toBeGreaterThan(5_000);

    const report = await compareRedis(from, to, { ttlToleranceMs: 1_000 });
    expect(report.topology).toEqual({ source: 'cluster', target: 'cluster' });
    expect(report.differences).toEqual([]);
    expect(report.totalDifferences).toBe(0);
    expect(report.dbs[0]?.byKind.OK).toBe(20_004);
  }, 90_000);

  it('a dropped connection to a cluster that did not fail over is left to the resume mode: manual fails, auto resumes', async () => {
    const from = nodeOf(source, sourcePassword);
    const to = nodeOf(target, targetPassword);
    await flushClusterMasters(to);
    const manual = dataPlane.startOnlineMigration({
      source: from,
      target: to,
      method: 'full',
      resumeMode: 'manual',
      faults: { dropSourceAtProgress: 30 },
    });
    await manual.ended;
    expect(manual.phase()).toBe('failed');
    // The dropped socket reads as closed, or as reset when the kill lands mid-write (a busy machine): both are a
    // lost connection, which is what the resume mode is about.
    expect(manual.error()).toMatch(
      /^(the connection to|cannot reach) the source Redis at 127\.0\.0\.1:\d+( was lost|: ECONNRESET)$/,
    );
    expect(manual.failedOnConnection()).toBe(true);
    const auto = dataPlane.startOnlineMigration({
      source: from,
      target: to,
      method: 'full',
      resumeMode: 'auto',
      faults: { dropSourceAtProgress: 30 },
    });
    await auto.ended;
    expect(auto.error()).toBeUndefined();
    expect(auto.phase()).toBe('succeeded');
    expect((await compareRedis(from, to)).totalDifferences).toBe(0);
  }, 60_000);

  it('standalone → cluster (db 0; other dbs skipped with a message) and cluster → standalone, incremental', async () => {
    const single = endpointOf(standalone);
    const to = nodeOf(target, targetPassword);
    await flushAll(standalone);
    await flushClusterMasters(to);
    await seedSampleData(single, { keys: 4_000, dbs: [0, 3], seed: 7 });
    const messages: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void messages.push(message);
    try {
      const intoCluster = dataPlane.startOnlineMigration({
        source: single,
        target: to,
        method: 'full',
        resumeMode: 'manual',
      });
      await intoCluster.ended;
      expect(intoCluster.error()).toBeUndefined();
      expect(intoCluster.phase()).toBe('succeeded');
      expect(intoCluster.stats().shards).toBeUndefined();
    } finally {
      console.warn = warn;
    }
    expect(messages.join('\n')).toMatch(/is a cluster, which has db 0 only: keys of source db 3 are not copied/);
    const intoClusterReport = await compareRedis(single, to, { dbs: [0] });
    expect(intoClusterReport.totalDifferences).toBe(0);
    expect(intoClusterReport.dbs[0]?.byKind.OK).toBe(2_000);

    // Back: the cluster (source) into the standalone server's db 0, following changes.
    await flushAll(standalone);
    const outOfCluster = dataPlane.startOnlineMigration({
      source: to,
      target: single,
      method: 'incremental',
      resumeMode: 'manual',
    });
    const client = clusterClient(to);
    try {
      await waitForPhase(outOfCluster, 'incremental');
      await client.set('live:one', '1');
      await client.del('sample:string:0');
      await client.del('sample:string:10');
      const check = new Redis({ host: single.host, port: single.port, password: single.password });
      try {
        await waitFor(
          'a write on the cluster to reach the standalone target',
          async () => (await check.get('live:one')) === '1',
          10_000,
          20,
        );
      } finally {
        check.disconnect();
      }
    } finally {
      client.disconnect();
      await outOfCluster.stop();
    }
    expect(outOfCluster.error()).toBeUndefined();
    expect(outOfCluster.phase()).toBe('stopped');
    expect((await compareRedis(to, single)).totalDifferences).toBe(0);
  }, 90_000);

  it('incremental: follows writes on every master and survives a CLUSTER FAILOVER of a source master: 0 differences', async () => {
    const from = nodeOf(source, sourcePassword);
    const to = nodeOf(target, targetPassword);
    await flushClusterMasters(to);
    const traffic = startTraffic(from, { keys: 20_000, dbs: [0], seed: 16, opsPerSecond: 1_500 });
    const run = dataPlane.startOnlineMigration({
      source: from,
      target: to,
      method: 'incremental',
      resumeMode: 'manual',
    });
    const replica = new Redis({
      host: source.replicas[2]![0]!.host,
      port: source.replicas[2]![0]!.port,
      password: sourcePassword,
    });
    let expiring: number | undefined;
    try {
      await waitForPhase(run, 'incremental');
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Writes keep going while the replica of the third master takes over its slots.
      await replica.call('CLUSTER', 'FAILOVER');
      await waitFor(
        'the replica to be promoted',
        async () => /role:master/.test(await replica.info('replication')),
        20_000,
        50,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const summary = await traffic.stop();
      expiring = summary.expiring;
      expect(summary.writes).toBeGreaterThan(1_000);
      // Keys the traffic gave a short TTL expire within 1.5 s; then the feed has nothing left to catch up.
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      await waitForDrain(run);
      expect(run.error()).toBeUndefined();
      const promoted = `${source.replicas[2]![0]!.host}:${source.replicas[2]![0]!.port}`;
      // The new master was found and followed (its keys were copied in the resync).
      await waitFor(
        'keys copied from the promoted master',
        () => run.stats().shards?.some((shard) => shard.shard === promoted && shard.keysCopied > 0),
        30_000,
        50,
      );
      const live = await compareRedis(from, to, { recheck: { rounds: 3, intervalMs: 300 } });
      expect(live.differences).toEqual([]);
      expect(live.totalDifferences).toBe(0);
    } finally {
      replica.disconnect();
      await traffic.stop().catch(() => undefined);
      await run.stop();
    }
    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('stopped');
    const report = await compareRedis(from, to);
    expect(report.differences).toEqual([]);
    expect(report.totalDifferences).toBe(0);
    expect(expiring ?? 0).toBeGreaterThan(0);
  }, 120_000);

  it('incremental, resume mode manual: survives a source master killed outright (its replica takes over): 0 differences', async () => {
    const from = nodeOf(source, sourcePassword);
    const to = nodeOf(target, targetPassword);
    await flushClusterMasters(to);
    const traffic = startTraffic(from, { keys: 20_000, dbs: [0], seed: 17, opsPerSecond: 1_000 });
    const run = dataPlane.startOnlineMigration({
      source: from,
      target: to,
      method: 'incremental',
      resumeMode: 'manual',
    });
    const replica = new Redis({
      host: source.replicas[0]![0]!.host,
      port: source.replicas[0]![0]!.port,
      password: sourcePassword,
    });
    try {
      await waitForPhase(run, 'incremental');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await source.nodes[0]!.kill();
      await waitFor(
        'the replica to take over',
        async () => /role:master/.test(await replica.info('replication')),
        30_000,
        100,
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
