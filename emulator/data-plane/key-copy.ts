import type { Redis } from 'ioredis';
import { copyBigKey, defaultBigKeyLimits, type BigKeyLimits, type ChunkedType } from './big-key-copy.js';
import type { CarriedKeys } from './carried-keys.js';
import type { RedisConnections } from './connections.js';
import { describeAddress } from './redis-address.js';
import type { ThroughputMeter } from './throughput.js';
import type { TokenBucket } from './token-bucket.js';

/**
 * Reads a batch of keys atomically: the server clock, then per key its remaining TTL and DUMP payload, in one
 * script so that each TTL and value belong to the same moment (and one round trip serves many keys). A key that
 * does not exist (any more) gets false for both. The script stops once the payloads reach ARGV[1] bytes and says
 * how many keys it covered, so a run of big keys never builds a huge reply. A collection with more than ARGV[2]
 * elements, or (when it has more than a few) a sampled MEMORY USAGE above ARGV[3] bytes, is not DUMPed: its
 * payload is {type}, and big-key-copy.ts copies it in chunks.
 */
const readKeysScript = `
local now = redis.call('TIME')
local budget = tonumber(ARGV[1])
local maxElements = tonumber(ARGV[2])
local maxBytes = tonumber(ARGV[3])
local lengths = {hash = 'HLEN', set = 'SCARD', zset = 'ZCARD', list = 'LLEN', stream = 'XLEN'}
local reply = {now[1], now[2], 0}
local bytes = 0
for i, key in ipairs(KEYS) do
  local pttl = redis.call('PTTL', key)
  if pttl == -2 then
    reply[2 * i + 2] = false
    reply[2 * i + 3] = false
  else
    local kind = redis.call('TYPE', key).ok
    local lengthCommand = lengths[kind]
    local big = false
    if lengthCommand then
      local length = redis.call(lengthCommand, key)
      big = length > maxElements or (length > 64 and redis.call('MEMORY', 'USAGE', key) > maxBytes)
    end
    reply[2 * i + 2] = pttl
    if big then
      reply[2 * i + 3] = {kind}
    else
      local payload = redis.call('DUMP', key)
      reply[2 * i + 3] = payload
      bytes = bytes + #payload
    end
  end
  reply[3] = i
  if bytes >= budget then break end
end
return reply
`;

/**
 * Applies a batch on the target in one call: per key RESTORE ... REPLACE (ABSTTL when it expires) or DEL. One
 * script call instead of one command per key spares the client most of its per-command cost; it is the same
 * RESTORE a pipeline would send. ARGV holds (absolute expiry or -1 for delete, payload) per key.
 */
const writeKeysScript = `
for i, key in ipairs(KEYS) do
  local expiresAt = tonumber(ARGV[2 * i - 1])
  if expiresAt < 0 then
    redis.call('DEL', key)
  elseif expiresAt == 0 then
    redis.call('RESTORE', key, 0, ARGV[2 * i], 'REPLACE')
  else
    redis.call('RESTORE', key, expiresAt, ARGV[2 * i], 'REPLACE', 'ABSTTL')
  end
end
return #KEYS
`;

/** Payload bytes per source read and per target write, so that batches of big keys stay bounded. */
const maxBatchBytes = 4 * 1024 * 1024;
/** Keys per source read (fewer when the payloads reach `maxBatchBytes` first). */
const maxReadKeys = 512;

/**
 * Prepended to a script sent to one master of a cluster: the keys travel in ARGV (`n, key1..keyn, args...`) and
 * the script is called with no declared keys, because declared keys of different slots are refused (CROSSSLOT)
 * even when one node serves them all. Redis lets a script touch undeclared keys its node serves; a key it does not
 * serve fails the call ("non local key"), which the run takes as a topology change.
 */
const clusterPrologue = `local n = tonumber(ARGV[1])
local KEYS = {unpack(ARGV, 2, n + 1)}
local ARGV = {unpack(ARGV, n + 2)}
`;

/** The per-key copy every phase uses: full sync, incremental follow-up and the resync after a gap. */
export class KeyCopier {
  private readonly scriptShas = new WeakMap<Redis, Map<string, string>>();
  private readonly skippedDbs = new Set<number>();
  /** Keys copied per master of a cluster source (`host:port`); empty for a standalone source. */
  perShard = new Map<string, number>();
  /**
   * An incremental run's ledger: each key written to the target is added, each key deleted there removed (see
   * carried-keys.ts for why). None for a full run, which never deletes what the source lacks.
   */
  carried: CarriedKeys | undefined;

