import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seedSampleData } from '../../local/sample-data.js';
import { compareRedis } from '../../verify/compare.js';
import { createDataPlane } from './index.js';
import { endpointOf, flushAll, usePair } from './test-support.js';

describe('data plane: full online migration', () => {
  const pair = usePair();
  const dataPlane = createDataPlane();

  it('copies 100,000 keys of every type, with and without TTLs, across dbs: 0 differences, TTLs within 1 s', async () => {
    const { source, target } = pair;
    await flushAll(source, target);
    const seeded = await seedSampleData(endpointOf(source), {
      keys: 100_000,
      dbs: [0, 1, 5],
      ttlFraction: 0.3,
      seed: 11,
    });
    const big = source.client(1);
    // Big keys: a 12 MB string and a 100,000-field hash, so batches are bounded by bytes, not just keys.
    await big.set('big:string', Buffer.alloc(12 * 1024 * 1024, 7), 'PX', 900_000);
    for (let start = 0; start < 100_000; start += 10_000) {
      await big.hset(
        'big:hash',
        Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`f${start + index}`, `v${index}`])),
      );
    }
    big.disconnect();

    const run = dataPlane.startOnlineMigration({
      source: endpointOf(source),
      target: endpointOf(target),
      method: 'full',
      resumeMode: 'manual',
    });
    const progress: number[] = [];
    const sampler = setInterval(() => progress.push(run.stats().fullMigrationProgress), 50);
    await run.ended;
    clearInterval(sampler);

    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('succeeded');
    const stats = run.stats();
    expect(stats.fullMigrationProgress).toBe(100);
    expect(stats.keysCopied).toBe(100_002);
    expect(stats.sourceDbSize).toBe(100_002);
    expect(stats.targetDbSize).toBe(100_002);
    expect(stats.isMigrating).toBe(false);
    expect(stats.offset).toBe(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(seeded.withTtl).toBeGreaterThan(25_000);

    const report = await compareRedis(endpointOf(source), endpointOf(target), { ttlToleranceMs: 1_000 });
    expect(report.differences).toEqual([]);
    expect(report.totalDifferences).toBe(0);
    expect(report.dbs[0]?.byKind.OK).toBe(33_334);
    expect(report.dbs[1]?.byKind.OK).toBe(33_335);
    expect(report.dbs[5]?.byKind.OK).toBe(33_333);
  });

  it('stops a full migration part-way when asked', async () => {
    const { source, target } = pair;
    await flushAll(source, target);
    await seedSampleData(endpointOf(source), { keys: 50_000, dbs: [0], seed: 3 });
    const run = dataPlane.startOnlineMigration({
      source: endpointOf(source),
      target: endpointOf(target),
      method: 'full',
      resumeMode: 'manual',
      bandwidthLimitMb: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await run.stop();
    expect(run.phase()).toBe('stopped');
    expect(run.stats().targetDbSize).toBeLessThan(50_000);
    await run.stop(); // idempotent
  });

  it('honours bandwidth_limit_mb: bytes written to the target per second stay under the cap', async () => {
    const { source, target } = pair;
    await flushAll(source, target);
    const client = source.client(0);
    // 3 MB in 300 keys of 10 KB (random, so DUMP cannot compress them): at 1 MB/s this takes at least ~2.8 s.
    for (let index = 0; index < 300; index++) await client.set(`blob:${index}`, randomBytes(10 * 1024));
    client.disconnect();

    const unlimited = dataPlane.startOnlineMigration({
      source: endpointOf(source),
      target: endpointOf(target),
      method: 'full',
      resumeMode: 'manual',
    });
    let started = performance.now();
    await unlimited.ended;
    const unlimitedMs = performance.now() - started;
    await flushAll(target);

    const limited = dataPlane.startOnlineMigration({
      source: endpointOf(source),
      target: endpointOf(target),
      method: 'full',
      resumeMode: 'manual',
      bandwidthLimitMb: 1,
    });
    let peakKbps = 0;
    const sampler = setInterval(() => (peakKbps = Math.max(peakKbps, limited.stats().targetInputKbps)), 100);
    started = performance.now();
    await limited.ended;
    const limitedMs = performance.now() - started;
    clearInterval(sampler);

    expect(limited.phase()).toBe('succeeded');
    const bytes = 300 * 10 * 1024;
    const cap = 1024 * 1024;
    expect(limitedMs).toBeGreaterThanOrEqual(((bytes - cap / 8) / cap) * 1000 * 0.95);
    expect(limitedMs).toBeGreaterThan(unlimitedMs * 2);
    expect(peakKbps).toBeLessThanOrEqual(1024 * 1.25);
    expect((await compareRedis(endpointOf(source), endpointOf(target))).totalDifferences).toBe(0);
  });
});
