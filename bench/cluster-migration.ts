/**
 * The full-size cluster scenario of issue 16 on real redis-servers (the tests in
 * emulator/data-plane/cluster-migration.test.ts run it on ~20,000 keys):
 *
 *   1. a 3-master cluster (1 replica each) with N keys of every type, ~30 % with TTLs → a 3-master cluster, full;
 *   2. the same pair, incremental, with live writes and a CLUSTER FAILOVER of one source master mid-run;
 *   3. a standalone server (db 0) → a cluster, and a cluster → a standalone server (db 0), full.
 *
 * Each ends with compareRedis (verify/compare.ts); the benchmark exits non-zero if any scenario has differences.
 *
 *   npx tsx bench/cluster-migration.ts [--keys 100000]
 */
import os from 'node:os';
import { Redis } from 'ioredis';
import { createDataPlane } from '../emulator/data-plane/index.js';
import type { DataPlaneRun, RunMethod, ShardStats } from '../emulator/data-plane/index.js';
import type { RedisEndpoint } from '../redis/endpoint.js';
import { flushClusterMasters, startRedisCluster, type RedisCluster } from '../local/redis-cluster.js';
import { startRedisServer } from '../local/redis-server.js';
import { seedSampleData, startTraffic } from '../local/sample-data.js';
import { waitFor } from '../local/wait.js';
import { compareRedis, type CompareReport } from '../verify/compare.js';
import { onCleanup, runBench } from './lib/cleanup.js';
import { flag } from './lib/flags.js';
import { sectionHeader, writeResultsSection } from './results-file.js';

const keys = Number(flag('keys', '100000'));
if (!Number.isInteger(keys) || keys <= 0) throw new Error(`--keys: a positive integer, got ${flag('keys', '')}`);
const command = `npx tsx bench/cluster-migration.ts${process.argv.includes('--keys') ? ` --keys ${keys}` : ''}`;

const SOURCE_PASSWORD = 'bench-cluster-source-pw';
const TARGET_PASSWORD = 'bench-cluster-target-pw';
const STANDALONE_PASSWORD = 'bench-standalone-pw';
const TRAFFIC_OPS_PER_SECOND = 1_500;

interface Row {
  scenario: string;
  keys: number;
  durationMs: number;
  /** Start to the end of the full copy (the incremental phase, or the end of a full run). */
  syncMs: number;
  /** Keys the first full copy copied, when not `keys` (an incremental run's source changes meanwhile). */
  syncKeys?: number;
  shards: ShardStats[] | undefined;
  failovers: string;
  differences: number;
  load: number;
  note?: string;
}

const load = (): number => os.loadavg()[0] ?? 0;

/** Any node but the first, so that nothing depends on being given the master of slot 0 (as the tests do). */
const nodeOf = (cluster: RedisCluster, password: string): RedisEndpoint => ({
  host: cluster.nodes[1]!.host,
  port: cluster.nodes[1]!.port,
  password,
});

async function flushStandalone(endpoint: RedisEndpoint): Promise<void> {
  const client = new Redis({ host: endpoint.host, port: endpoint.port, password: endpoint.password });
  await client.flushall();
  client.disconnect();
}

const dataPlane = createDataPlane();

/** A full run, timed from start to `ended`; throws if it did not succeed. */
async function fullRun(
  source: RedisEndpoint,
  target: RedisEndpoint,
): Promise<{ run: DataPlaneRun; durationMs: number }> {
  const started = performance.now();
  const run = dataPlane.startOnlineMigration({
    source,
    target,
    method: 'full' satisfies RunMethod,
    resumeMode: 'manual',
  });
  await run.ended;
  const durationMs = performance.now() - started;
  if (run.phase() !== 'succeeded') throw new Error(`full run ${run.phase()}: ${run.error()}`);
  return { run, durationMs };
}

function printRow(row: Row, report: CompareReport): void {
  console.log(`${row.scenario}:`);
  console.log(`  keys:        ${row.keys.toLocaleString('en')}`);
  console.log(
    `  duration:    ${(row.durationMs / 1000).toFixed(2)} s (full copy ${(row.syncMs / 1000).toFixed(2)} s, ${rate(row)} keys/s)`,
  );
  console.log(`  shards:      ${shardText(row.shards)}`);
  console.log(`  failovers:   ${row.failovers}`);
  console.log(
    `  differences: ${row.differences}${report.differences.length > 0 ? ` (first: ${JSON.stringify(report.differences.slice(0, 5))})` : ''}`,
  );
  console.log(`  load:        ${row.load.toFixed(1)}`);
}

