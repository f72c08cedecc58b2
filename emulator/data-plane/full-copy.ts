import type { RedisConnections } from './connections.js';
import type { KeyCopier } from './key-copy.js';
import { keyspaceSizes, scanKeys, totalKeys } from './keyspace.js';

export interface FullCopyHooks {
  /** Called before the first batch and after every batch with the keys copied so far and the scan's total. */
  onProgress(copied: number, total: number): Promise<void> | void;
  /** True when the copy should end early (the run is being stopped). */
  shouldStop(): boolean;
}

/**
 * Copies every key of every non-empty source database into the same database on the target. The total is the
 * source's key count when the scan starts; under concurrent writes `copied` may pass it, so callers clamp.
 */
export async function copyKeyspace(source: RedisConnections, copier: KeyCopier, hooks: FullCopyHooks): Promise<{ copied: number }> {
  const sizes = await keyspaceSizes(source);
  const total = totalKeys(sizes);
  let copied = 0;
  await hooks.onProgress(copied, total);
  for (const db of [...sizes.keys()].sort((a, b) => a - b)) {
    if (hooks.shouldStop()) break;
    await scanKeys(source, db, async (keys) => {
      if (hooks.shouldStop()) return;
      copied += await copier.copyKeys(db, keys);
      await hooks.onProgress(copied, total);
    });
  }
  return { copied };
}

/**
 * Deletes keys that exist on the target but not on the source, in every database the target holds: what a
 * FLUSHDB, a missed notification or a key from before the migration leaves behind. The deletion goes through the
 * per-key copy (which deletes a key the source lacks), so a key created on the source since the EXISTS check is
 * copied rather than lost. Returns how many keys it found missing.
 */
export async function deleteKeysMissingFromSource(
  source: RedisConnections,
  target: RedisConnections,
  copier: KeyCopier,
  shouldStop: () => boolean,
): Promise<number> {
  const sizes = await keyspaceSizes(target);
  let deleted = 0;
  for (const db of sizes.keys()) {
    if (shouldStop()) break;
    const sourceConnection = await source.db(db);
    await scanKeys(target, db, async (keys) => {
      const exists = sourceConnection.pipeline();
      for (const key of keys) exists.exists(key);
      let results;
      try {
        results = (await exists.exec()) ?? [];
      } catch (error) {
        throw source.fail(error, sourceConnection);
      }
      const missing = keys.filter((_, index) => results[index]?.[1] === 0);
      if (missing.length === 0) return;
      deleted += missing.length;
      await copier.copyKeys(db, missing);
    });
  }
  return deleted;
}
