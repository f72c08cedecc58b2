import { readFile } from 'node:fs/promises';
import getPort from 'get-port';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../local/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { createTestCertificates, tlsServerConfig, type TestCertificates } from '../local/tls-certificates.js';
import { compareRedis, type CompareCheckpoint } from './compare.js';
import { parseRedisUrl } from '../redis/url.js';
import { renderReport } from './render-report.js';

const KEYS = 600;
const nodeOf = (cluster: RedisCluster) => ({ host: cluster.nodes[1]!.host, port: cluster.nodes[1]!.port }); // any node, not the first

/** Key `k:<index>`: a string, a hash or a list by index (single-key commands only, so a Cluster client can route them). */
function writeKey(client: Redis | Cluster, index: number): Promise<unknown> {
  const key = `k:${index}`;
  if (index % 3 === 0) return client.set(key, `value-${index}`);
  if (index % 3 === 1) return client.hset(key, { a: String(index), b: 'x' });
  return client.rpush(key, 'one', String(index));
}

/** The same keys on any topology. */
async function seed(client: Redis | Cluster): Promise<void> {
  await Promise.all(Array.from({ length: KEYS }, (_, index) => writeKey(client, index)));
}

function clusterClient(cluster: RedisCluster): Cluster {
  return new Cluster([nodeOf(cluster)]);
}

describe('compareRedis across topologies', () => {
  let source: RedisCluster;
  let target: RedisCluster;
  let standalone: RedisServer;

  beforeAll(async () => {
    [source, target, standalone] = await Promise.all([
      startRedisCluster({ name: 'verify-source' }),
      startRedisCluster({ name: 'verify-target', masters: 3 }),
      startRedisServer(),
    ]);
    for (const client of [clusterClient(source), clusterClient(target), standalone.client()]) {
      await seed(client);
      client.disconnect();
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop(), standalone?.stop()]);
  });

  it('finds a cluster from any node and compares it shard by shard: identical clusters have 0 differences', async () => {
    const report = await compareRedis(nodeOf(source), nodeOf(target));
    expect(report.totalDifferences).toBe(0);
    expect(report.dbs[0]?.keys).toBe(KEYS);
    const shards = Object.entries(report.shards);
    expect(shards.map(([name]) => name).sort()).toEqual(source.nodes.map((node) => `${node.host}:${node.port}`).sort());
    // Every master holds part of the keys: a cluster scanned through one node only would show one shard.
    expect(shards.every(([, counts]) => counts.keys > 0 && counts.differences === 0)).toBe(true);
    expect(shards.reduce((sum, [, counts]) => sum + counts.keys, 0)).toBe(KEYS);
    expect(report.precheck[0]).toEqual({ source: KEYS, target: KEYS });
    expect(report.topology).toEqual({ source: 'cluster', target: 'cluster' });
  });

  it('names a planted difference by key and by the shard that holds it', async () => {
    const client = clusterClient(target);
    try {
      await client.del('k:7');
      await client.hset('k:10', 'a', 'changed');
      const report = await compareRedis(nodeOf(source), nodeOf(target));
      const slotOf = async (key: string) => Number(await client.call('CLUSTER', 'KEYSLOT', key));
      const shardOf = async (key: string) => {
        const slot = await slotOf(key);
        const index = source.slots.findIndex(([first, last]) => slot >= first && slot <= last);
        return `${source.nodes[index]!.host}:${source.nodes[index]!.port}`;
      };
      expect(report.differences.map(({ kind, key, shard }) => ({ kind, key, shard }))).toEqual(
        expect.arrayContaining([
          { kind: 'MISSING', key: 'k:7', shard: await shardOf('k:7') },
          { kind: 'VALUE', key: 'k:10', shard: await shardOf('k:10') },
        ]),
      );
      expect(report.totalDifferences).toBe(2);
      expect(report.shards[await shardOf('k:7')]?.differences).toBeGreaterThanOrEqual(1);
      const lines = renderReport(report);
      expect(lines).toContain(`db0  MISSING  k:7  (hash missing on the target)  [shard ${await shardOf('k:7')}]`);
      expect(lines.filter((line) => line.startsWith('shard '))).toHaveLength(3);
    } finally {
      await client.hset('k:7', { a: '7', b: 'x' });
      await client.hset('k:10', 'a', '10');
      client.disconnect();
    }
  });

  it('resumes a cluster comparison from a checkpoint in the middle of its second master', async () => {
    const client = clusterClient(target);
    const planted = [0, 1, 2, 3, 4, 5];
    await Promise.all(planted.map((index) => client.del(`k:${index}`))); // one key per call: they live in different slots
    try {
      const whole = await compareRedis(nodeOf(source), nodeOf(target), { batchSize: 20 });
      expect(whole.totalDifferences).toBe(6);
      let saved: CompareCheckpoint | undefined;
      const stop = new Error('worker stopped');
      const interrupted = await compareRedis(nodeOf(source), nodeOf(target), {
        batchSize: 20,
        progressIntervalMs: 0,
        onProgress: (checkpoint) => {
          if (checkpoint.shardIndex === 1 && checkpoint.cursor !== '0') {
            saved = JSON.parse(JSON.stringify(checkpoint)) as CompareCheckpoint;
            throw stop;
          }
        },
      }).catch((error: unknown) => error);
      expect(interrupted).toBe(stop);
      const resumed = await compareRedis(nodeOf(source), nodeOf(target), { batchSize: 20, resumeFrom: saved });
      // Every key counted once: the same totals, per kind and per shard, as the uninterrupted run.
      expect(resumed.totalDifferences).toBe(6);
      expect(resumed.dbs[0]).toEqual(whole.dbs[0]);
      expect(resumed.shards).toEqual(whole.shards);
    } finally {
      await Promise.all(planted.map((index) => writeKey(client, index)));
      client.disconnect();
    }
  });

  it('compares a standalone server with a cluster, both ways (db 0)', async () => {
    const standaloneEndpoint = { host: standalone.host, port: standalone.port };
    const toCluster = await compareRedis(standaloneEndpoint, nodeOf(target));
    expect(toCluster.totalDifferences).toBe(0);
    expect(Object.keys(toCluster.shards)).toEqual([`${standalone.host}:${standalone.port}`]);
    expect(toCluster.topology).toEqual({ source: 'standalone', target: 'cluster' });
    const fromCluster = await compareRedis(nodeOf(source), standaloneEndpoint);
    expect(fromCluster.totalDifferences).toBe(0);
    expect(fromCluster.dbs[0]?.keys).toBe(KEYS);
    expect(Object.keys(fromCluster.shards).sort()).toEqual(
      source.nodes.map((node) => `${node.host}:${node.port}`).sort(),
    );
  });

  it('refuses a db other than 0 on a cluster, naming the side', async () => {
    const failure = await compareRedis({ host: standalone.host, port: standalone.port }, nodeOf(target), {
      dbs: [2],
    }).catch((error: Error) => error);
    expect((failure as Error).message).toBe(
      `compare: target Redis at ${nodeOf(target).host}:${nodeOf(target).port}: a cluster has only db 0, not db 2`,
    );
  });
});

