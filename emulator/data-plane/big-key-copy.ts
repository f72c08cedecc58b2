import type { Redis } from 'ioredis';
import { hashTagForSlot, keySlot } from '../../redis/key-slot.js';
import { scanCollection } from '../../redis/scan-collection.js';
import type { RedisConnections } from './connections.js';
import { DataPlaneError } from './failures.js';
import type { ThroughputMeter } from './throughput.js';
import type { TokenBucket } from './token-bucket.js';

/**
 * When a collection is too big to DUMP whole, and how it is copied instead. A DUMP payload is held whole by the
 * source's reply buffer, by this process and by the target's RESTORE, so a 5,000,000-member zset would make the
 * data plane's memory grow with the key; a chunked copy holds one window at a time.
 */
export interface BigKeyLimits {
  /** Hashes, sets, zsets, lists and streams with more elements than this are copied in chunks. */
  maxElements: number;
  /** ... and so are collections whose `MEMORY USAGE` (sampled, so cheap) exceeds this many bytes. */
  maxBytes: number;
  /** Elements read from the source and written to the target per round trip of a chunked copy. */
  chunkElements: number;
}

export const defaultBigKeyLimits: BigKeyLimits = {
  maxElements: 100_000,
  maxBytes: 8 * 1024 * 1024,
  chunkElements: 1_000,
};

/** Checks limits given by a caller (the emulator's settings, tests, benchmarks); names the bad field. */
export function bigKeyLimits(given: Partial<BigKeyLimits> = {}): BigKeyLimits {
  const limits = { ...defaultBigKeyLimits, ...given };
  for (const field of ['maxElements', 'maxBytes', 'chunkElements'] as const) {
    if (!Number.isInteger(limits[field]) || limits[field] < 1)
      throw new RangeError(`bigKeys.${field} must be a positive integer, got ${limits[field]}`);
  }
  return limits;
}

/** The collection types a chunked copy handles (strings are always DUMPed). */
export const chunkedTypes = ['hash', 'set', 'zset', 'list', 'stream'] as const;
export type ChunkedType = (typeof chunkedTypes)[number];

/**
 * Where a big key is built on the target before it gets its real name. Derived from the key (not from the run),
 * so a retry after a failed attempt starts by deleting the leftover of the previous one; the resync of an
 * incremental run after a failed attempt deletes any other leftover (`isTemporaryKey`). On a cluster target
 * (`sameSlot`) the name also carries a hash tag of the key's slot, so that the final RENAME stays within one slot.
 */
export function temporaryKeyOf(key: Buffer, sameSlot = false): Buffer {
  if (!sameSlot) return Buffer.concat([temporaryPrefix, key]);
  // On a cluster RENAME needs both names in one slot: a hash tag of the key's own slot pins the temporary key there,
  // whether the key has a tag of its own or not (wrapping a key that holds braces in braces would not).
  return Buffer.concat([temporaryPrefix, Buffer.from(`{${hashTagForSlot(keySlot(key))}}`), key]);
}

const temporaryPrefix = Buffer.from('__dcs-migrate:partial:');

/** True for a name `temporaryKeyOf` makes: a key of the run's own, never one of the source's or a client's. */
export function isTemporaryKey(key: Buffer): boolean {
  return key.length >= temporaryPrefix.length && temporaryPrefix.equals(key.subarray(0, temporaryPrefix.length));
}

/** Source: server time, type and PTTL of one key, atomically (the state the finished copy is stamped with). */
const stateScript = `
local now = redis.call('TIME')
return {now[1], now[2], redis.call('TYPE', KEYS[1]).ok, redis.call('PTTL', KEYS[1])}
`;

/**
 * Target: gives the finished temporary key its real name and the source's expiry in one step, so the key appears
 * whole or not at all. ARGV[1]: absolute expiry in ms (0 none, -1 the key is gone from the source: delete it).
 */
const finishScript = `
local expiresAt = tonumber(ARGV[1])
if expiresAt < 0 or redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
redis.call('RENAME', KEYS[1], KEYS[2])
if expiresAt > 0 then redis.call('PEXPIREAT', KEYS[2], expiresAt) end
return 1
`;

/** What a chunked copy found: `copied` (or deleted because the source lost the key), or `changed` (type changed: copy again). */
export type ChunkedOutcome = 'copied' | 'deleted' | 'changed';

/**
 * Copies one big collection a window at a time: HSCAN/SSCAN/ZSCAN pages, LRANGE windows or XRANGE pages from the
 * source are appended to a temporary key on the target, which is renamed onto the real key at the end and given
 * the source's absolute expiry then (read at the end, so a TTL set or changed meanwhile is honoured). Memory is
 * bounded by `chunkElements`, not by the key.
 *
 * Not a snapshot: writes to the key during the copy may or may not be in it (SCAN returns every element present
 * throughout; a list's windows shift under LPUSH/LPOP). An incremental run has the key's events queued and
 * copies it again afterwards, up to its stop's barrier; a full run copies a live source the same way for all keys.
 * A key deleted or expired meanwhile is deleted on the target; one whose type changed comes back as `changed`.
 */
