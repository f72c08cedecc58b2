import { KeyChecker, type DifferenceKind, type KeyStatus, type Outcome } from './key-checker.js';
import { RedisSide, type CompareEndpoint } from './redis-side.js';

export type { CompareEndpoint } from './redis-side.js';
export type { DifferenceKind, KeyStatus } from './key-checker.js';

export interface CompareOptions {
  /** TTLs (in ms) may differ by this much and still count as equal. Default 1000. */
  ttlToleranceMs?: number;
  /** Also scan the target for keys the source does not have (EXTRA). Default true. */
  checkExtra?: boolean;
  /** Differences listed in the report (all are counted). Default 100. */
  maxDifferences?: number;
  /** Databases to compare. Default: every database that holds keys on either side. */
  dbs?: number[];
  /** Keys compared per round trip. Default 500. */
  batchSize?: number;
  /**
   * Re-check differing keys this many more times, `intervalMs` apart, and report only those that still differ:
   * on live servers most differences are changes still in flight (RedisFullCheck's rounds). At most
   * `recheckLimit` keys (default 10,000) are re-checked; more than that are reported as found. Default: no re-check.
   */
  recheck?: { rounds: number; intervalMs: number; recheckLimit?: number };
}

export interface KeyDifference {
  db: number;
  /** The key name; bytes that are not printable UTF-8 are shown as \xNN. */
  key: string;
  kind: DifferenceKind;
  /** What differs, in words (types, TTLs, sizes; never the values). */
  detail: string;
}

export interface DbReport {
  /** Source keys compared (plus EXTRA keys found on the target). */
  keys: number;
  byKind: Record<KeyStatus, number>;
}

export interface CompareReport {
  dbs: Record<number, DbReport>;
  /** The first `maxDifferences` differences found. */
  differences: KeyDifference[];
  totalDifferences: number;
}

/**
 * Compares two Redis servers key by key across all databases. Every source key gets one status, checked in
 * this order: MISSING (absent on the target), TYPE, VALUE (DUMP payloads equal, or else equal by a typed
 * comparison), TTL (beyond `ttlToleranceMs`); with `checkExtra`, target keys absent from the source are EXTRA.
 *
 * Both servers may be live: a key that disappears from the source during the comparison is skipped, and a key
 * whose TTL ends within the tolerance is not reported missing or extra (each side expires it on its own).
 */
export async function compareRedis(source: CompareEndpoint, target: CompareEndpoint, options: CompareOptions = {}): Promise<CompareReport> {
  const maxDifferences = options.maxDifferences ?? 100;
  const batchSize = options.batchSize ?? 500;
  const recheck = { rounds: options.recheck?.rounds ?? 0, intervalMs: options.recheck?.intervalMs ?? 0, limit: options.recheck?.recheckLimit ?? 10_000 };
  const checker = new KeyChecker(new RedisSide('source', source), new RedisSide('target', target), options.ttlToleranceMs ?? 1_000);
  if (!(checker.tolerance >= 0)) throw new RangeError(`ttlToleranceMs must be >= 0, got ${checker.tolerance}`);
  if (!(batchSize >= 1)) throw new RangeError(`batchSize must be >= 1, got ${batchSize}`);
  if (!(recheck.rounds >= 0 && recheck.intervalMs >= 0)) throw new RangeError('recheck.rounds and recheck.intervalMs must be >= 0');

  const report: CompareReport = { dbs: {}, differences: [], totalDifferences: 0 };
  const record = ({ db, key, status, detail }: Outcome) => {
    const dbReport = (report.dbs[db] ??= { keys: 0, byKind: { OK: 0, MISSING: 0, EXTRA: 0, TYPE: 0, TTL: 0, VALUE: 0 } });
    dbReport.keys++;
    dbReport.byKind[status]++;
    if (status === 'OK') return;
    report.totalDifferences++;
    if (report.differences.length < maxDifferences) report.differences.push({ db, key: printableKey(key), kind: status, detail });
  };
  // Differences wait here for their re-check; OK keys (and differences beyond the limit) are recorded at once.
  let suspects: Outcome[] = [];
  const collect = (outcomes: Outcome[]) => {
    for (const outcome of outcomes) {
      if (outcome.status !== 'OK' && recheck.rounds > 0 && suspects.length < recheck.limit) suspects.push(outcome);
      else record(outcome);
    }
  };
  try {
    const dbs = options.dbs ?? (await databasesWithKeys(checker.source, checker.target));
    for (const db of dbs) {
      await scan(checker.source, db, batchSize, async (keys) => collect(await checker.checkSourceKeys(db, keys)));
      if (options.checkExtra ?? true) await scan(checker.target, db, batchSize, async (keys) => collect(await checker.findExtraKeys(db, keys)));
    }
    for (let round = 0; round < recheck.rounds && suspects.length > 0; round++) {
      await new Promise((resolve) => setTimeout(resolve, recheck.intervalMs));
      const previous = suspects;
      suspects = [];
      for (const outcome of await checker.recheck(previous)) {
        if (outcome.status === 'OK') record(outcome);
        else suspects.push(outcome);
      }
    }
    suspects.forEach(record);
  } finally {
    await Promise.all([checker.source.close(), checker.target.close()]);
  }
  return report;
}

async function scan(side: RedisSide, db: number, count: number, visit: (keys: Buffer[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await side.run(db, (redis) => redis.scanBuffer(cursor, 'COUNT', count));
    cursor = next.toString();
    // SCAN may return a key twice; compare it once per batch.
    const unique = [...new Map(keys.map((key) => [key.toString('latin1'), key])).values()];
    if (unique.length > 0) await visit(unique);
  } while (cursor !== '0');
}

async function databasesWithKeys(source: RedisSide, target: RedisSide): Promise<number[]> {
  const [left, right] = await Promise.all([source.keyspace(), target.keyspace()]);
  return [...new Set([...left.keys(), ...right.keys()])].sort((a, b) => a - b);
}

/** UTF-8 keys as they are; other bytes as \xNN, so a report line never holds raw binary. */
export function printableKey(key: Buffer): string {
  const text = key.toString('utf8');
  const hasControlBytes = key.some((byte) => byte < 0x20 || byte === 0x7f);
  if (!hasControlBytes && Buffer.from(text, 'utf8').equals(key)) return text;
  return [...key].map((byte) => (byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('');
}
