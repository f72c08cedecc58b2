/**
 * Verification throughput: `compareRedis` (full mode, reverse scan on) over 1,000,000 keys that are equal on both
 * sides, on a pair of local redis-servers. The target is filled by DEBUG POPULATE too, so the data are the same.
 *
 *   npx tsx bench/verify.ts [keys]
 *
 * Prints keys/second of the source pass (keys compared / duration) and checks the run found 0 differences.
 * Not part of the tests.
 */
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { compareRedis } from '../verify/compare.js';

const keys = Number(process.argv[2] ?? 1_000_000);

async function main(): Promise<void> {
  const config = { 'enable-debug-command': 'yes' };
  const source = await startRedisServer({ name: 'bench-verify-source', config });
  const target = await startRedisServer({ name: 'bench-verify-target', config });
  try {
    for (const server of [source, target]) {
      const admin = server.client(0);
      await admin.call('DEBUG', 'POPULATE', keys, 'bench', 16);
      admin.disconnect();
    }
    for (const checkExtra of [false, true]) {
      const report = await compareRedis(endpoint(source), endpoint(target), { checkExtra });
      if (report.totalDifferences !== 0) throw new Error(`expected 0 differences, found ${report.totalDifferences}`);
      const rate = keys / (report.durationMs / 1000);
      console.log(
        `verify ${keys.toLocaleString('en')} keys, full mode, reverse scan ${checkExtra ? 'on ' : 'off'}: ${Math.round(rate).toLocaleString('en')} keys/s (${(report.durationMs / 1000).toFixed(2)} s, 0 differences)`,
      );
    }
  } finally {
    await Promise.all([source.stop(), target.stop()]);
  }
}

function endpoint(server: RedisServer) {
  return { host: server.host, port: server.port, password: server.password };
}

await main();
