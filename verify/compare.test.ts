import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { seedSampleData } from '../local/sample-data.js';
import { compareRedis, printableKey } from './compare.js';

const endpoint = (server: RedisServer) => ({ host: server.host, port: server.port, password: server.password });

describe('compareRedis', () => {
  let source: RedisServer;
  let target: RedisServer;

  beforeAll(async () => {
    source = await startRedisServer({ password: 'source-secret' });
    // Another encoding threshold on the target: equal hashes get different DUMP payloads there.
    target = await startRedisServer({ password: 'target-secret', config: { 'hash-max-listpack-entries': '2' } });
  });

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  async function seedBoth(): Promise<void> {
    for (const server of [source, target]) {
      const client = server.client();
      await client.flushall();
      client.disconnect();
      await seedSampleData(endpoint(server), { keys: 3_000, dbs: [0, 3], ttlFraction: 0.3, seed: 7 });
    }
  }

  it('reports no differences between equal servers, even where payload encodings differ', async () => {
    await seedBoth();
    const report = await compareRedis(endpoint(source), endpoint(target));
    expect(report.totalDifferences).toBe(0);
    expect(report.differences).toEqual([]);
    expect(report.dbs[0]?.keys).toBe(1_500);
    expect(report.dbs[3]?.keys).toBe(1_500);
    expect(report.dbs[0]?.byKind.OK).toBe(1_500);
  });

  it('finds exactly the planted MISSING, EXTRA, TYPE, VALUE and TTL differences', async () => {
    await seedBoth();
    const s0 = source.client(0);
    const t0 = target.client(0);
    const t3 = target.client(3);
    try {
      await s0.set('plant:missing', 'only on source');
      await t0.set('plant:extra', 'only on target');
      await t3.set(Buffer.from([0x62, 0x69, 0x6e, 0x00, 0xff]), 'binary extra key');
      await s0.set('plant:type', 'a string');
      await t0.rpush('plant:type', 'a list');
      await s0.hset('plant:value', { a: '1', b: '2', c: '3' });
      await t0.hset('plant:value', { a: '1', b: '2', c: 'changed' });
      await s0.set('plant:ttl', 'v', 'PX', 600_000);
      await t0.set('plant:ttl', 'v', 'PX', 300_000);
      // Within the 1 s tolerance: not a difference.
      await s0.set('plant:ttl-close', 'v', 'PX', 600_000);
      await t0.set('plant:ttl-close', 'v', 'PX', 599_600);

      const report = await compareRedis(endpoint(source), endpoint(target));
      const found = report.differences.map(({ db, key, kind }) => `${db} ${kind} ${key}`).sort();
      expect(found).toEqual(
        [
          '0 EXTRA plant:extra',
          '0 MISSING plant:missing',
          '0 TTL plant:ttl',
          '0 TYPE plant:type',
          '0 VALUE plant:value',
          '3 EXTRA bin\\x00\\xff',
        ].sort(),
      );
      expect(report.totalDifferences).toBe(6);
      expect(report.dbs[0]?.byKind).toMatchObject({ MISSING: 1, EXTRA: 1, TYPE: 1, VALUE: 1, TTL: 1 });
      expect(report.dbs[3]?.byKind.EXTRA).toBe(1);
      const details = Object.fromEntries(
        report.differences.map((difference) => [difference.kind + ' ' + difference.key, difference.detail]),
      );
      expect(details['TYPE plant:type']).toBe('source string, target list');
      expect(details['VALUE plant:value']).toBe('hash contents differ (3 fields each)');
      expect(details['TTL plant:ttl']).toMatch(/^TTLs differ by \d+ ms/);
      expect(JSON.stringify(report)).not.toContain('secret');

      const sourceOnly = await compareRedis(endpoint(source), endpoint(target), {
        checkExtra: false,
        maxDifferences: 2,
      });
      expect(sourceOnly.totalDifferences).toBe(4);
      expect(sourceOnly.differences).toHaveLength(2);
      expect(sourceOnly.differences.every((difference) => difference.kind !== 'EXTRA')).toBe(true);
    } finally {
      for (const client of [s0, t0, t3]) client.disconnect();
    }
  });

  it('re-checks differences and drops those that resolved themselves (changes in flight)', async () => {
    const s5 = source.client(5);
    const t5 = target.client(5);
    try {
      await s5.set('still-missing', 'only on source');
      await t5.set('in-flight', 'gone soon', 'PX', 2_000);
      const once = await compareRedis(endpoint(source), endpoint(target), { dbs: [5], ttlToleranceMs: 100 });
      expect(once.differences.map(({ kind, key }) => `${kind} ${key}`).sort()).toEqual([
        'EXTRA in-flight',
        'MISSING still-missing',
      ]);

      await t5.set('in-flight', 'gone soon', 'PX', 2_000);
      const rechecked = await compareRedis(endpoint(source), endpoint(target), {
        dbs: [5],
        ttlToleranceMs: 100,
        recheck: { rounds: 1, intervalMs: 2_500 },
      });
      expect(rechecked.differences.map(({ kind, key }) => `${kind} ${key}`)).toEqual(['MISSING still-missing']);
      expect(rechecked.totalDifferences).toBe(1);
      expect(rechecked.dbs[5]).toEqual({
        keys: 1,
        byKind: { OK: 0, MISSING: 1, EXTRA: 0, TYPE: 0, TTL: 0, VALUE: 0 },
        byType: { string: { MISSING: 1 } },
      });
      expect(rechecked.rounds).toBe(1);
    } finally {
      await s5.del('still-missing');
      s5.disconnect();
      t5.disconnect();
    }
  });

  it('compares a big zset with infinite scores in windows without a false VALUE difference', async () => {
    for (const server of [source, target]) {
      const client = server.client();
      await client.flushall();
      const members: Array<string | number> = ['-inf', 'low', '+inf', 'high'];
      for (let index = 0; index < 1_500; index += 1) members.push(index, `m${index}`);
      await client.zadd('big:zset', ...members);
      client.disconnect();
    }
    // Above bigKeyThreshold: compared in ZSCAN windows, where Redis prints the scores as `inf` / `-inf`.
    const report = await compareRedis(endpoint(source), endpoint(target), { bigKeyThreshold: 1_000 });
    expect(report.differences).toEqual([]);
    const client = target.client();
    await client.zadd('big:zset', '-inf', 'm7');
    client.disconnect();
    const changed = await compareRedis(endpoint(source), endpoint(target), { bigKeyThreshold: 1_000 });
    expect(changed.differences.map((difference) => difference.kind)).toEqual(['VALUE']);
  });

  it('names the side and address when it cannot authenticate, without the password', async () => {
    const wrong = { ...endpoint(target), password: 'not-the-password' };
    const failure = await compareRedis(endpoint(source), wrong).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      `compare: target Redis at ${target.host}:${target.port}: authentication failed (wrong or missing password)`,
    );
    expect((failure as Error).message).not.toContain('not-the-password');
    expect((failure as Error).cause).toBeUndefined();
  });

  it('prints binary key names readably', () => {
    expect(printableKey(Buffer.from('plain:key'))).toBe('plain:key');
    expect(printableKey(Buffer.from('ключ'))).toBe('ключ');
    expect(printableKey(Buffer.from([0x61, 0x0a, 0xfe]))).toBe('a\\x0a\\xfe');
    expect(printableKey(Buffer.alloc(5_000, 'k'))).toBe(`${'k'.repeat(256)}…(5000 bytes)`);
  });
});