export async function copyBigKey(
  db: number,
  key: Buffer,
  type: ChunkedType,
  sides: { source: RedisConnections; target: RedisConnections },
  limits: BigKeyLimits,
  accounting: { meter: ThroughputMeter; limiter?: TokenBucket | undefined },
): Promise<ChunkedOutcome> {
  const source = await sides.source.db(db);
  const target = await sides.target.db(db);
  const temporary = temporaryKeyOf(key, sides.target.clusterNode);
  const onSource = <T>(work: Promise<T>) =>
    work.catch((error: unknown) => Promise.reject(sides.source.fail(error, source)));
  const onTarget = <T>(work: Promise<T>) =>
    work.catch((error: unknown) => Promise.reject(sides.target.fail(error, target)));
  await onTarget(target.del(temporary));
  const write: Write = async (command, argsList, bytes) => {
    await accounting.limiter?.take(bytes);
    if (argsList.length === 1) await onTarget(target.callBuffer(command, temporary, ...(argsList[0] ?? [])));
    else {
      // One round trip for a window of commands (XADD takes one entry each); the first error fails the copy.
      const batch = target.pipeline();
      for (const args of argsList) batch.callBuffer(command, temporary, ...args);
      const replies = (await onTarget(batch.exec())) ?? [];
      const failed = replies.find(([error]) => error);
      if (failed?.[0]) throw sides.target.fail(failed[0], target);
    }
    accounting.meter.record(0, bytes);
  };
  try {
    await windows[type](key, source, limits.chunkElements, write);
  } catch (error) {
    await target.del(temporary).catch(() => undefined);
    // A source read hitting another type (target failures arrive already described as DataPlaneErrors).
    if (!(error instanceof DataPlaneError) && error instanceof Error && /WRONGTYPE/.test(error.message))
      return 'changed';
    throw error instanceof DataPlaneError ? error : sides.source.fail(error, source);
  }
  const [seconds, micros, typeNow, pttl] = (await onSource(source.call('EVAL', stateScript, 1, key))) as [
    string,
    string,
    string,
    number,
  ];
  if (typeNow !== 'none' && typeNow !== type) {
    await onTarget(target.del(temporary));
    return 'changed';
  }
  if (type === 'stream' && typeNow === 'stream') await onTarget(copyStreamMeta(key, temporary, source, target));
  const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const expiresAt = typeNow === 'none' ? -1 : pttl < 0 ? 0 : Math.max(1, nowMs + pttl);
  const renamed = await onTarget(target.call('EVAL', finishScript, 2, temporary, key, expiresAt));
  accounting.meter.record(1, key.length);
  return renamed === 1 ? 'copied' : 'deleted';
}

/** Sends `command temporary ...args` once per entry of `argsList`, all in one round trip. */
type Write = (command: string, argsList: Array<Array<Buffer | string>>, bytes: number) => Promise<void>;
type Windows = (key: Buffer, source: Redis, chunk: number, write: Write) => Promise<unknown>;

const windows: Record<ChunkedType, Windows> = {
  hash: (key, source, chunk, write) =>
    scanCollection(source, 'HSCAN', key, chunk, (items) => write('HSET', [items], byteLength(items))),
  set: (key, source, chunk, write) =>
    scanCollection(source, 'SSCAN', key, chunk, (items) => write('SADD', [items], byteLength(items))),
  // ZSCAN gives (member, score); ZADD takes (score, member). Scores come formatted round-trip exact (%.17g, inf).
  zset: (key, source, chunk, write) =>
    scanCollection(source, 'ZSCAN', key, chunk, (items) => {
      const swapped: Buffer[] = [];
      for (let index = 0; index < items.length; index += 2)
        swapped.push(items[index + 1] as Buffer, items[index] as Buffer);
      return write('ZADD', [swapped], byteLength(items));
    }),
  list: async (key, source, chunk, write) => {
    for (let start = 0; ; start += chunk) {
      const items = await source.lrangeBuffer(key, start, start + chunk - 1);
      if (items.length > 0) await write('RPUSH', [items], byteLength(items));
      if (items.length < chunk) return;
    }
  },
  stream: async (key, source, chunk, write) => {
    for (let start = '-'; ;) {
      const entries = await source.xrangeBuffer(key, start, '+', 'COUNT', chunk);
      if (entries.length > 0) {
        const bytes = entries.reduce((sum, [id, fields]) => sum + id.length + byteLength(fields), 0);
        await write(
          'XADD',
          entries.map(([id, fields]) => [id, ...fields]),
          bytes,
        );
      }
      const last = entries.at(-1);
      if (!last || entries.length < chunk) return;
      start = `(${last[0].toString()}`; // exclusive start (Redis 6.2+)
    }
  },
};

/**
 * A stream's state beyond its entries: the last generated ID (so new IDs on the target stay above deleted ones)
 * and its consumer groups at their last-delivered IDs. Pending-entry lists and consumers are not copied: a
 * chunked stream copy starts its groups with nothing pending (DUMP keeps them; see the README's limits).
 */
async function copyStreamMeta(key: Buffer, temporary: Buffer, source: Redis, target: Redis): Promise<void> {
  const info = fieldsOf((await source.call('XINFO', 'STREAM', key)) as unknown[]);
  const lastId = String(info.get('last-generated-id') ?? '0-0');
  const groups = ((await source.call('XINFO', 'GROUPS', key)) as unknown[][]).map(fieldsOf);
  const exists = (await target.exists(temporary)) === 1;
  if (!exists) return;
  await target.call('XSETID', temporary, lastId);
  for (const group of groups)
    await target.call('XGROUP', 'CREATE', temporary, String(group.get('name')), String(group.get('last-delivered-id')));
}

function fieldsOf(flat: unknown[]): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  for (let index = 0; index + 1 < flat.length; index += 2) fields.set(String(flat[index]), flat[index + 1]);
  return fields;
}

function byteLength(items: Buffer[]): number {
  let bytes = 0;
  for (const item of items) bytes += item.length;
  return bytes;
}
