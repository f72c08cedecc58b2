/**
 * Memory of the emulator's data plane while it copies big keys: a zset of 5,000,000 members and a hash of
 * 2,000,000 fields, each migrated (full sync) once by the chunked copy (big-key-copy.ts, default limits) and once
 * by the DUMP/RESTORE path (the named baseline: the same data plane with the big-key limits out of reach, which is
 * how every key was copied before). Reports the data plane's RSS growth (peak during the run − RSS before it,
 * sampled every 100 ms; the data plane runs in this process) next to the key's size, the time, and the verifier's
 * verdict in length mode and in windowed full mode. Goal: chunked growth under 200 MiB.
 *
 *   npx tsx bench/big-keys.ts [--zset 5000000] [--hash 2000000] [--section big-keys]
 *
 * Per key the chunked run goes first, so what the baseline leaves in the heap does not count against it.
 */
import type { Redis } from 'ioredis';
import { createDataPlane, type BigKeyLimits } from '../emulator/data-plane/index.js';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { compareRedis } from '../verify/compare.js';
import { flag } from './lib/flags.js';
import { processUsage, trackPeakRss } from '../test/support/process-usage.js';
import { measureRows } from './results-file.js';

const zsetMembers = Number(flag('zset', '5000000'));
const hashFields = Number(flag('hash', '2000000'));
const section = flag('section', 'big-keys');
const goalMiB = 200;

type Mode = 'chunked' | 'DUMP/RESTORE baseline';
interface Run {
  type: 'zset' | 'hash';
  elements: number;
  mode: Mode;
}
interface Row extends Run {
  memoryUsageMiB: number;
  seconds: number;
  rssBeforeMiB: number;
  rssGrowthMiB: number;
  verdict: string;
}

/** The baseline: no collection is big enough to be chunked, so every key is DUMPed whole. */
const dumpOnly: Partial<BigKeyLimits> = { maxElements: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };
const mib = (bytes: number) => bytes / 2 ** 20;

async function main(): Promise<void> {
  const source = await startRedisServer({ name: 'bench-bigkeys-source' });
  const target = await startRedisServer({ name: 'bench-bigkeys-target' });
  const runs: Run[] = (['zset', 'hash'] as const).flatMap((type) =>
    (['chunked', 'DUMP/RESTORE baseline'] as const).map((mode) => ({
      type,
      elements: type === 'zset' ? zsetMembers : hashFields,
      mode,
    })),
  );
  let seeded: Run['type'] | undefined;
  try {
    await warmUp(source, target);
    await measureRows(runs, {
      what: (run) => `${run.type} of ${run.elements.toLocaleString('en')}, ${run.mode}`,
      measure: async (run) => {
        if (seeded !== run.type) {
          await flush(source);
          await seed(source.client(0), run.type, run.elements);
          seeded = run.type;
        }
        await flush(target);
        return migrate(source, target, run);
      },
      table,
      section,
      title: 'Big keys: data plane memory, chunked copy vs DUMP/RESTORE',
      command: `npx tsx bench/big-keys.ts --zset ${zsetMembers} --hash ${hashFields}`,
      notes: `One key per run on a pair of local redis-servers, full sync by the emulator's data plane in this process. RSS growth: peak RSS during the run (sampled every 100 ms) − RSS before it. Chunked: default limits (collections above 100,000 elements or 8 MiB are copied in 1,000-element windows into a temporary key, then renamed); baseline: the same data plane with the limits out of reach, i.e. one DUMP + RESTORE of the whole key. Verified with verify/compareRedis in length mode (types, lengths, TTLs) and, for the chunked copy, in full mode with windowed comparison (1,000 per window). Goal: chunked RSS growth < ${goalMiB} MiB.`,
    });
  } finally {
    await Promise.all([source.stop(), target.stop()]);
  }
}

