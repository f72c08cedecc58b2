import type { Redis } from 'ioredis';

/**
 * Compares one key's value on two servers by its type, for when DUMP payloads differ (the same value can be
 * encoded differently, e.g. listpack vs hashtable, or by another Redis version). Returns undefined when the
 * values are equal, else a short description of the first difference (sizes, never the values themselves).
 * Whole values are fetched, so this is meant for the few keys whose payloads differ.
 */
export async function describeValueDifference(
  type: string,
  key: Buffer,
  source: Redis,
  target: Redis,
): Promise<string | undefined> {
  const read = readers[type];
  if (!read) return `${type} payloads differ (no typed comparison for this type)`;
  const [left, right] = await Promise.all([read(source, key), read(target, key)]);
  const units = unit[type] ?? 'items';
  if (left.size !== right.size)
    return `${type} sizes differ: source ${left.size} ${units}, target ${right.size} ${units}`;
  for (const [index, item] of left.items.entries()) {
    if (item !== right.items[index]) return `${type} contents differ (${left.size} ${units} each)`;
  }
  return undefined;
}

const unit: Record<string, string> = {
  string: 'bytes',
  hash: 'fields',
  list: 'elements',
  set: 'members',
  zset: 'members',
  stream: 'entries',
};

interface CanonicalValue {
  /** Bytes of a string, else number of fields, elements, members or entries. */
  size: number;
  /** The value as a canonical list of strings (binary-safe via base64): equal values give equal lists. */
  items: string[];
}

const readers: Record<string, (redis: Redis, key: Buffer) => Promise<CanonicalValue>> = {
  string: async (redis, key) => {
    const value = (await redis.getBuffer(key)) ?? Buffer.alloc(0);
    return { size: value.length, items: [encode(value)] };
  },
  hash: async (redis, key) => pairs((await redis.callBuffer('HGETALL', key)) as Buffer[]),
  list: async (redis, key) => listed((await redis.lrangeBuffer(key, 0, -1)).map(encode)),
  set: async (redis, key) => listed((await redis.smembersBuffer(key)).map(encode).sort()),
  // ZRANGE already orders by (score, member), so equal zsets give equal lists without sorting.
  zset: async (redis, key) => pairs((await redis.callBuffer('ZRANGE', key, 0, -1, 'WITHSCORES')) as Buffer[], false),
  stream: async (redis, key) =>
    listed(
      (await redis.xrangeBuffer(key, '-', '+')).map(
        ([id, fields]) => `${id.toString()}:${fields.map(encode).join(',')}`,
      ),
    ),
};

function listed(items: string[]): CanonicalValue {
  return { size: items.length, items };
}

/** A flat [a1, b1, a2, b2, ...] reply as "a=b" items, sorted unless the server's order is already canonical. */
function pairs(flat: Buffer[], sort = true): CanonicalValue {
  const items: string[] = [];
  for (let index = 0; index + 1 < flat.length; index += 2)
    items.push(`${encode(flat[index] as Buffer)}=${encode(flat[index + 1] as Buffer)}`);
  return listed(sort ? items.sort() : items);
}

function encode(value: Buffer): string {
  return value.toString('base64');
}
