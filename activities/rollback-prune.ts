/**
 * The deletes a reverse task cannot carry back (`cutover.rollback: keep-writes`, workflows/steps/reverse-sync.ts).
 * The reverse task starts with a full sync, which copies what the target holds and leaves alone what only the
 * source holds: a key the clients deleted on the target between the switch and that full sync (the check, the
 * reverse task's creation) is still on the source. After the switch the target held every source key (the forward
 * task's final sync), so a key only the source holds is such a delete. Two steps, so the rollback's pause stays
 * short: `listSourceOnlyKeys` scans the source while the reverse task still runs, `deleteSourceOnlyKeys` (after
 * it stopped, right before rollback-ip) deletes from the source each listed key the target still lacks.
 *
 * Not DCS calls but the worker's own Redis connections, to each instance where ShowInstance says it is reached
 * now (by instance id: the switch swapped the addresses). Keys travel base64-encoded (binary-safe); passwords are
 * resolved here and go nowhere else.
 */
import { activityInfo, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Redis } from 'ioredis';
import type { SecretRef } from '../common/migration-input.js';
import { redisOptions } from '../redis/connection-options.js';
import type { DcsMigrationApi } from './dcs-api.js';
import type { Attempted } from './results.js';
import { resolveOptional, SecretUnavailableError, type SecretResolver } from './secrets.js';

/** One instance of the pair, by id, with the password to log in with. */
export interface PruneSide {
  instanceId: string;
  password?: SecretRef | undefined;
}

/** A key of logical database `db`, base64-encoded. */
export interface DbKey {
  db: number;
  key: string;
}

export interface SourceOnlyKeys {
  keys: DbKey[];
  /** Keys of the source looked at. */
  scanned: number;
  /** More than `limit` keys only on the source: the list stops there (the workflow then deletes none). */
  truncated: boolean;
}

const SCAN_COUNT = 1_000;

export function createRollbackPruneActivities(dcs: DcsMigrationApi, secrets: SecretResolver) {
  /** A client of instance `side` where ShowInstance says it is reached now; not connected yet. */
  async function connect(side: PruneSide, field: string): Promise<Redis> {
    const shown = await dcs.showInstance(side.instanceId);
    let password: string | undefined;
    try {
      password = await resolveOptional(secrets, side.password, field);
    } catch (error) {
      if (error instanceof SecretUnavailableError)
        throw ApplicationFailure.nonRetryable(error.message, 'SecretUnavailable');
      throw error;
    }
    const endpoint = { host: String(shown.ip), port: Number(shown.port), password };
    return new Redis(redisOptions(endpoint, { connectTimeout: 5_000, enableOfflineQueue: false }));
  }

  async function withPair<T>(
    request: { source: PruneSide; target: PruneSide },
    use: (s: Redis, t: Redis) => Promise<T>,
  ) {
    const source = await connect(request.source, 'source.password');
    const target = await connect(request.target, 'target.password');
    try {
      await Promise.all([source.connect(), target.connect()]);
      return await use(source, target);
    } finally {
      source.disconnect();
      target.disconnect();
    }
  }

  return {
    /** Keys the source holds and the target does not (at most `limit`; see the file comment). */
    async listSourceOnlyKeys(request: {
      source: PruneSide;
      target: PruneSide;
      limit: number;
    }): Promise<Attempted & SourceOnlyKeys> {
      return withPair(request, async (source, target) => {
        const found: SourceOnlyKeys = { keys: [], scanned: 0, truncated: false };
        for (const db of await keyspaceDbs(source)) {
          await Promise.all([source.select(db), target.select(db)]);
          let cursor = '0';
          do {
            const [next, keys] = await source.scanBuffer(cursor, 'COUNT', SCAN_COUNT);
            cursor = String(next);
            found.scanned += keys.length;
            const exists = keys.length === 0 ? [] : await target.pipeline(keys.map((key) => ['exists', key])).exec();
            keys.forEach((key, index) => {
              if (exists?.[index]?.[1] === 0) found.keys.push({ db, key: key.toString('base64') });
            });
            if (found.keys.length > request.limit) {
              return {
                keys: found.keys.slice(0, request.limit),
                scanned: found.scanned,
                truncated: true,
                attempts: activityInfo().attempt,
              };
            }
            heartbeat();
          } while (cursor !== '0');
        }
        return { ...found, attempts: activityInfo().attempt };
      });
    },

    /** Deletes from the source each listed key the target still does not hold; answers how many went. */
    async deleteSourceOnlyKeys(request: {
      source: PruneSide;
      target: PruneSide;
      keys: DbKey[];
    }): Promise<Attempted & { deleted: number }> {
      return withPair(request, async (source, target) => {
        let deleted = 0;
        const dbs = [...new Set(request.keys.map((entry) => entry.db))];
        for (const db of dbs) {
          await Promise.all([source.select(db), target.select(db)]);
          const keys = request.keys.filter((entry) => entry.db === db).map((entry) => Buffer.from(entry.key, 'base64'));
          const exists = (await target.pipeline(keys.map((key) => ['exists', key])).exec()) ?? [];
          const gone = keys.filter((_, index) => exists[index]?.[1] === 0);
          if (gone.length > 0) deleted += await source.del(...gone);
        }
        return { deleted, attempts: activityInfo().attempt };
      });
    },
  };
}

/** The logical databases that hold keys (`INFO keyspace`: `db3:keys=…`). */
async function keyspaceDbs(redis: Redis): Promise<number[]> {
  const info = await redis.info('keyspace');
  return [...info.matchAll(/^db(\d+):keys=(\d+)/gm)].filter((m) => Number(m[2]) > 0).map((m) => Number(m[1]));
}