describe('compareRedis with an ACL user over TLS', () => {
  let certificates: TestCertificates;
  let server: RedisServer;
  let tlsPort: number;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    tlsPort = await getPort({ host: '127.0.0.1' });
    server = await startRedisServer({ config: tlsServerConfig(certificates, tlsPort) });
    const client = server.client();
    await seed(client);
    await client.call('ACL', 'SETUSER', 'verifier', 'on', '>verifier-secret', '~*', '+@all');
    await client.call('ACL', 'SETUSER', 'default', 'off');
    client.disconnect();
  });

  afterAll(async () => {
    await server?.stop();
    await certificates?.remove();
  });

  it('logs in as the ACL user over rediss:// with the CA, and never shows the password', async () => {
    const ca = await readFile(certificates.caFile, 'utf8');
    const { endpoint } = parseRedisUrl(
      '--source',
      `rediss://verifier:verifier-secret@127.0.0.1:${tlsPort}`,
      undefined,
      { ca },
    );
    expect(endpoint).toMatchObject({ username: 'verifier', tls: { ca } });
    const report = await compareRedis(endpoint, endpoint);
    expect(report.totalDifferences).toBe(0);
    expect(report.dbs[0]?.keys).toBe(KEYS);

    const wrong = await compareRedis({ ...endpoint, password: 'not-it' }, endpoint).catch((error: Error) => error);
    expect((wrong as Error).message).toBe(
      `compare: source Redis at 127.0.0.1:${tlsPort}: authentication failed (wrong or missing password)`,
    );
    // Without the CA the self-signed certificate is refused; --tls-insecure accepts it.
    const untrusted = await compareRedis({ ...endpoint, tls: {} }, endpoint).catch((error: Error) => error);
    expect((untrusted as Error).message).toMatch(
      /^compare: source Redis at 127\.0\.0\.1:\d+: .*(self.signed|certificate)/i,
    );
    expect((untrusted as Error).message).not.toContain('verifier-secret');
    expect((await compareRedis({ ...endpoint, tls: { insecure: true } }, endpoint)).totalDifferences).toBe(0);
  });

  it('rejects a CA for a redis:// URL, naming the flag', () => {
    expect(() => parseRedisUrl('--target', 'redis://127.0.0.1:1', undefined, { ca: 'x' })).toThrow(
      '--target: a CA certificate needs a rediss:// URL',
    );
    expect(() => parseRedisUrl('--target', 'http://127.0.0.1:1')).toThrow(
      '--target: expected a redis:// or rediss:// (TLS) URL, got http://',
    );
  });
});
