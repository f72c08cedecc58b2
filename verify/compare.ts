import { KeyChecker, type CompareMode, type DifferenceKind, type KeyStatus, type Outcome } from './key-checker.js';
import { inSample, Pacer } from './pacing.js';
import type { RedisEndpoint } from '../redis/endpoint.js';
import { RedisSide, type Shard } from './redis-side.js';

export type { CompareMode, DifferenceKind, KeyStatus } from './key-checker.js';

export interface CompareOptions {
  /** How deep keys are compared: `outline` (existence, type), `length` (+ length, TTL), `full` (+ value). Default full. */
  mode?: CompareMode;
  /** TTLs (in ms) may differ by this much and still count as equal. Default 1000. */
  ttlToleranceMs?: number;
  /** Also scan the target for keys the source does not have (EXTRA): the reverse scan. Default true. */
  checkExtra?: boolean;
  /** Differences listed in the report (all are counted). Default 100. */
  maxDifferences?: number;
  /** Databases to compare. Default: every database that holds keys on either side (INFO keyspace). */
  dbs?: number[];
  /** Keys compared per round trip. Default 500. */
  batchSize?: number;
  /** Compare only about this fraction of the keys, chosen by key name (0 < ratio <= 1). Default 1. */
  sampleRatio?: number;
  /** At most this many keys compared per second (per scan). Default: no limit. */
  keysPerSecond?: number;
  /** Collections with more elements are compared in windows instead of by DUMP digest. Default 10,000. */
  bigKeyThreshold?: number;
  /** Collections with more elements are compared by length only. Default 1,000,000. */
  lengthOnlyAbove?: number;
  /**
   * Re-check differing keys this many more times, `intervalMs` apart, and report only those that still differ:
   * on live servers most differences are changes still in flight (RedisFullCheck's rounds). Each round checks only
   * the previous round's differences. At most `recheckLimit` keys (default 10,000) are re-checked; more than that
   * are reported as found. Default: no re-check.
   */
  recheck?: { rounds: number; intervalMs: number; recheckLimit?: number };
  /** Continue an interrupted comparison from its last checkpoint (same servers, same options). */
  resumeFrom?: CompareCheckpoint;
  /** Called with a checkpoint every `progressIntervalMs` (default 1000) and after each pass; a heartbeat can carry it. */
  onProgress?: (checkpoint: CompareCheckpoint) => void | Promise<void>;
  progressIntervalMs?: number;
}

export interface KeyDifference {
  db: number;
  /** The master (`host:port`) the key was scanned on: the source's, the target's for EXTRA; the server when standalone. */
  shard: string;
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
  /** The same counts per Redis type (the source's type; the target's for EXTRA), only kinds that occurred. */
  byType: Record<string, Partial<Record<KeyStatus, number>>>;
}

export interface CompareReport {
  mode: CompareMode;
  /** Keys per database from INFO keyspace before the comparison (the quick pre-check). */
  precheck: Record<number, { source: number; target: number }>;
  dbs: Record<number, DbReport>;
  /** What each side turned out to be (a cluster is recognised from any of its nodes). */
  topology: { source: 'standalone' | 'cluster'; target: 'standalone' | 'cluster' };
  /** Keys compared and differences found per shard scanned (by `host:port`): one entry per master of a cluster. */
  shards: Record<string, { keys: number; differences: number }>;
  /** The first `maxDifferences` differences found. */
  differences: KeyDifference[];
  totalDifferences: number;
  /** Keys compared (source keys plus EXTRA candidates), re-checks not included. */
  keysCompared: number;
  /** Re-check rounds that ran. */
  rounds: number;
  durationMs: number;
  sampleRatio: number;
}