  constructor(
    private readonly source: RedisConnections,
    private readonly target: RedisConnections,
    private readonly meter: ThroughputMeter,
    private readonly limiter?: TokenBucket,
    private readonly bigKeys: BigKeyLimits = defaultBigKeyLimits,
    /** Told once per database that cannot be copied (a cluster target has db 0 only). */
    private readonly warn: (message: string) => void = (message) => console.warn(`data plane: ${message}`),
  ) {}

  /**
   * Whether keys of `db` can be copied: always onto a standalone target; only db 0 onto a cluster. A skipped
   * database is reported once (refusing such a migration up front is the control plane's job).
   */
  async acceptsDb(db: number): Promise<boolean> {
    if (db === 0 || !(await this.target.isCluster())) return true;
    if (!this.skippedDbs.has(db)) {
      this.skippedDbs.add(db);
      this.warn(
        `the target ${describeAddress(this.target.address)} is a cluster, which has db 0 only: keys of source db ${db} are not copied`,
      );
    }
    return false;
  }

  /**
   * Makes each key on the target equal to the key on the source right now: RESTORE ... REPLACE ABSTTL with the
   * source's absolute expiry when it exists, DEL when it does not (deleted or expired in the meantime). Idempotent,
   * so re-copying a key any number of times is safe. Keys are read from the master of a cluster source that serves
   * them and written to the master of a cluster target that serves them. Returns how many keys were handled.
   */
  async copyKeys(db: number, keys: Buffer[]): Promise<number> {
    if (!(await this.acceptsDb(db))) return 0;
    const sourceIsCluster = await this.source.isCluster();
    for (const [shard, group] of await this.source.route(db, keys)) {
      await this.copyFrom(shard, db, group);
      if (sourceIsCluster) {
        const name = describeAddress(shard.address);
        this.perShard.set(name, (this.perShard.get(name) ?? 0) + group.length);
      }
    }
    return keys.length;
  }

  /** Copies keys that all live on `shard` (the source itself, or one master of a cluster source). */
  private async copyFrom(shard: RedisConnections, db: number, keys: Buffer[]): Promise<void> {
    // The next chunk is read while the previous one is written: both servers work at once.
    let pendingWrite: Promise<void> = Promise.resolve();
    for (let start = 0; start < keys.length;) {
      const { covered, reads } = await this.read(shard, db, keys.slice(start, start + maxReadKeys)).catch(
        async (error: unknown) => {
          await pendingWrite.catch(() => {});
          throw error;
        },
      );
      const chunk = keys.slice(start, start + covered);
      start += covered;
      await pendingWrite;
      pendingWrite = this.writeChunk(shard, db, chunk, reads);
      pendingWrite.catch(() => {}); // handled by the await above or below; keeps Node from calling it unhandled
    }
    await pendingWrite;
  }

  /** Writes one chunk read from `shard`: per target master of a cluster, concurrently (their keys differ). */
  private async writeChunk(
    shard: RedisConnections,
    db: number,
    keys: Buffer[],
    reads: Array<KeyRead | BigKey | undefined>,
  ): Promise<void> {
    const readOf = new Map<Buffer, KeyRead | BigKey | undefined>();
    for (const [index, key] of keys.entries()) readOf.set(key, reads[index]);
    const groups = await this.target.route(db, keys);
    await Promise.all(groups.map(([targetShard, group]) => this.writeGroup(shard, targetShard, db, group, readOf)));
  }

