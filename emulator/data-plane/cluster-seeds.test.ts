/**
 * A self-hosted Redis Cluster given as several addresses (DCS's `addrs`, its masters comma-separated): the run
 * reaches the cluster through any of them, also when the first does not answer; several addresses of a standalone
 * server fail the run, saying why. Real redis-servers.
 */
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../../local/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { seedSampleData } from '../../local/sample-data.js';
import { compareRedis } from '../../verify/compare.js';
import type { MigrationEndpoint } from './contract.js';
import { createDataPlane } from './index.js';

const password = 'seeds-pw';

describe('data plane: a cluster given as several addresses', () => {
  let source: RedisCluster;
  let target: RedisServer;
  let other: RedisServer;
  const dataPlane = createDataPlane({ resume: { attempts: 1, delayMs: 50 } });

  beforeAll(async () => {
    [source, target, other] = await Promise.all([
      startRedisCluster({ name: 'seeds-source', masters: 3, server: { password } }),
      startRedisServer({ name: 'seeds-target', password }),
      startRedisServer({ name: 'seeds-other', password }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop(), other?.stop()]);
  });

  it('copies the whole cluster when the first address does not answer (resume mode manual)', async () => {
    const masters = source.nodes.map(({ host, port }) => ({ host, port }));
    await seedSampleData({ ...masters[0]!, password }, { keys: 3_000, dbs: [0], seed: 21 });
    const nobody = await getPort({ host: '127.0.0.1' });
    const given: MigrationEndpoint = { host: '127.0.0.1', port: nobody, password, seeds: masters };
    const run = dataPlane.startOnlineMigration({
      source: given,
      target: target.endpoint,
      method: 'full',
      resumeMode: 'manual',
    });
    await run.ended;
    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('succeeded');
    expect(Object.keys(run.stats().shards ?? {})).toHaveLength(3);
    const report = await compareRedis({ ...masters[1]!, password }, target.endpoint);
    expect(report.keysCompared).toBeGreaterThanOrEqual(3_000);
    expect(report.totalDifferences).toBe(0);
  });

  it('fails, naming the addresses, when they are not one cluster', async () => {
    const given: MigrationEndpoint = { ...other.endpoint, seeds: [{ host: target.host, port: target.port }] };
    const run = dataPlane.startOnlineMigration({
      source: given,
      target: target.endpoint,
      method: 'full',
      resumeMode: 'manual',
    });
    await run.ended;
    expect(run.phase()).toBe('failed');
    expect(run.error()).toMatch(/several addresses \(.*,.*\), but .* is no Redis Cluster node: give one host:port/);
    expect(run.error()).not.toContain(password);
  });
});
