/**
 * Full-sync throughput of the emulator's data plane against a plain pipelined DUMP/RESTORE loop (the simplest
 * correct copier), on the same 1,000,000 small keys and the same pair of local redis-servers, in one run.
 *
 *   npx tsx bench/data-plane.ts [keys]
 *
 * Prints keys/second for both and the ratio (data plane / raw loop). Not part of the tests.
 */
import type { Redis } from 'ioredis';
import { createDataPlane } from '../emulator/data-plane/index.js';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';

const keys = Number(process.argv[2] ?? 1_000_000);

async function main(): Promise<void> {
  const source = await startRedisServer({ name: 'bench-source', config: { 'enable-debug-command': 'yes' } });
  const target = await startRedisServer({ name: 'bench-target' });
  try {
    const admin = source.client(0);
    await admin.call('DEBUG', 'POPULATE', keys, 'bench', 16);
    admin.disconnect();

    const dataPlaneMs = await timed(async () => {
      const run = createDataPlane().startOnlineMigration({ source: endpoint(source), target: endpoint(target), method: 'full', resumeMode: 'manual' });
      await run.ended;
      if (run.phase() !== 'succeeded') throw new Error(`data plane run ${run.phase()}: ${run.error()}`);
    });
    await expectSize(target, keys);
    await flush(target);

    const rawMs = await timed(() => rawDumpRestore(source.client(0), target.client(0)));
    await expectSize(target, keys);

    const dataPlaneRate = keys / (dataPlaneMs / 1000);
    const rawRate = keys / (rawMs / 1000);
    console.log(`keys: ${keys.toLocaleString('en')}`);
    console.log(`data plane full sync:      ${Math.round(dataPlaneRate).toLocaleString('en')} keys/s (${(dataPlaneMs / 1000).toFixed(2)} s)`);
    console.log(`raw DUMP/RESTORE pipeline: ${Math.round(rawRate).toLocaleString('en')} keys/s (${(rawMs / 1000).toFixed(2)} s)`);
    console.log(`ratio (data plane / raw):  ${(dataPlaneRate / rawRate).toFixed(2)}`);
  } finally {
    await Promise.all([source.stop(), target.stop()]);
  }
}

/** The baseline: SCAN, then per batch one pipeline of PTTL+DUMP on the source and one of RESTORE on the target. */
async function rawDumpRestore(source: Redis, target: Redis): Promise<void> {
  let cursor = '0';
  do {
    const [next, batch] = await source.scanBuffer(cursor, 'COUNT', 1000);
    cursor = next.toString();
    const reads = source.pipeline();
    for (const key of batch) reads.pttl(key).dumpBuffer(key);
    const replies = (await reads.exec()) ?? [];
    const writes = target.pipeline();
    batch.forEach((key, index) => {
      const pttl = Number(replies[2 * index]?.[1]);
      const payload = replies[2 * index + 1]?.[1] as Buffer | null;
      if (payload) writes.restore(key, pttl > 0 ? pttl : 0, payload, 'REPLACE');
      else writes.del(key);
    });
    await writes.exec();
  } while (cursor !== '0');
  source.disconnect();
  target.disconnect();
}

function endpoint(server: RedisServer) {
  return { host: server.host, port: server.port, password: server.password };
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function expectSize(server: RedisServer, expected: number): Promise<void> {
  const client = server.client(0);
  const size = await client.dbsize();
  client.disconnect();
  if (size !== expected) throw new Error(`target holds ${size} keys, expected ${expected}`);
}

async function flush(server: RedisServer): Promise<void> {
  const client = server.client(0);
  await client.flushall();
  client.disconnect();
}

await main();
