import type { Redis } from 'ioredis';
import type { RedisConnections } from './connections.js';
import type { ThroughputMeter } from './throughput.js';
import type { TokenBucket } from './token-bucket.js';

/**
 * Reads a batch of keys atomically: the server clock, then per key its remaining TTL and DUMP payload, in one
 * script so that each TTL and value belong to the same moment (and one round trip serves many keys). A key that
 * does not exist (any more) gets false for both.
 */
const readKeysScript = `
local now = redis.call('TIME')
local reply = {now[1], now[2]}
for i, key in ipairs(KEYS) do
  local pttl = redis.call('PTTL', key)
  if pttl == -2 then
    reply[2 * i + 1] = false
    reply[2 * i + 2] = false
  else
    reply[2 * i + 1] = pttl
    reply[2 * i + 2] = redis.call('DUMP', key)
  end
end
return reply
`;

/** Writes are flushed to the target once this many bytes are queued, so a batch of big keys stays bounded. */
const maxWriteBytes = 4 * 1024 * 1024;
/** Keys read from the source per round trip; shrinks automatically when keys are big (see `nextReadSize`). */
const maxReadKeys = 512;

/** The per-key copy every phase uses: full sync, incremental follow-up and the reconcile pass. */
export class KeyCopier {
  private readonly scriptShas = new WeakMap<Redis, string>();
  private averageKeyBytes = 64;

  constructor(
    private readonly source: RedisConnections,
    private readonly target: RedisConnections,
    private readonly meter: ThroughputMeter,
    private readonly limiter?: TokenBucket,
  ) {}

  /**
   * Makes each key on the target equal to the key on the source right now: RESTORE ... REPLACE ABSTTL with the
   * source's absolute expiry when it exists, DEL when it does not (deleted or expired in the meantime). Idempotent,
   * so re-copying a key any number of times is safe. Returns how many keys were written.
   */
  async copyKeys(db: number, keys: Buffer[]): Promise<number> {
    // The next chunk is read while the previous one is written: both servers work at once.
    let pendingWrite: Promise<void> = Promise.resolve();
    for (let start = 0; start < keys.length; ) {
      const chunk = keys.slice(start, start + this.nextReadSize());
      start += chunk.length;
      const reads = await this.read(db, chunk).catch(async (error: unknown) => {
        await pendingWrite.catch(() => {});
        throw error;
      });
      await pendingWrite;
      pendingWrite = this.writeChunk(db, chunk, reads);
      pendingWrite.catch(() => {}); // handled by the await above or below; keeps Node from calling it unhandled
    }
    await pendingWrite;
    return keys.length;
  }

  private nextReadSize(): number {
    return Math.max(1, Math.min(maxReadKeys, Math.floor(maxWriteBytes / this.averageKeyBytes)));
  }

  private async writeChunk(db: number, keys: Buffer[], reads: Array<KeyRead | undefined>): Promise<void> {
    const writes: Array<Array<string | Buffer | number>> = [];
    let bytes = 0;
    let chunkBytes = 0;
    for (const [index, key] of keys.entries()) {
      const read = reads[index];
      const size = key.length + (read?.payload.length ?? 0) + 32;
      writes.push(read === undefined ? ['DEL', key] : restoreCommand(key, read));
      bytes += size;
      chunkBytes += size;
      if (bytes >= maxWriteBytes) {
        await this.write(db, writes.splice(0), bytes);
        bytes = 0;
      }
    }
    if (writes.length > 0) await this.write(db, writes, bytes);
    this.averageKeyBytes = Math.max(16, Math.round((this.averageKeyBytes + chunkBytes / Math.max(1, keys.length)) / 2));
  }

  private async read(db: number, keys: Buffer[]): Promise<Array<KeyRead | undefined>> {
    const connection = await this.source.db(db);
    const sha = await this.loadScript(connection);
    let reply: unknown;
    try {
      reply = await connection.callBuffer('EVALSHA', sha, keys.length, ...keys);
    } catch (error) {
      // SCRIPT FLUSH on the source (or a failover) empties the script cache: load it again and re-read.
      if (error instanceof Error && /NOSCRIPT/.test(error.message)) {
        this.scriptShas.delete(connection);
        return this.read(db, keys);
      }
      throw this.source.fail(error, connection);
    }
    return parseReads(reply as Array<Buffer | number | null>, keys.length);
  }

  private async loadScript(connection: Redis): Promise<string> {
    let sha = this.scriptShas.get(connection);
    if (sha === undefined) {
      try {
        sha = String(await connection.script('LOAD', readKeysScript));
      } catch (error) {
        throw this.source.fail(error, connection);
      }
      this.scriptShas.set(connection, sha);
    }
    return sha;
  }

  private async write(db: number, commands: Array<Array<string | Buffer | number>>, bytes: number): Promise<void> {
    await this.limiter?.take(bytes);
    const connection = await this.target.db(db);
    const pipeline = connection.pipeline();
    for (const [name, ...args] of commands) pipeline.call(String(name), ...args);
    let results;
    try {
      results = (await pipeline.exec()) ?? [];
    } catch (error) {
      throw this.target.fail(error, connection);
    }
    const firstError = results.find(([error]) => error)?.[0];
    if (firstError) throw this.target.fail(firstError, connection);
    this.meter.record(commands.length, bytes);
  }
}

interface KeyRead {
  /** Absolute expiry in ms since the epoch on the source's clock, or 0 for no expiry. */
  expiresAt: number;
  payload: Buffer;
}

function parseReads(reply: Array<Buffer | number | null>, count: number): Array<KeyRead | undefined> {
  const nowMs = Number(String(reply[0])) * 1000 + Math.floor(Number(String(reply[1])) / 1000);
  const reads: Array<KeyRead | undefined> = [];
  for (let index = 0; index < count; index++) {
    const pttl = reply[2 + 2 * index];
    const payload = reply[3 + 2 * index];
    if (typeof pttl !== 'number' || !Buffer.isBuffer(payload)) reads.push(undefined);
    // An expiry of 0 would mean "no TTL" to RESTORE, and a key due this very millisecond must still expire.
    else reads.push({ expiresAt: pttl < 0 ? 0 : Math.max(1, nowMs + pttl), payload });
  }
  return reads;
}

function restoreCommand(key: Buffer, read: KeyRead): Array<string | Buffer | number> {
  return read.expiresAt === 0
    ? ['RESTORE', key, 0, read.payload, 'REPLACE']
    : ['RESTORE', key, read.expiresAt, read.payload, 'REPLACE', 'ABSTTL'];
}