const rate = (row: Row): string => Math.round((row.syncKeys ?? row.keys) / (row.syncMs / 1000)).toLocaleString('en');
const shardText = (shards: ShardStats[] | undefined): string =>
  shards
    ? shards.map((shard) => `${shard.shard} ${shard.keysCopied.toLocaleString('en')}`).join(', ')
    : '— (standalone source)';

function table(rows: Row[]): string {
  const lines = [
    '| scenario | keys | duration | full copy | keys/s (full copy) | keys copied per source master | failovers survived | differences | 1-min load at start |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.scenario} | ${row.keys.toLocaleString('en')} | ${(row.durationMs / 1000).toFixed(2)} s | ${(row.syncMs / 1000).toFixed(2)} s | ${rate(row)} | ${shardText(row.shards)} | ${row.failovers} | ${row.differences} | ${row.load.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

const notes = (rows: Row[]): string =>
  [
    `Real redis-servers on loopback: source a 3-master cluster with 1 replica per master (\`cluster-node-timeout\` 1000 ms),`,
    `target a 3-master cluster, and one standalone server; all with passwords. Data: \`seedSampleData\` (${keys.toLocaleString('en')} keys of`,
    `every type, 30 % with a TTL of 10–60 min). Duration is the data plane run's: start to \`ended\` (full), or start to`,
    `\`stopped\` (incremental: it includes the failover, the resync it causes and the wait for the feed to catch up). Full`,
    `copy: start to the end of the first full copy (\`succeeded\`, or the incremental phase); keys/s is keys over that time.`,
    `Live writes: \`startTraffic\` at ${TRAFFIC_OPS_PER_SECOND.toLocaleString('en')} ops/s from the start of the run until 1.5 s after the failover. Keys copied`,
    `per source master count the whole run: in the incremental row the first copy, the resync after the failover and`,
    `\`stop()\`'s reconcile pass (a re-copy of the source), about three times a third each; the promoted master appears as`,
    `a fourth shard, the demoted one keeps what it copied before the failover. Keys: keys copied (full runs), keys equal`,
    `on both sides at the end (incremental: the traffic deletes some). Differences: \`compareRedis\` in full mode after`,
    `the run. The machine has 2 cores and other jobs ran meanwhile: see the load column (the header's is at the end).`,
    ...rows.filter((row) => row.note).map((row) => `\n${row.scenario}: ${row.note}`),
  ].join('\n');

async function main(): Promise<void> {
  const [source, target, standalone] = await Promise.all([
    startRedisCluster({
      name: 'bench-cm-source',
      masters: 3,
      replicasPerMaster: 1,
      nodeTimeoutMs: 1_000,
      server: { password: SOURCE_PASSWORD },
    }),
    startRedisCluster({ name: 'bench-cm-target', masters: 3, server: { password: TARGET_PASSWORD } }),
    startRedisServer({ name: 'bench-cm-standalone', password: STANDALONE_PASSWORD }),
  ]);
  onCleanup(() => source.stop());
  onCleanup(() => target.stop());
  onCleanup(() => standalone.stop());
  const from = nodeOf(source, SOURCE_PASSWORD);
  const to = nodeOf(target, TARGET_PASSWORD);
  const single: RedisEndpoint = { host: standalone.host, port: standalone.port, password: STANDALONE_PASSWORD };
  const rows: Row[] = [];
  const record = async (row: Row, report: CompareReport): Promise<void> => {
    rows.push(row);
    printRow(row, report);
    await writeResultsSection(
      'cluster-migration',
      `${sectionHeader(`emulator data plane: Redis Cluster migrations of ${keys.toLocaleString('en')} keys`, command)}\n${notes(rows)}\n\n${table(rows)}\n`,
    );
  };

  // 1. cluster → cluster, full.
  console.log(`seeding ${keys.toLocaleString('en')} keys into the source cluster …`);
  const seeded = await seedSampleData(from, { keys, dbs: [0], ttlFraction: 0.3, seed: 16 });
  console.log(`  ${seeded.withTtl.toLocaleString('en')} with a TTL; by type ${JSON.stringify(seeded.byType)}`);
  {
    const startLoad = load();
    const { run, durationMs } = await fullRun(from, to);
    const report = await compareRedis(from, to, { ttlToleranceMs: 1_000 });
    await record(
      {
        scenario: 'cluster → cluster, full',
        keys: run.stats().keysCopied,
        durationMs,
        syncMs: durationMs,
        shards: run.stats().shards,
        failovers: '—',
        differences: report.totalDifferences,
        load: startLoad,
      },
      report,
    );
  }

  // 2. the same pair, incremental, live writes and a CLUSTER FAILOVER of the third source master.
  {
    await flushClusterMasters(to);
    const startLoad = load();
    const traffic = startTraffic(from, { keys, dbs: [0], seed: 16, opsPerSecond: TRAFFIC_OPS_PER_SECOND });
    const started = performance.now();
    const run = dataPlane.startOnlineMigration({
      source: from,
      target: to,
      method: 'incremental',
      resumeMode: 'manual',
    });
    const promotedNode = source.replicas[2]![0]!;
    const promoted = `${promotedNode.host}:${promotedNode.port}`;
    const replica = new Redis({ host: promotedNode.host, port: promotedNode.port, password: SOURCE_PASSWORD });
    let survived = 0;
    let note: string | undefined;
    let writes = 0;
    let syncMs = 0;
    let syncKeys = 0;
    try {
      await waitFor(
        `the incremental phase (now ${run.phase()})`,
        async () => run.phase() === 'incremental' || run.phase() === 'failed',
        300_000,
        50,
      );
      if (run.phase() === 'failed') throw new Error(`incremental run failed: ${run.error()}`);
      syncMs = performance.now() - started;
      syncKeys = run.stats().keysCopied;
      console.log(`incremental after ${(syncMs / 1000).toFixed(1)} s; failing over ${promoted} …`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await replica.call('CLUSTER', 'FAILOVER');
      await waitFor(
        'the replica to be promoted',
        async () => /role:master/.test(await replica.info('replication')),
        20_000,
        50,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const summary = await traffic.stop();
      writes = summary.writes + summary.deletes + summary.expiring + summary.persisted;
      // Keys the traffic gave a short TTL expire within 1.5 s; then the feed has nothing left to catch up.
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      await waitFor(
        'the change queue to drain',
        async () => run.phase() === 'incremental' && run.stats().offset === 0,
        120_000,
        20,
      );
      await waitFor(
        'keys copied from the promoted master',
        async () => run.stats().shards?.some((shard) => shard.shard === promoted && shard.keysCopied > 0),
        120_000,
        50,
      );
      if (run.error() === undefined) survived = 1;
    } catch (error) {
      note = `did not complete: ${error instanceof Error ? error.message : String(error)}`;
      console.error(note);
    } finally {
      replica.disconnect();
      await traffic.stop().catch(() => undefined);
      await run.stop();
    }
    const durationMs = performance.now() - started;
    if (run.phase() !== 'stopped') note = `${note ?? ''} run ended ${run.phase()}: ${run.error()}`.trim();
    const report = await compareRedis(from, to, { ttlToleranceMs: 1_000 });
    const stats = run.stats();
    await record(
      {
        scenario: `cluster → cluster, incremental, ${writes.toLocaleString('en')} live changes, CLUSTER FAILOVER of a source master`,
        keys: report.dbs[0]?.byKind.OK ?? stats.targetDbSize,
        durationMs,
        syncMs,
        syncKeys,
        shards: stats.shards,
        failovers: `${survived} of 1`,
        differences: report.totalDifferences,
        load: startLoad,
        ...(note ? { note } : {}),
      },
      report,
    );
  }

  // 3. standalone (db 0) → cluster, then cluster → standalone (db 0), full.
  {
    await flushClusterMasters(to);
    await flushStandalone(single);
    console.log(`seeding ${keys.toLocaleString('en')} keys into the standalone server's db 0 …`);
    await seedSampleData(single, { keys, dbs: [0], ttlFraction: 0.3, seed: 7 });
    const startLoad = load();
    const { run, durationMs } = await fullRun(single, to);
    const report = await compareRedis(single, to, { dbs: [0], ttlToleranceMs: 1_000 });
    await record(
      {
        scenario: 'standalone (db 0) → cluster, full',
        keys: run.stats().keysCopied,
        durationMs,
        syncMs: durationMs,
        shards: run.stats().shards,
        failovers: '—',
        differences: report.totalDifferences,
        load: startLoad,
      },
      report,
    );
  }
  {
    await flushStandalone(single);
    const startLoad = load();
    const { run, durationMs } = await fullRun(to, single);
    const report = await compareRedis(to, single, { ttlToleranceMs: 1_000 });
    await record(
      {
        scenario: 'cluster → standalone (db 0), full',
        keys: run.stats().keysCopied,
        durationMs,
        syncMs: durationMs,
        shards: run.stats().shards,
        failovers: '—',
        differences: report.totalDifferences,
        load: startLoad,
      },
      report,
    );
  }

  console.log(`\n${table(rows)}`);
  const failed = rows.filter((row) => row.differences > 0 || row.note !== undefined);
  if (failed.length > 0) {
    console.error(`differences or an incomplete run in: ${failed.map((row) => row.scenario).join('; ')}`);
    process.exitCode = 1;
  }
}

runBench(main);