/** Where a comparison is: enough to resume it in another process (JSON-serialisable; keys in base64). */
export interface CompareCheckpoint {
  dbs: number[];
  dbIndex: number;
  pass: 'source' | 'target';
  /** The shard of the current pass being scanned (an index into that side's masters in address order; 0 when standalone). */
  shardIndex?: number;
  /** The SCAN cursor of the current shard; '0' at its start. */
  cursor: string;
  report: CompareReport;
  suspects: Array<{ db: number; shard?: string; key: string; status: KeyStatus; type: string; detail: string }>;
}

/** A verdict and the shard its key was scanned on. */
type ShardOutcome = Outcome & { shard: string };

/**
 * Compares two Redis servers key by key across all databases (a redis-full-check in process). Every source key
 * gets one status, checked in this order: MISSING (absent on the target), TYPE, VALUE (lengths, then DUMP
 * payloads, else a typed comparison — in windows for big keys), TTL (beyond `ttlToleranceMs`); with
 * `checkExtra`, target keys absent from the source are EXTRA.
 *
 * Both servers may be live: a key that disappears from the source during the comparison is skipped, and a key
 * whose TTL ends within the tolerance is not reported missing or extra (each side expires it on its own).
 */
export async function compareRedis(
  source: RedisEndpoint,
  target: RedisEndpoint,
  options: CompareOptions = {},
): Promise<CompareReport> {
  const startedAt = Date.now();
  const mode = options.mode ?? 'full';
  const maxDifferences = options.maxDifferences ?? 100;
  const batchSize = options.batchSize ?? 500;
  const sampleRatio = options.sampleRatio ?? 1;
  const recheck = {
    rounds: options.recheck?.rounds ?? 0,
    intervalMs: options.recheck?.intervalMs ?? 0,
    limit: options.recheck?.recheckLimit ?? 10_000,
  };
  const settings = {
    tolerance: options.ttlToleranceMs ?? 1_000,
    mode,
    bigKeyThreshold: options.bigKeyThreshold ?? 10_000,
    lengthOnlyAbove: options.lengthOnlyAbove ?? 1_000_000,
    chunkSize: 1_000,
  };
  checkOptions({ ...settings, batchSize, sampleRatio, keysPerSecond: options.keysPerSecond, recheck });
  const checker = new KeyChecker(new RedisSide('source', source), new RedisSide('target', target), settings);

  const resumed = options.resumeFrom;
  const report: CompareReport = resumed
    ? structuredClone(resumed.report)
    : {
        mode,
        precheck: {},
        dbs: {},
        topology: { source: 'standalone', target: 'standalone' },
        shards: {},
        differences: [],
        totalDifferences: 0,
        keysCompared: 0,
        rounds: 0,
        durationMs: 0,
        sampleRatio,
      };
  const elapsedBefore = report.durationMs;
  report.shards ??= {}; // checkpoints from before shards were counted
  const record = ({ db, shard, key, status, type, detail }: ShardOutcome) => {
    const shardReport = (report.shards[shard] ??= { keys: 0, differences: 0 });
    shardReport.keys++;
    const dbReport = (report.dbs[db] ??= {
      keys: 0,
      byKind: { OK: 0, MISSING: 0, EXTRA: 0, TYPE: 0, TTL: 0, VALUE: 0 },
      byType: {},
    });
    dbReport.keys++;
    dbReport.byKind[status]++;
    const byType = (dbReport.byType[type] ??= {});
    byType[status] = (byType[status] ?? 0) + 1;
    if (status === 'OK') return;
    shardReport.differences++;
    report.totalDifferences++;
    if (report.differences.length < maxDifferences)
      report.differences.push({ db, shard, key: printableKey(key), kind: status, detail });
  };
  // Differences wait here for their re-check; OK keys (and differences beyond the limit) are recorded at once.
  let suspects: ShardOutcome[] = (resumed?.suspects ?? []).map((suspect) => ({
    ...suspect,
    shard: suspect.shard ?? '',
    key: Buffer.from(suspect.key, 'base64'),
  }));
  const collect = (outcomes: Outcome[], shard: string) => {
    for (const outcome of outcomes.map((outcome) => ({ ...outcome, shard }))) {
      if (outcome.status !== 'OK' && recheck.rounds > 0 && suspects.length < recheck.limit) suspects.push(outcome);
      else record(outcome);
    }
  };
  let lastProgressAt = Date.now();
  const checkpoint = (
    dbs: number[],
    dbIndex: number,
    pass: 'source' | 'target',
    shardIndex: number,
    cursor: string,
  ): CompareCheckpoint => ({
    dbs,
    dbIndex,
    pass,
    shardIndex,
    cursor,
    report: structuredClone({ ...report, durationMs: elapsedBefore + Date.now() - startedAt }),
    suspects: suspects.map(({ db, shard, key, status, type, detail }) => ({
      db,
      shard,
      key: key.toString('base64'),
      status,
      type,
      detail,
    })),
  });
  const progress = async (
    dbs: number[],
    dbIndex: number,
    pass: 'source' | 'target',
    shardIndex: number,
    cursor: string,
    force = false,
  ) => {
    if (!options.onProgress || (!force && Date.now() - lastProgressAt < (options.progressIntervalMs ?? 1_000))) return;
    lastProgressAt = Date.now();
    await options.onProgress(checkpoint(dbs, dbIndex, pass, shardIndex, cursor));
  };
  try {
    if (!resumed) report.precheck = await precheck(checker.source, checker.target);
    report.topology = { source: await checker.source.kind(), target: await checker.target.kind() };
    const dbs = resumed?.dbs ?? options.dbs ?? Object.keys(report.precheck).map(Number);
    const pacer = new Pacer(options.keysPerSecond);
    const passes: Array<'source' | 'target'> = (options.checkExtra ?? true) ? ['source', 'target'] : ['source'];
    for (let dbIndex = resumed?.dbIndex ?? 0; dbIndex < dbs.length; dbIndex++) {
      const db = dbs[dbIndex] as number;
      const resumingHere = resumed !== undefined && dbIndex === resumed.dbIndex;
      for (const pass of passes.slice(resumingHere ? passes.indexOf(resumed.pass) : 0)) {
        const side = pass === 'source' ? checker.source : checker.target;
        const shards = await side.shards(db);
        const resumingPass = resumingHere && pass === resumed.pass;
        // A cluster side is scanned master by master; each key lives on exactly one.
        for (let shardIndex = resumingPass ? (resumed.shardIndex ?? 0) : 0; shardIndex < shards.length; shardIndex++) {
          const shard = shards[shardIndex] as Shard;
          const from = resumingPass && shardIndex === (resumed.shardIndex ?? 0) ? resumed.cursor : '0';
          await scan(side, db, shard, from, batchSize, async (keys, next) => {
            const sampled = sampleRatio < 1 ? keys.filter((key) => inSample(key, sampleRatio)) : keys;
            if (sampled.length > 0) {
              report.keysCompared += sampled.length;
              collect(
                pass === 'source'
                  ? await checker.checkSourceKeys(db, sampled)
                  : await checker.findExtraKeys(db, sampled),
                shard.name,
              );
              await pacer.account(sampled.length);
            }
            // Cursor 0 ends the shard: its checkpoint is the next shard's (or pass's) start, below (here it would mean "start over").
            if (next !== '0') await progress(dbs, dbIndex, pass, shardIndex, next);
          });
          if (shardIndex + 1 < shards.length) await progress(dbs, dbIndex, pass, shardIndex + 1, '0', true);
        }
        const nextPass = passes[passes.indexOf(pass) + 1];
        await (nextPass
          ? progress(dbs, dbIndex, nextPass, 0, '0', true)
          : progress(dbs, dbIndex + 1, 'source', 0, '0', true));
      }
    }
    for (let round = 0; round < recheck.rounds && suspects.length > 0; round++) {
      await new Promise((resolve) => setTimeout(resolve, recheck.intervalMs));
      report.rounds++;
      const previous = suspects;
      suspects = [];
      const shardOf = new Map(previous.map(({ db, key, shard }) => [`${db}:${key.toString('latin1')}`, shard]));
      for (const verdict of await checker.recheck(previous)) {
        const outcome = { ...verdict, shard: shardOf.get(`${verdict.db}:${verdict.key.toString('latin1')}`) ?? '' };
        if (outcome.status === 'OK') record(outcome);
        else suspects.push(outcome);
      }
    }
    suspects.forEach(record);
  } finally {
    await Promise.all([checker.source.close(), checker.target.close()]);
  }
  report.durationMs = elapsedBefore + Date.now() - startedAt;
  return report;
}

