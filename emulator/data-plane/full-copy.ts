import { isTemporaryKey } from './big-key-copy.js';
import type { CarriedKeys } from './carried-keys.js';
import type { RedisConnections } from './connections.js';
import type { KeyCopier } from './key-copy.js';
import { keyspaceSizes, scanKeys } from './keyspace.js';

export interface FullCopyHooks {
  /** Called before the first batch and after every batch with the keys copied so far and the scan's total. */
  onProgress(copied: number, total: number): Promise<void> | void;
  /** True when the copy should end early (the run is being stopped). */
  shouldStop(): boolean;
}

/**
 * Copies every key of every non-empty source database into the same database on the target. A cluster source is
 * scanned master by master (each key lives on exactly one); a cluster target only has db 0, so other databases
 * of a standalone source are skipped (the copier says so once). The total is the source's key count when the scan
 * starts; under concurrent writes `copied` may pass it, so callers clamp.
 */
export async function copyKeyspace(
  source: RedisConnections,
  copier: KeyCopier,
  hooks: FullCopyHooks,
): Promise<{ copied: number }> {
  let copied = 0;
  const shards = await source.shards();
  const sizes = new Map<RedisConnections, Map<number, number>>();
  for (const shard of shards) sizes.set(shard, await keyspaceSizes(shard));
  const dbsOf = async (shard: RedisConnections) => {
    const dbs: number[] = [];
    for (const db of [...(sizes.get(shard)?.keys() ?? [])].sort((a, b) => a - b))
      if (await copier.acceptsDb(db)) dbs.push(db);
    return dbs;
  };
  let total = 0;
  for (const shard of shards) for (const db of await dbsOf(shard)) total += sizes.get(shard)?.get(db) ?? 0;
  await hooks.onProgress(copied, total);
  for (const shard of shards) {
    for (const db of await dbsOf(shard)) {
      if (hooks.shouldStop()) return { copied };
      await scanKeys(shard, db, async (keys) => {
        if (hooks.shouldStop()) return;
        copied += await copier.copyKeys(db, keys);
        await hooks.onProgress(copied, total);
      });
    }
  }
  return { copied };
}

/**
 * Deletes keys the run carried to the target (`carried`) that the source no longer has: what deletions in a gap
 * without events (a lost feed, a failover) or a FLUSHDB left behind. Keys the run never carried stay, as DCS's sync
 * leaves a key the source never had on the target; so do the target's keys from before the migration. Leftover
 * temporary keys of a chunked big-key copy (`__dcs-migrate:partial:…`) are the run's own and go too. The deletion
 * goes through the per-key copy (which deletes a key the source lacks), so a key created on the source since the
 * EXISTS check is copied rather than lost. Returns how many keys it found missing. Databases other than 0 of a
 * standalone target are left alone when the source is a cluster (which has db 0 only).
 */
export async function deleteKeysMissingFromSource(
  source: RedisConnections,
  target: RedisConnections,
  copier: KeyCopier,
  carried: CarriedKeys,
  shouldStop: () => boolean,
): Promise<number> {
  const sourceIsCluster = await source.isCluster();
  let deleted = 0;
  for (const shard of await target.shards()) {
    for (const db of (await keyspaceSizes(shard)).keys()) {
      if (shouldStop()) return deleted;
      if (db !== 0 && sourceIsCluster) continue;
      await scanKeys(shard, db, async (found) => {
        const keys = found.filter((key) => carried.has(db, key) || isTemporaryKey(key));
        if (keys.length === 0) return;
        const missing: Buffer[] = [];
        for (const [sourceShard, group] of await source.route(db, keys)) {
          const sourceConnection = await sourceShard.db(db);
          const exists = sourceConnection.pipeline();
          for (const key of group) exists.exists(key);
          let results;
          try {
            results = (await exists.exec()) ?? [];
          } catch (error) {
            throw sourceShard.fail(error, sourceConnection);
          }
          const failed = results.find(([error]) => error);
          if (failed?.[0]) throw sourceShard.fail(failed[0], sourceConnection);
          missing.push(...group.filter((_, index) => results[index]?.[1] === 0));
        }
        if (missing.length === 0) return;
        deleted += missing.length;
        await copier.copyKeys(db, missing);
      });
    }
  }
  return deleted;
}
