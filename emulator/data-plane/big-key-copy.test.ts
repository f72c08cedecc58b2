import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { compareRedis } from '../../verify/compare.js';
import { temporaryKeyOf } from './big-key-copy.js';
import { createDataPlane } from './index.js';
import { endpointOf, flushAll, usePair } from './test-support.js';

/** Members per big key: above the lowered threshold, small enough to seed and copy in a few seconds. */
const size = 10_000;
const lengthCommands = { hash: 'HLEN', set: 'SCARD', zset: 'ZCARD', list: 'LLEN', stream: 'XLEN' } as const;
const bigKeys = Object.keys(lengthCommands).map((type) => `big:${type}`);

describe('data plane: big keys copied in chunks', () => {
  const pair = usePair();
  // Lowered so 10,000-element keys count as big; small chunks so the copy takes long enough to be watched.
  const dataPlane = createDataPlane({ bigKeys: { maxElements: 5_000, chunkElements: 250 } });

  it('copies a big hash, set, zset, list and stream exactly, keeps their TTLs, and never shows one partly under its real name', async () => {
    const { source, target } = pair;
    await flushAll(source, target);
    const client = source.client(0);
    await seedBigKeys(client);
    await client.set('small:string', 'v', 'PX', 600_000);
    await client.hset('small:hash', 'f', 'v'); // DUMPed as before
    client.disconnect();

    const watcher = target.client(0);
    await watcher.config('RESETSTAT');
    const run = dataPlane.startOnlineMigration({
      source: endpointOf(source),
      target: endpointOf(target),
      method: 'full',
      resumeMode: 'manual',
    });
    // Watch the target throughout: a big key under its real name must always be whole; its temporary key grows.
    const partialUnderRealName: string[] = [];
    let temporarySeen = 0;
    const watching = (async () => {
      while (run.phase() === 'full-sync') {
        const probe = watcher.pipeline();
        for (const key of bigKeys)
          probe
            .call(lengthCommands[typeOf(key)], key)
            .call(lengthCommands[typeOf(key)], temporaryKeyOf(Buffer.from(key)));
        const replies = (await probe.exec()) ?? [];
        bigKeys.forEach((key, index) => {
          const real = Number(replies[2 * index]?.[1] ?? 0);
          const partial = Number(replies[2 * index + 1]?.[1] ?? 0);
          if (real !== 0 && real !== size) partialUnderRealName.push(`${key}: ${real}`);
          if (partial > 0 && partial < size) temporarySeen++;
        });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await run.ended;
    await watching;

    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('succeeded');
    expect(partialUnderRealName).toEqual([]);
    expect(temporarySeen).toBeGreaterThan(0); // the watcher did look while keys were being built
    // The five big keys went through the chunked path (one RENAME each), the small ones through RESTORE. Calls that
    // failed are the permission check's probes (permissions.ts), which are refused on purpose.
    const stats = await watcher.info('commandstats');
    const succeeded = (command: string) => {
      const match = new RegExp(`^cmdstat_${command}:calls=(\\d+),.*failed_calls=(\\d+)`, 'm').exec(stats);
      return Number(match?.[1]) - Number(match?.[2]);
    };
    expect(succeeded('rename')).toBe(5);
    expect(succeeded('restore')).toBe(2);

    // Values by direct reads (exact bytes, scores included: the verifier's windowed zset check reads "inf" as NaN);
    // types, lengths, TTLs and stray keys by the verifier.
    const reader = source.client(0);
    for (const key of bigKeys) expect(await contentsOf(watcher, key), key).toEqual(await contentsOf(reader, key));
    const { pttls } = await lengthsAndTtls(reader);
    reader.disconnect();
    const report = await compareRedis(endpointOf(source), endpointOf(target), {
      mode: 'length',
      ttlToleranceMs: 1_000,
    });
    expect(report.differences).toEqual([]);
    expect(report.dbs[0]?.byKind.OK).toBe(7);
    const copied = await lengthsAndTtls(watcher);
    for (const key of bigKeys)
      expect(Math.abs((copied.pttls.get(key) ?? -1) - (pttls.get(key) ?? -1)), key).toBeLessThan(1_000);
    expect(copied.pttls.get('big:hash')).toBeGreaterThan(500_000);
    expect(copied.pttls.get('big:set')).toBe(-1); // no TTL stays no TTL
    expect(await watcher.keys('__dcs-migrate:partial:*')).toEqual([]);
    // Stream state beyond entries: last generated ID and the consumer group at its last-delivered ID.
    expect(await watcher.call('XINFO', 'GROUPS', 'big:stream')).toEqual([
      expect.arrayContaining(['name', 'readers', 'last-delivered-id', `${size / 2}-1`]) as unknown,
    ]);
    await expect(watcher.xadd('big:stream', '1-1', 'f', 'v')).rejects.toThrow(/equal or smaller/);
    watcher.disconnect();
  });

  it('a big key deleted during its copy is absent on the target; one replaced by another type arrives as the new value', async () => {
    const { source, target } = pair;
    await flushAll(source, target);
    const client = source.client(0);
    for (const name of ['big:gone', 'big:retyped']) {
      for (let start = 0; start < size; start += 2_000) {
        await client.hset(
          name,
          Object.fromEntries(Array.from({ length: 2_000 }, (_, index) => [`field:${start + index}`, 'x'.repeat(100)])),
        );
      }
    }
    // 1 MB/s over ~2.2 MB of fields: each key takes about a second, long enough to change it mid-copy.
    const run = dataPlane.startOnlineMigration({
      source: endpointOf(source),
      target: endpointOf(target),
      method: 'full',
      resumeMode: 'manual',
      bandwidthLimitMb: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await client.del('big:gone');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await client.multi().del('big:retyped').set('big:retyped', 'now a string').exec();
    await run.ended;
    client.disconnect();

    expect(run.error()).toBeUndefined();
    const check = target.client(0);
    expect(await check.exists('big:gone')).toBe(0);
    expect(await check.get('big:retyped')).toBe('now a string');
    expect(await check.keys('__dcs-migrate:partial:*')).toEqual([]);
    check.disconnect();
  });
});

function typeOf(key: string): keyof typeof lengthCommands {
  return key.slice('big:'.length) as keyof typeof lengthCommands;
}

/** One key of each collection type with `size` elements; all but the set expire in 10 minutes. */
async function seedBigKeys(client: Redis): Promise<void> {
  for (let start = 0; start < size; start += 1_000) {
    const ids = Array.from({ length: 1_000 }, (_, index) => start + index);
    const batch = client.pipeline();
    batch.hset('big:hash', Object.fromEntries(ids.map((id) => [`field:${id}`, `value:${id}`])));
    batch.sadd('big:set', ...ids.map((id) => `member:${id}`));
    // Scores that do not round-trip through a short decimal, plus ±inf, must arrive exactly.
    batch.zadd(
      'big:zset',
      ...ids.flatMap((id) => [id === 0 ? '-inf' : id === size - 1 ? '+inf' : String(id / 3), `member:${id}`]),
    );
    batch.rpush('big:list', ...ids.map((id) => `item:${id}`));
    for (const id of ids) batch.xadd('big:stream', `${id + 1}-1`, 'n', String(id));
    await batch.exec();
  }
  await client.xgroup('CREATE', 'big:stream', 'readers', `${size / 2}-1`);
  for (const key of bigKeys) if (key !== 'big:set') await client.pexpire(key, 600_000);
}

/** A whole (small enough) collection as comparable bytes: sorted where Redis has no order. */
async function contentsOf(client: Redis, key: string): Promise<string[]> {
  const hex = (items: Buffer[]) => items.map((item) => item.toString('hex'));
  switch (typeOf(key)) {
    case 'hash':
      return hex(
        await client
          .hgetallBuffer(key)
          .then((all) => Object.entries(all).map(([field, value]) => Buffer.from(`${field}=${value.toString()}`))),
      ).sort();
    case 'set':
      return hex(await client.smembersBuffer(key)).sort();
    case 'zset':
      return hex((await client.callBuffer('ZRANGE', key, '0', '-1', 'WITHSCORES')) as Buffer[]);
    case 'list':
      return hex(await client.lrangeBuffer(key, 0, -1));
    case 'stream':
      return (await client.xrangeBuffer(key, '-', '+')).map(([id, fields]) =>
        [id, ...fields].map((item) => item.toString('hex')).join(','),
      );
  }
}

async function lengthsAndTtls(client: Redis): Promise<{ pttls: Map<string, number> }> {
  const pttls = new Map<string, number>();
  for (const key of bigKeys) pttls.set(key, await client.pttl(key));
  return { pttls };
}