function checkOptions(o: {
  tolerance: number;
  batchSize: number;
  sampleRatio: number;
  keysPerSecond: number | undefined;
  bigKeyThreshold: number;
  lengthOnlyAbove: number;
  recheck: { rounds: number; intervalMs: number };
}): void {
  if (!(o.tolerance >= 0)) throw new RangeError(`ttlToleranceMs must be >= 0, got ${o.tolerance}`);
  if (!(o.batchSize >= 1)) throw new RangeError(`batchSize must be >= 1, got ${o.batchSize}`);
  if (!(o.sampleRatio > 0 && o.sampleRatio <= 1))
    throw new RangeError(`sampleRatio must be > 0 and <= 1, got ${o.sampleRatio}`);
  if (o.keysPerSecond !== undefined && !(o.keysPerSecond > 0))
    throw new RangeError(`keysPerSecond must be > 0, got ${o.keysPerSecond}`);
  if (!(o.bigKeyThreshold >= 1 && o.lengthOnlyAbove >= 1))
    throw new RangeError('bigKeyThreshold and lengthOnlyAbove must be >= 1');
  if (!(o.recheck.rounds >= 0 && o.recheck.intervalMs >= 0))
    throw new RangeError('recheck.rounds and recheck.intervalMs must be >= 0');
}

