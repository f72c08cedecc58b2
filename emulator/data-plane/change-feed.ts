import { Redis } from 'ioredis';
import type { RedisConnections } from './connections.js';
import { describeFailure, DataPlaneError } from './failures.js';
import { connectionOptions } from './redis-address.js';

const keyeventChannel = /^__keyevent@(\d+)__:/;

/**
 * The incremental phase's source of changes: keyspace notifications from the source, collected into a
 * de-duplicating queue of (db, key). Every event, whatever its type (set, hset, del, expired, evicted,
 * rename_from, move_to, ...), just marks the key for a re-copy, and the per-key copy reads the key's current
 * state, so the order and number of events do not matter. Notifications are fire-and-forget: when the
 * subscription drops, events are lost and the run must resync (`onLost`).
 *
 * FLUSHDB, FLUSHALL and SWAPDB emit no keyspace event. They are detected by polling the source's command
 * statistics (`keyspaceWideCommands`); the run then re-syncs the keyspace (see online-migration.ts).
 */
export class ChangeFeed {
  private readonly queue = new Map<string, { db: number; key: Buffer }>();
  private readonly subscribers: Array<{ connection: Redis; shard: RedisConnections }> = [];
  private closing = false;

  private constructor() {}

  /**
   * Enables keyspace notifications on the source (adding `E` and `A` to what is configured; never removing
   * anything) and subscribes to every database's key events. Must finish before the full scan starts, so that no
   * change falls between the scan and the subscription. A cluster's nodes publish key events to their own
   * subscribers only, so a cluster source gets one subscriber (and the notification flags) per master.
   */
  static async open(source: RedisConnections, onLost: (error: Error) => void): Promise<ChangeFeed> {
    const feed = new ChangeFeed();
    try {
      for (const shard of await source.shards()) await feed.subscribe(shard, onLost);
    } catch (error) {
      feed.close();
      throw error;
    }
    return feed;
  }

  private async subscribe(shard: RedisConnections, onLost: (error: Error) => void): Promise<void> {
    await enableKeyeventNotifications(shard);
    const subscriber = new Redis(connectionOptions(shard.address, 0, shard.connectionName));
    this.subscribers.push({ connection: subscriber, shard });
    let lastError: Error | undefined;
    subscriber.on('error', (error: Error) => (lastError = error));
    subscriber.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, key: Buffer) => this.push(channel, key));
    try {
      await subscriber.connect();
      await subscriber.psubscribe('__keyevent@*__:*');
    } catch (error) {
      throw describeFailure(error, shard.side, shard.address, lastError);
    }
    subscriber.on('close', () => {
      if (!this.closing)
        onLost(describeFailure(new Error('Connection is closed.'), shard.side, shard.address, lastError));
    });
  }

  /** Keys waiting to be re-copied: the migration's `offset`. */
  get size(): number {
    return this.queue.size;
  }

  /** Removes up to `max` queued keys, grouped by database. */
  take(max: number): Map<number, Buffer[]> {
    const byDb = new Map<number, Buffer[]>();
    let taken = 0;
    for (const [id, change] of this.queue) {
      if (taken++ >= max) break;
      this.queue.delete(id);
      const keys = byDb.get(change.db) ?? [];
      keys.push(change.key);
      byDb.set(change.db, keys);
    }
    return byDb;
  }

  /**
   * Resolves once every key event of a command the source ran before this call is queued: a PING on each
   * subscriber connection is answered after the messages already bound for that connection, since Redis answers a
   * client in order (a subscribed client may PING). A stop uses it to carry exactly the writes and deletes made
   * before it, without re-reading the keyspace. A lost subscriber fails it as a transient failure.
   */
  async barrier(): Promise<void> {
    await Promise.all(
      this.subscribers.map(({ connection, shard }) =>
        connection.ping().catch((error: unknown) => Promise.reject(describeFailure(error, shard.side, shard.address))),
      ),
    );
  }

  close(): void {
    this.closing = true;
    for (const { connection } of this.subscribers) connection.disconnect();
  }

  private push(channel: Buffer, key: Buffer): void {
    const match = keyeventChannel.exec(channel.toString('latin1'));
    if (!match) return;
    const db = Number(match[1]);
    // latin1 maps every byte to one character, so binary key names stay distinct in the map.
    this.queue.set(`${db}:${key.toString('latin1')}`, { db, key });
  }
}

async function enableKeyeventNotifications(source: RedisConnections): Promise<void> {
  const connection = await source.db(0);
  try {
    const [, current = ''] = (await connection.config('GET', 'notify-keyspace-events')) as string[];
    const missing = ['E', 'A'].filter((flag) => !current.includes(flag)).join('');
    if (missing) await connection.config('SET', 'notify-keyspace-events', current + missing);
  } catch (error) {
    const failure = source.fail(error, connection);
    if (failure instanceof DataPlaneError && failure.transient) throw failure;
    throw new DataPlaneError(
      `incremental migration needs keyspace notifications, but the source refused CONFIG SET notify-keyspace-events (${failure.message})`,
      false,
    );
  }
}

/** Commands that change many keys without a key event, as run so far on the source (from INFO commandstats). */
export interface KeyspaceWideCommands {
  /** FLUSHDB + FLUSHALL calls. */
  flushes: number;
  /** SWAPDB calls. */
  swaps: number;
}

/** Summed over the masters of a cluster (a FLUSHALL through a cluster client runs on each). */
export async function keyspaceWideCommands(source: RedisConnections): Promise<KeyspaceWideCommands> {
  const seen: KeyspaceWideCommands = { flushes: 0, swaps: 0 };
  for (const shard of await source.shards()) {
    const info = await shard.info('commandstats');
    const calls = (pattern: RegExp) => [...info.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
    seen.flushes += calls(/^cmdstat_flush(?:db|all):calls=(\d+)/gm);
    seen.swaps += calls(/^cmdstat_swapdb:calls=(\d+)/gm);
  }
  return seen;
}
