import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { seedSampleData } from '../local/sample-data.js';
import { compareRedis, type CompareCheckpoint } from '../verify/compare.js';

const endpoint = (server: RedisServer) => ({ host: server.host, port: server.port, password: server.password });
const found = (report: { differences: Array<{ db: number; kind: string; key: string }> }) =>
  report.differences.map(({ db, kind, key }) => `${db} ${kind} ${key}`).sort();

describe('verify engine (redis-full-check modes on real redis-servers)', () => {
  let source: RedisServer;
  let target: RedisServer;

  beforeAll(async () => {
    source = await startRedisServer({ password: 'src-pw' });
    target = await startRedisServer({ password: 'tgt-pw' });
  });

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  async function reset(keys = 2_000): Promise<void> {
    for (const server of [source, target]) {
      const client = server.client();
      await client.flushall();
      client.disconnect();
      if (keys > 0) await seedSampleData(endpoint(server), { keys, dbs: [0, 2], ttlFraction: 0.3, seed: 11 });
    }
  }

  it('finds exactly the planted differences, a one-field change in a 200k-field hash among them, with counts per db and type', async () => {
    await reset();
    const [s0, t0, s2, t2] = [source.client(0), target.client(0), source.client(2), target.client(2)];
    try {
      const fields = (prefix: string) =>
        Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`f${i}`, `${prefix}${i}`]));
      const big = fields('v');
      await s0.hset('plant:big', big);
      await t0.hset('plant:big', { ...big, f123456: 'changed' });
      await s0.hset('plant:big-equal', big);
      await t0.hset('plant:big-equal', big);
      await s0.set('plant:missing', 'x');
      await t2.sadd('plant:extra', 'a', 'b');
      await s2.set('plant:type', 'x');
      await t2.sadd('plant:type', 'x');
      await s0.rpush('plant:value', 'a', 'b', 'c');
      await t0.rpush('plant:value', 'a', 'B', 'c');
      await s2.set('plant:ttl', 'v', 'PX', 900_000);
      await t2.set('plant:ttl', 'v');
      // Expiring on the source within the tolerance: not counted, though the target lacks it.
      await s0.set('plant:expiring', 'v', 'PX', 500);

      const report = await compareRedis(endpoint(source), endpoint(target));
      expect(found(report)).toEqual([
        '0 MISSING plant:missing',
        '0 VALUE plant:big',
        '0 VALUE plant:value',
        '2 EXTRA plant:extra',
        '2 TTL plant:ttl',
        '2 TYPE plant:type',
      ]);
      expect(report.totalDifferences).toBe(6);
      expect(report.differences.find(({ key }) => key === 'plant:big')?.detail).toBe(
        'hash contents differ (200000 fields each)',
      );
      expect(report.dbs[0]?.byType.hash).toMatchObject({ VALUE: 1 });
      expect(report.dbs[0]?.byType.list).toMatchObject({ VALUE: 1 });
      expect(report.dbs[2]?.byType.set).toMatchObject({ EXTRA: 1 });
      expect(report.dbs[2]?.byType.string).toMatchObject({ TYPE: 1, TTL: 1 });
      expect(report.precheck[0]?.source).toBe(1_000 + 5);
      expect(report.precheck[2]?.target).toBe(1_000 + 3);
      expect(report.keysCompared).toBeGreaterThanOrEqual(2_000);
      expect(report.durationMs).toBeGreaterThan(0);
      expect(JSON.stringify(report)).not.toMatch(/src-pw|tgt-pw/);

      // length mode: only differences that change a length (or type, TTL, existence); outline: existence and type.
      const length = await compareRedis(endpoint(source), endpoint(target), { mode: 'length' });
      expect(found(length)).toEqual([
        '0 MISSING plant:missing',
        '2 EXTRA plant:extra',
        '2 TTL plant:ttl',
        '2 TYPE plant:type',
      ]);
      await t0.rpush('plant:value', 'd');
      const outline = await compareRedis(endpoint(source), endpoint(target), { mode: 'outline', checkExtra: false });
      expect(found(outline)).toEqual(['0 MISSING plant:missing', '2 TYPE plant:type']);
      const lengthAgain = await compareRedis(endpoint(source), endpoint(target), {
        mode: 'length',
        dbs: [0],
        checkExtra: false,
      });
      expect(lengthAgain.differences.find(({ key }) => key === 'plant:value')?.detail).toBe(
        'list lengths differ: source 3 elements, target 4 elements',
      );

      // Past lengthOnlyAbove the big hash is compared by length only.
      const lengthOnly = await compareRedis(endpoint(source), endpoint(target), {
        dbs: [0],
        checkExtra: false,
        lengthOnlyAbove: 100_000,
      });
      expect(found(lengthOnly)).toEqual(['0 MISSING plant:missing', '0 VALUE plant:value']);
    } finally {
      for (const client of [s0, t0, s2, t2]) client.disconnect();
    }
  }, 120_000);

  it('compares big lists, sets, zsets and streams in windows', async () => {
    await reset(0);
    const [s, t] = [source.client(0), target.client(0)];
    try {
      const items = Array.from({ length: 25_000 }, (_, i) => `m${i}`);
      for (const client of [s, t]) {
        await client.rpush('list:same', ...items);
        await client.sadd('set:same', ...items);
        await client.zadd('zset:same', ...items.flatMap((item, i) => [i, item]));
      }
      await s.rpush('list:diff', ...items);
      await t.rpush('list:diff', ...items.slice(0, 20_000), 'x', ...items.slice(20_001));
      await s.sadd('set:diff', ...items);
      await t.sadd('set:diff', ...items.slice(1), 'other');
      await s.zadd('zset:diff', ...items.flatMap((item, i) => [i, item]));
      await t.zadd('zset:diff', ...items.flatMap((item, i) => [i === 24_999 ? 0.5 : i, item]));
      const pipeline = (client: typeof s, last: string) => {
        const p = client.pipeline();
        for (let i = 1; i <= 12_000; i++) p.xadd('stream:diff', `${i}-0`, 'f', i === 11_999 ? last : 'v');
        for (let i = 1; i <= 12_000; i++) p.xadd('stream:same', `${i}-0`, 'f', 'v');
        return p.exec();
      };
      await pipeline(s, 'v');
      await pipeline(t, 'changed');
      const report = await compareRedis(endpoint(source), endpoint(target));
      expect(found(report)).toEqual([
        '0 VALUE list:diff',
        '0 VALUE set:diff',
        '0 VALUE stream:diff',
        '0 VALUE zset:diff',
      ]);
    } finally {
      s.disconnect();
      t.disconnect();
    }
  }, 120_000);

  it('samples by key name, holds a rate limit, and resumes from a checkpoint', async () => {
    await reset(4_000);
    const s0 = source.client(0);
    try {
      for (let i = 0; i < 200; i++) await s0.set(`only-source:${i}`, 'x');
      const sampled = await compareRedis(endpoint(source), endpoint(target), { sampleRatio: 0.25 });
      expect(sampled.totalDifferences).toBeGreaterThan(20);
      expect(sampled.totalDifferences).toBeLessThan(90);
      expect(sampled.keysCompared).toBeLessThan(1_500 * 2);
      // The same keys every time.
      expect((await compareRedis(endpoint(source), endpoint(target), { sampleRatio: 0.25 })).totalDifferences).toBe(
        sampled.totalDifferences,
      );

      const started = Date.now();
      const paced = await compareRedis(endpoint(source), endpoint(target), {
        dbs: [2],
        checkExtra: false,
        keysPerSecond: 1_000,
        batchSize: 100,
      });
      expect(paced.keysCompared).toBe(2_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);

      // Interrupt after the first checkpoint, then resume from it: same totals as one uninterrupted run.
      const whole = await compareRedis(endpoint(source), endpoint(target), { batchSize: 50 });
      let saved: CompareCheckpoint | undefined;
      const stop = new Error('worker stopped');
      const interrupted = await compareRedis(endpoint(source), endpoint(target), {
        batchSize: 50,
        progressIntervalMs: 0,
        onProgress: (checkpoint) => {
          if (checkpoint.cursor !== '0' && checkpoint.report.keysCompared > 0) {
            saved = JSON.parse(JSON.stringify(checkpoint)) as CompareCheckpoint;
            throw stop;
          }
        },
      }).catch((error: unknown) => error);
      expect(interrupted).toBe(stop);
      expect(saved?.report.keysCompared).toBeLessThan(whole.keysCompared);
      const resumed = await compareRedis(endpoint(source), endpoint(target), { batchSize: 50, resumeFrom: saved });
      expect(resumed.totalDifferences).toBe(200);
      expect(resumed.dbs[0]?.byKind).toEqual(whole.dbs[0]?.byKind);
      expect(resumed.dbs[2]?.byKind).toEqual(whole.dbs[2]?.byKind);
    } finally {
      s0.disconnect();
    }
  }, 120_000);

  it('refuses bad options naming them', async () => {
    await expect(compareRedis(endpoint(source), endpoint(target), { sampleRatio: 0 })).rejects.toThrow(
      'sampleRatio must be > 0 and <= 1, got 0',
    );
    await expect(compareRedis(endpoint(source), endpoint(target), { keysPerSecond: -1 })).rejects.toThrow(
      'keysPerSecond must be > 0',
    );
  });
});