async function migrate(source: RedisServer, target: RedisServer, run: Run): Promise<Row> {
  const admin = source.client(0);
  const memoryUsage = Number(await admin.call('MEMORY', 'USAGE', 'big', 'SAMPLES', '0'));
  admin.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const before = (await processUsage(process.pid)).rssBytes;
  const peak = trackPeakRss(process.pid, 100);
  const started = performance.now();
  const dataPlane = createDataPlane(run.mode === 'chunked' ? {} : { bigKeys: dumpOnly });
  const migration = dataPlane.startOnlineMigration({
    source: endpoint(source),
    target: endpoint(target),
    method: 'full',
    resumeMode: 'manual',
  });
  await migration.ended;
  const seconds = (performance.now() - started) / 1000;
  const peakBytes = Math.max(peak.stop(), (await processUsage(process.pid)).rssBytes);
  if (migration.phase() !== 'succeeded') throw new Error(`data plane run ${migration.phase()}: ${migration.error()}`);
  return {
    ...run,
    memoryUsageMiB: mib(memoryUsage),
    seconds,
    rssBeforeMiB: mib(before),
    rssGrowthMiB: mib(peakBytes - before),
    // The windowed full comparison is slow on millions of elements; the baseline's copy gets length mode only.
    verdict: await verify(source, target, run.mode === 'chunked' ? ['length', 'full'] : ['length']),
  };
}

/**
 * One small chunked and one small DUMP copy before measuring, so the first measured run does not count the code
 * and connection buffers any first run loads.
 */
async function warmUp(source: RedisServer, target: RedisServer): Promise<void> {
  await seed(source.client(0), 'zset', 20_000);
  for (const bigKeys of [{ maxElements: 1_000 }, dumpOnly]) {
    const run = createDataPlane({ bigKeys }).startOnlineMigration({
      source: endpoint(source),
      target: endpoint(target),
      method: 'full',
      resumeMode: 'manual',
    });
    await run.ended;
  }
  await verify(source, target);
  await Promise.all([flush(source), flush(target)]);
}

/** Length mode, then full mode with every collection compared in windows (never DUMPed by the verifier). */
async function verify(
  source: RedisServer,
  target: RedisServer,
  modes: Array<'length' | 'full'> = ['length', 'full'],
): Promise<string> {
  const verdicts: string[] = [];
  for (const mode of modes) {
    const report = await compareRedis(endpoint(source), endpoint(target), {
      mode,
      bigKeyThreshold: 1_000,
      lengthOnlyAbove: Number.MAX_SAFE_INTEGER,
    });
    const detail = report.differences.map((difference) => `${difference.kind}: ${difference.detail}`).join('; ');
    verdicts.push(
      `${mode}: ${report.totalDifferences === 0 ? 'equal' : `${report.totalDifferences} differ (${detail})`} in ${(report.durationMs / 1000).toFixed(1)} s`,
    );
  }
  return verdicts.join(', ');
}

/** Builds the key inside the source (a Lua loop per 100,000 elements), so the bench process never holds it. */
async function seed(client: Redis, type: Run['type'], elements: number): Promise<void> {
  const script =
    type === 'zset'
      ? `for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do redis.call('ZADD', KEYS[1], i / 7, 'member:' .. i) end`
      : `for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do redis.call('HSET', KEYS[1], 'field:' .. i, 'value:' .. i) end`;
  for (let start = 0; start < elements; start += 100_000)
    await client.eval(script, 1, 'big', start, Math.min(elements, start + 100_000) - 1);
  await client.pexpire('big', 3_600_000); // the TTL must survive too (length mode checks it)
  client.disconnect();
}

function table(rows: Row[]): string {
  const lines = [
    '| key | elements | MEMORY USAGE MiB | path | time s | RSS before MiB | RSS growth MiB | verifier |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.type} | ${row.elements.toLocaleString('en')} | ${row.memoryUsageMiB.toFixed(0)} | ${row.mode} | ${row.seconds.toFixed(1)} | ${row.rssBeforeMiB.toFixed(0)} | ${row.rssGrowthMiB.toFixed(0)} | ${row.verdict} |`,
    );
  }
  return lines.join('\n');
}

function endpoint(server: RedisServer) {
  return { host: server.host, port: server.port, password: server.password };
}

async function flush(server: RedisServer): Promise<void> {
  const client = server.client(0);
  await client.flushall();
  client.disconnect();
}

await main();
