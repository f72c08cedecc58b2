import type { RedisConnections } from './connections.js';

/**
 * Keys per logical database, from `INFO keyspace` (databases without keys are not listed by Redis); summed over
 * the masters of a cluster.
 */
export async function keyspaceSizes(side: RedisConnections): Promise<Map<number, number>> {
  const sizes = new Map<number, number>();
  for (const shard of await side.shards()) {
    for (const [db, keys] of parseKeyspace(await shard.info('keyspace'))) sizes.set(db, (sizes.get(db) ?? 0) + keys);
  }
  return sizes;
}

/** Parses `db3:keys=10,expires=2,avg_ttl=0` lines. */
export function parseKeyspace(info: string): Map<number, number> {
  const sizes = new Map<number, number>();
  for (const match of info.matchAll(/^db(\d+):keys=(\d+)/gm)) sizes.set(Number(match[1]), Number(match[2]));
  return sizes;
}

export function totalKeys(sizes: Map<number, number>): number {
  let total = 0;
  for (const keys of sizes.values()) total += keys;
  return total;
}

/**
 * Calls `visit` with every key of `db` of one server (a shard of a cluster: see `RedisConnections.shards()`) in SCAN
 * batches. SCAN guarantees only the keys present for the whole
 * scan; keys written meanwhile are the incremental phase's job.
 */
export async function scanKeys(
  side: RedisConnections,
  db: number,
  visit: (keys: Buffer[]) => Promise<void>,
  count = 1000,
): Promise<void> {
  const connection = await side.db(db);
  let cursor = '0';
  do {
    let reply: [Buffer, Buffer[]];
    try {
      reply = await connection.scanBuffer(cursor, 'COUNT', count);
    } catch (error) {
      throw side.fail(error, connection);
    }
    cursor = reply[0].toString();
    if (reply[1].length > 0) await visit(reply[1]);
  } while (cursor !== '0');
}