async function scan(
  side: RedisSide,
  db: number,
  shard: Shard,
  from: string,
  count: number,
  visit: (keys: Buffer[], next: string) => Promise<void>,
): Promise<void> {
  let cursor = from;
  do {
    const [next, keys] = await side.run(db, () => shard.redis.scanBuffer(cursor, 'COUNT', count));
    cursor = next.toString();
    // SCAN may return a key twice; compare it once per batch.
    const unique = [...new Map(keys.map((key) => [key.toString('latin1'), key])).values()];
    await visit(unique, cursor);
  } while (cursor !== '0');
}

/** Keys per database on each side from INFO keyspace: the databases to compare, and a first look at the sizes. */
async function precheck(
  source: RedisSide,
  target: RedisSide,
): Promise<Record<number, { source: number; target: number }>> {
  const [left, right] = await Promise.all([source.keyspace(), target.keyspace()]);
  const dbs = [...new Set([...left.keys(), ...right.keys()])].sort((a, b) => a - b);
  return Object.fromEntries(dbs.map((db) => [db, { source: left.get(db) ?? 0, target: right.get(db) ?? 0 }]));
}

/** Key names longer than this are shortened in reports (a report, and a heartbeat carrying it, stays small). */
const MAX_KEY_BYTES = 1_024;

/** UTF-8 keys as they are; other bytes as \xNN, so a report line never holds raw binary. Huge names are cut. */
export function printableKey(key: Buffer): string {
  if (key.length > MAX_KEY_BYTES) return `${printableKey(key.subarray(0, 256))}…(${key.length} bytes)`;
  const text = key.toString('utf8');
  const hasControlBytes = key.some((byte) => byte < 0x20 || byte === 0x7f);
  if (!hasControlBytes && Buffer.from(text, 'utf8').equals(key)) return text;
  return [...key]
    .map((byte) =>
      byte >= 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}
