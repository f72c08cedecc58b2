import type { Redis } from 'ioredis';
import { scanCollection } from '../redis/scan-collection.js';

/**
 * Compares one big collection on two servers a window at a time (HSCAN/SSCAN/ZSCAN pages checked against the
 * target with HMGET/SMISMEMBER/ZMSCORE, LRANGE windows, XRANGE pages), so neither the servers nor the comparer
 * ever hold the whole value. The caller has already found both sides of the same type and length: then every
 * source element present with the same value on the target means equal values. Returns undefined when equal,
 * else a short description (sizes, never the values).
 */
export async function describeChunkedDifference(
  type: string,
  key: Buffer,
  length: number,
  source: Redis,
  target: Redis,
  chunk: number,
): Promise<string | undefined> {
  const compare = comparers[type];
  if (!compare) return `${type} payloads differ (no chunked comparison for this type)`;
  const equal = await compare(key, source, target, chunk);
  return equal ? undefined : `${type} contents differ (${length} ${units[type] ?? 'items'} each)`;
}

const units: Record<string, string> = {
  hash: 'fields',
  list: 'elements',
  set: 'members',
  zset: 'members',
  stream: 'entries',
};

type Comparer = (key: Buffer, source: Redis, target: Redis, chunk: number) => Promise<boolean>;

const comparers: Record<string, Comparer> = {
  hash: (key, source, target, chunk) =>
    scanCollection(source, 'HSCAN', key, chunk, async (flat) => {
      const fields = flat.filter((_, index) => index % 2 === 0);
      const values = (await target.callBuffer('HMGET', key, ...fields)) as Array<Buffer | null>;
      return fields.every((_, index) => sameBytes(values[index], flat[2 * index + 1]));
    }),
  set: (key, source, target, chunk) =>
    scanCollection(source, 'SSCAN', key, chunk, async (members) => {
      const present = (await target.callBuffer('SMISMEMBER', key, ...members)) as number[];
      return present.every((flag) => flag === 1);
    }),
  zset: (key, source, target, chunk) =>
    scanCollection(source, 'ZSCAN', key, chunk, async (flat) => {
      const members = flat.filter((_, index) => index % 2 === 0);
      const scores = (await target.callBuffer('ZMSCORE', key, ...members)) as Array<Buffer | null>;
      return members.every((_, index) => sameScore(scores[index], flat[2 * index + 1]));
    }),
  list: async (key, source, target, chunk) => {
    for (let start = 0; ; start += chunk) {
      const [left, right] = await Promise.all([
        source.lrangeBuffer(key, start, start + chunk - 1),
        target.lrangeBuffer(key, start, start + chunk - 1),
      ]);
      if (left.length !== right.length || left.some((item, index) => !sameBytes(item, right[index]))) return false;
      if (left.length < chunk) return true;
    }
  },
  stream: async (key, source, target, chunk) => {
    for (let start = '-'; ;) {
      const [left, right] = await Promise.all([
        source.xrangeBuffer(key, start, '+', 'COUNT', chunk),
        target.xrangeBuffer(key, start, '+', 'COUNT', chunk),
      ]);
      if (left.length !== right.length) return false;
      for (const [index, [id, fields]] of left.entries()) {
        const other = right[index];
        if (
          !other ||
          !id.equals(other[0]) ||
          fields.length !== other[1].length ||
          fields.some((field, at) => !sameBytes(field, other[1][at]))
        )
          return false;
      }
      const last = left.at(-1);
      if (!last || left.length < chunk) return true;
      start = `(${last[0].toString()}`; // exclusive start (Redis 6.2+)
    }
  },
};

function sameBytes(left: Buffer | null | undefined, right: Buffer | null | undefined): boolean {
  return left != null && right != null && left.equals(right);
}

function sameScore(left: Buffer | null | undefined, right: Buffer | null | undefined): boolean {
  return left != null && right != null && scoreOf(left) === scoreOf(right);
}

/** A zset score as Redis prints it: a number, or `inf` / `-inf` (which `Number()` reads as NaN). */
function scoreOf(score: Buffer): number {
  const text = score.toString().toLowerCase();
  if (text === 'inf' || text === '+inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}
