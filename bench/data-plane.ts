/**
 * Full-sync throughput of the emulator's data plane against a plain pipelined DUMP/RESTORE loop (the simplest
 * correct copier), on the same 1,000,000 small keys and the same pair of local redis-servers, in one run.
 *
 *   npx tsx bench/data-plane.ts [keys] [--cluster]
 *
 * Prints keys/second for both and the ratio (data plane / raw loop). `--cluster` adds a row: the same source into a
 * 3-master Redis Cluster, against a raw loop that pipelines RESTOREs per target master grouped by slot. Not part
 * of the tests.
 */
import type { Redis } from 'ioredis';
import { createDataPlane } from '../emulator/data-plane/index.js';
import { clusterTopology, masterIndexOf } from '../redis/cluster-topology.js';
import { startRedisCluster, type RedisCluster } from '../local/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';

const keys = Number(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 1_000_000);
const withCluster = process.argv.includes('--cluster');

async function main(): Promise<void> {
  const source = await startRedisServer({ name: 'bench-source', config: { 'enable-debug-command': 'yes' } });
  const target = await startRedisServer({ name: 'bench-target' });
  try {
    const admin = source.client(0);
    await admin.call('DEBUG', 'POPULATE', keys, 'bench', 16);
    admin.disconnect();

    const dataPlaneMs = await timed(async () => {
      const run = createDataPlane().startOnlineMigration({
        source: endpoint(source),
        target: endpoint(target),
        method: 'full',
        resumeMode: 'manual',
      });
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
    console.log(
      `data plane full sync:      ${Math.round(dataPlaneRate).toLocaleString('en')} keys/s (${(dataPlaneMs / 1000).toFixed(2)} s)`,
    );
    console.log(
      `raw DUMP/RESTORE pipeline: ${Math.round(rawRate).toLocaleString('en')} keys/s (${(rawMs / 1000).toFixed(2)} s)`,
    );
    console.log(`ratio (data plane / raw):  ${(dataPlaneRate / rawRate).toFixed(2)}`);
    if (withCluster) await clusterRow(source);
  } finally {
    await Promise.all([source.stop(), target.stop()]);
  }
}

/** The same source into a 3-master cluster: the data plane (given one node) against a per-master pipelined loop. */
async function clusterRow(source: RedisServer): Promise<void> {
  const cluster = await startRedisCluster({ name: 'bench-cluster', masters: 3 });
  try {
    const node = { host: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port };
    const dataPlaneMs = await timed(async () => {
      const run = createDataPlane().startOnlineMigration({
        source: endpoint(source),
        target: node,
        method: 'full',
        resumeMode: 'manual',
      });
      await run.ended;
      if (run.phase() !== 'succeeded') throw new Error(`data plane run ${run.phase()}: ${run.error()}`);
    });
    await expectClusterSize(cluster, keys);
    await flushCluster(cluster);
    const rawMs = await timed(() => rawIntoCluster(source.client(0), cluster));
    await expectClusterSize(cluster, keys);
    const dataPlaneRate = keys / (dataPlaneMs / 1000);
    const rawRate = keys / (rawMs / 1000);
    console.log(`into a 3-master cluster:`);
    console.log(
      `  data plane full sync:      ${Math.round(dataPlaneRate).toLocaleString('en')} keys/s (${(dataPlaneMs / 1000).toFixed(2)} s)`,
    );
    console.log(
      `  raw per-master pipelines:  ${Math.round(rawRate).toLocaleString('en')} keys/s (${(rawMs / 1000).toFixed(2)} s)`,
    );
    console.log(`  ratio (data plane / raw):  ${(dataPlaneRate / rawRate).toFixed(2)}`);
  } finally {
    await cluster.stop();
  }
}

/** SCAN + PTTL/DUMP pipeline on the source, then one RESTORE pipeline per target master (keys grouped by slot). */
async function rawIntoCluster(source: Redis, cluster: RedisCluster): Promise<void> {
  const masters = cluster.nodes.map((node) => node.client(0));
  const topology = await clusterTopology(masters[0]!, cluster.nodes[0]!.host);
  // topology.masters is ordered by host:port; map each to its client.
  const clientOf = topology.masters.map(
    (master) => masters[cluster.nodes.findIndex((node) => node.port === master.port)]!,
  );
  let cursor = '0';
  do {
    const [next, batch] = await source.scanBuffer(cursor, 'COUNT', 1000);
    cursor = next.toString();
    const reads = source.pipeline();
    for (const key of batch) reads.pttl(key).dumpBuffer(key);
    const replies = (await reads.exec()) ?? [];
    const writes = clientOf.map((client) => client.pipeline());
    batch.forEach((key, index) => {
      const pttl = Number(replies[2 * index]?.[1]);
      const payload = replies[2 * index + 1]?.[1] as Buffer | null;
      const write = writes[masterIndexOf(topology, key)]!;
      if (payload) write.restore(key, pttl > 0 ? pttl : 0, payload, 'REPLACE');
      else write.del(key);
    });
    await Promise.all(writes.map((write) => write.exec()));
  } while (cursor !== '0');
  source.disconnect();
  for (const client of masters) client.disconnect();
}

async function expectClusterSize(cluster: RedisCluster, expected: number): Promise<void> {
  let size = 0;
  for (const node of cluster.nodes) {
    const client = node.client(0);
    size += await client.dbsize();
    client.disconnect();
  }
  if (size !== expected) throw new Error(`cluster target holds ${size} keys, expected ${expected}`);
}

async function flushCluster(cluster: RedisCluster): Promise<void> {
  for (const node of cluster.nodes) await flush(node);
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