  private async writeGroup(
    shard: RedisConnections,
    targetShard: RedisConnections,
    db: number,
    keys: Buffer[],
    readOf: Map<Buffer, KeyRead | BigKey | undefined>,
  ): Promise<void> {
    let batch: KeyWrite[] = [];
    let bytes = 0;
    const big: Array<{ key: Buffer; type: ChunkedType }> = [];
    for (const key of keys) {
      const read = readOf.get(key);
      if (read && 'type' in read) {
        big.push({ key, type: read.type });
        continue;
      }
      batch.push({ key, read });
      bytes += key.length + (read?.payload.length ?? 0) + 32;
      if (bytes >= maxBatchBytes) {
        await this.write(targetShard, db, batch, bytes);
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length > 0) await this.write(targetShard, db, batch, bytes);
    for (const { key, type } of big) await this.copyBig(shard, targetShard, db, key, type);
  }

  /** A key too big to DUMP, copied in chunks; when its type changed meanwhile it goes through the per-key copy again. */
  private async copyBig(
    shard: RedisConnections,
    targetShard: RedisConnections,
    db: number,
    key: Buffer,
    type: ChunkedType,
  ): Promise<void> {
    // Counted as carried before the write: a write whose reply was lost may still have happened.
    this.carried?.add(db, key);
    const outcome = await copyBigKey(db, key, type, { source: shard, target: targetShard }, this.bigKeys, {
      meter: this.meter,
      limiter: this.limiter,
    });
    if (outcome === 'deleted') this.carried?.delete(db, key);
    if (outcome !== 'changed') return;
    const { reads } = await this.read(shard, db, [key]);
    await this.writeChunk(shard, db, [key], reads);
  }

  private async read(
    shard: RedisConnections,
    db: number,
    keys: Buffer[],
  ): Promise<{ covered: number; reads: Array<KeyRead | BigKey | undefined> }> {
    const connection = await shard.db(db);
    const reply = await this.evalScript(connection, shard, readKeysScript, keys, [
      maxBatchBytes,
      this.bigKeys.maxElements,
      this.bigKeys.maxBytes,
    ]);
    return parseReads(reply as Array<Buffer | number | null | Buffer[]>);
  }

  private async loadScript(connection: Redis, side: RedisConnections, script: string): Promise<string> {
    const shas = this.scriptShas.get(connection) ?? new Map<string, string>();
    this.scriptShas.set(connection, shas);
    let sha = shas.get(script);
    if (sha === undefined) {
      try {
        sha = String(await connection.script('LOAD', script));
      } catch (error) {
        throw side.fail(error, connection);
      }
      shas.set(script, sha);
    }
    return sha;
  }

  private async write(targetShard: RedisConnections, db: number, batch: KeyWrite[], bytes: number): Promise<void> {
    // One bucket for every shard: the limit caps the run's bytes, not each master's.
    await this.limiter?.take(bytes);
    const connection = await targetShard.db(db);
    const args: Array<Buffer | number> = [];
    for (const { read } of batch) args.push(read === undefined ? -1 : read.expiresAt, read?.payload ?? emptyPayload);
    // Counted as carried before the write (a write whose reply was lost may still have happened), deleted after it.
    for (const { key, read } of batch) if (read) this.carried?.add(db, key);
    await this.evalScript(
      connection,
      targetShard,
      writeKeysScript,
      batch.map(({ key }) => key),
      args,
    );
    this.meter.record(batch.length, bytes);
    for (const { key, read } of batch) if (!read) this.carried?.delete(db, key);
  }

  /**
   * EVALSHA, loading the script first; reloads once if the server's script cache was flushed (NOSCRIPT). On a
   * master of a cluster the keys go in ARGV behind `clusterPrologue`.
   */
  private async evalScript(
    connection: Redis,
    side: RedisConnections,
    script: string,
    keys: Buffer[],
    args: Array<Buffer | number> = [],
  ): Promise<unknown> {
    const clustered = side.clusterNode;
    const sha = await this.loadScript(connection, side, clustered ? clusterPrologue + script : script);
    try {
      if (clustered) return await connection.callBuffer('EVALSHA', sha, 0, keys.length, ...keys, ...args);
      return await connection.callBuffer('EVALSHA', sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && /NOSCRIPT/.test(error.message)) {
        this.scriptShas.delete(connection);
        return this.evalScript(connection, side, script, keys, args);
      }
      throw side.fail(error, connection);
    }
  }
}

const emptyPayload = Buffer.alloc(0);

interface KeyWrite {
  key: Buffer;
  read: KeyRead | undefined;
}

interface KeyRead {
  /** Absolute expiry in ms since the epoch on the source's clock, or 0 for no expiry. */
  expiresAt: number;
  payload: Buffer;
}

/** A collection the read script left to the chunked copy (too big to DUMP). */
interface BigKey {
  type: ChunkedType;
}

function parseReads(reply: Array<Buffer | number | null | Buffer[]>): {
  covered: number;
  reads: Array<KeyRead | BigKey | undefined>;
} {
  const nowMs = Number(String(reply[0])) * 1000 + Math.floor(Number(String(reply[1])) / 1000);
  const covered = Number(reply[2]);
  const reads: Array<KeyRead | BigKey | undefined> = [];
  for (let index = 0; index < covered; index++) {
    const pttl = reply[3 + 2 * index];
    const payload = reply[4 + 2 * index];
    if (Array.isArray(payload)) reads.push({ type: String(payload[0]) as ChunkedType });
    else if (typeof pttl !== 'number' || !Buffer.isBuffer(payload)) reads.push(undefined);
    // An expiry of 0 would mean "no TTL" to RESTORE, and a key due this very millisecond must still expire.
    else reads.push({ expiresAt: pttl < 0 ? 0 : Math.max(1, nowMs + pttl), payload });
  }
  return { covered, reads };
}
