import type { Redis } from 'ioredis';
import { connectRedis } from './connect-redis.js';
import { seededRandom } from '../common/seeded-random.js';

/** Where to write: host, port, ACL user, (secret) password and TLS CA (PEM text) of a Redis server. */
export interface SampleDataEndpoint {
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
  tls?: { ca?: string | undefined } | undefined;
}

export const sampleTypes = ['string', 'hash', 'list', 'set', 'zset', 'stream'] as const;
export type SampleType = (typeof sampleTypes)[number];

export interface SampleDataOptions {
  /** Keys in total, spread round-robin over `dbs`. Default 100,000. */
  keys?: number;
  /** Logical databases to fill. Default [0, 1, 2]. */
  dbs?: number[];
  /** Share of keys (0–1) given a TTL of 10 to 60 minutes. Default 0.3. */
  ttlFraction?: number;
  /** Same seed, same data. Default 1. */
  seed?: number;
}

export interface SampleDataSummary {
  keys: number;
  withTtl: number;
  byType: Record<SampleType, number>;
  byDb: Record<number, number>;
}

/** Identity of sample key `index`: name, type and db follow from the index and seed alone. */
export interface SampleKey {
  name: string;
  type: SampleType;
  db: number;
}

// Share of each type, in `sampleTypes` order: mostly strings, like real caches.
const typeWeights = [0.4, 0.15, 0.15, 0.1, 0.1, 0.1];
const batchSize = 1_000;

/** Sample key `index` of a data set made with `seed` over `dbs`. The traffic generator uses it to find keys. */
export function sampleKey(index: number, seed: number, dbs: readonly number[]): SampleKey {
  const pick = hash(seed, index) / 2 ** 32;
  let type: SampleType = 'string';
  let cumulative = 0;
  for (const [position, weight] of typeWeights.entries()) {
    cumulative += weight;
    if (pick < cumulative) {
      type = sampleTypes[position] as SampleType;
      break;
    }
  }
  return { name: `sample:${type}:${index}`, type, db: dbs[index % dbs.length] as number };
}

/**
 * Fills a Redis server with deterministic sample data of every core type (strings, some binary; hashes, lists,
 * sets, zsets, streams), part of it with TTLs, pipelined so that 100,000 keys take a few seconds.
 */
export async function seedSampleData(endpoint: SampleDataEndpoint, options: SampleDataOptions = {}): Promise<SampleDataSummary> {
  const keys = options.keys ?? 100_000;
  const dbs = options.dbs ?? [0, 1, 2];
  const ttlFraction = options.ttlFraction ?? 0.3;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(keys) || keys < 0) throw new RangeError(`keys must be a non-negative integer, got ${keys}`);
  if (dbs.length === 0) throw new RangeError('dbs must name at least one database');
  if (!(ttlFraction >= 0 && ttlFraction <= 1)) throw new RangeError(`ttlFraction must be between 0 and 1, got ${ttlFraction}`);

  const summary: SampleDataSummary = { keys, withTtl: 0, byType: { string: 0, hash: 0, list: 0, set: 0, zset: 0, stream: 0 }, byDb: {} };
  const clients = new Map<number, Redis>();
  const batches = new Map(dbs.map((db) => [db, new CommandBatch()]));
  const random = seededRandom(seed);
  try {
    for (const db of dbs) clients.set(db, await connect(endpoint, db));
    for (let index = 0; index < keys; index++) {
      const key = sampleKey(index, seed, dbs);
      const batch = batches.get(key.db) as CommandBatch;
      writeValue(batch, key, random);
      if (random() < ttlFraction) {
        batch.add('PEXPIRE', key.name, 600_000 + Math.floor(random() * 3_000_000));
        summary.withTtl++;
      }
      summary.byType[key.type]++;
      summary.byDb[key.db] = (summary.byDb[key.db] ?? 0) + 1;
      if (batch.size >= batchSize) await batch.flush(clients.get(key.db) as Redis);
    }
    await Promise.all(dbs.map((db) => (batches.get(db) as CommandBatch).flush(clients.get(db) as Redis)));
  } finally {
    for (const client of clients.values()) client.disconnect();
  }
  return summary;
}

/** Queues the commands that create `key` with a random value. */
function writeValue(batch: CommandBatch, key: SampleKey, random: () => number, streamIds: 'fixed' | 'auto' = 'fixed'): void {
  const count = 1 + Math.floor(random() * 8);
  const items = Array.from({ length: count }, (_, item) => `${key.type}-${item}-${word(random)}`);
  switch (key.type) {
    case 'string':
      // One string in ten is binary, so that nothing downstream assumes UTF-8.
      batch.add(
        'SET',
        key.name,
        random() < 0.1 ? Buffer.from(Array.from({ length: 16 + count }, () => Math.floor(random() * 256))) : word(random).repeat(count),
      );
      return;
    case 'hash':
      batch.add('HSET', key.name, ...items.flatMap((item, field) => [`field${field}`, item]));
      return;
    case 'list':
      batch.add('RPUSH', key.name, ...items);
      return;
    case 'set':
      batch.add('SADD', key.name, ...items);
      return;
    case 'zset':
      batch.add('ZADD', key.name, ...items.flatMap((item) => [Math.round(random() * 1e6) / 100, item]));
      return;
    case 'stream':
      // Fixed ids keep seeded data identical across runs; live traffic appends after them.
      for (const [entry, item] of items.entries()) batch.add('XADD', key.name, streamIds === 'fixed' ? `1-${entry + 1}` : '*', 'value', item);
      return;
  }
}

/**
 * Runs many commands in one script call: (argc, command, args...) per command in ARGV. Far cheaper for the
 * client than a pipeline of single commands, which is what makes seeding 100,000 keys take seconds.
 */
const runCommandsScript = `
local i = 1
while i <= #ARGV do
  local argc = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + argc))
  i = i + argc + 1
end
return 1
`;

class CommandBatch {
  private args: Array<string | Buffer | number> = [];
  size = 0;

  add(...command: Array<string | Buffer | number>): void {
    this.args.push(command.length, ...command);
    this.size++;
  }

  async flush(redis: Redis): Promise<void> {
    if (this.size === 0) return;
    const args = this.args;
    this.args = [];
    this.size = 0;
    await redis.eval(runCommandsScript, 0, ...args);
  }
}

export interface TrafficOptions {
  /** The sample data set the traffic works on (same values as given to `seedSampleData`). */
  keys: number;
  dbs?: number[];
  seed?: number;
  /** Target rate of write commands. Default 2,000 per second. */
  opsPerSecond?: number;
}

export interface TrafficSummary {
  writes: number;
  deletes: number;
  /** Keys given a TTL of 50–1500 ms, so they expire while the traffic runs. */
  expiring: number;
  persisted: number;
}

export interface Traffic {
  /** Stops the traffic and resolves with what it did (or rejects with the first error it met). */
  stop(): Promise<TrafficSummary>;
}

/**
 * Live changes for incremental-migration tests until `stop()`: writes to sample keys (type-correct) and to new
 * `traffic:` keys, deletes, keys that expire within a second or two, and PERSIST on keys with a TTL.
 */
export function startTraffic(endpoint: SampleDataEndpoint, options: TrafficOptions): Traffic {
  const dbs = options.dbs ?? [0, 1, 2];
  const seed = options.seed ?? 1;
  const opsPerSecond = options.opsPerSecond ?? 2_000;
  const random = seededRandom(seed ^ 0x5eed);
  const clients = new Map<number, Redis>();
  const summary: TrafficSummary = { writes: 0, deletes: 0, expiring: 0, persisted: 0 };
  let running = true;
  const batch = Math.max(1, Math.round(opsPerSecond / 20));

  const loop = (async () => {
    for (const db of dbs) clients.set(db, await connect(endpoint, db));
    let newKeys = 0;
    while (running) {
      const started = Date.now();
      const batches = new Map(dbs.map((db) => [db, new CommandBatch()]));
      for (let op = 0; op < batch; op++) {
        const key = options.keys > 0 && random() < 0.8 ? sampleKey(Math.floor(random() * options.keys), seed, dbs) : undefined;
        const target = key ?? { name: `traffic:string:${newKeys++}`, type: 'string' as const, db: dbs[Math.floor(random() * dbs.length)] as number };
        const commands = batches.get(target.db) as CommandBatch;
        const action = random();
        if (action < 0.55) {
          writeValue(commands, target, random, 'auto');
          summary.writes++;
        } else if (action < 0.7) {
          commands.add('DEL', target.name);
          summary.deletes++;
        } else if (action < 0.9) {
          commands.add('PEXPIRE', target.name, 50 + Math.floor(random() * 1_450));
          summary.expiring++;
        } else {
          commands.add('PERSIST', target.name);
          summary.persisted++;
        }
      }
      await Promise.all(dbs.map((db) => (batches.get(db) as CommandBatch).flush(clients.get(db) as Redis)));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 50 - (Date.now() - started))));
    }
  })();
  loop.catch(() => {}); // reported by stop(); this only keeps Node from calling an early failure unhandled

  return {
    stop: async () => {
      running = false;
      try {
        await loop;
      } finally {
        for (const client of clients.values()) client.disconnect();
      }
      return summary;
    },
  };
}

/** A connected client for `db`; a failure names the address and never carries the password. */
async function connect(endpoint: SampleDataEndpoint, db: number): Promise<Redis> {
  try {
    return await connectRedis({
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.username || undefined,
      password: endpoint.password || undefined,
      ...(endpoint.tls ? { tls: endpoint.tls.ca ? { ca: endpoint.tls.ca } : {} } : {}),
      db,
      retryStrategy: () => null,
      maxRetriesPerRequest: 1,
    });
  } catch (error) {
    let message = (error as Error).message;
    if (endpoint.password) message = message.split(endpoint.password).join('***');
    // eslint-disable-next-line preserve-caught-error -- ioredis errors carry the AUTH arguments, i.e. the password
    throw new Error(`sample data: cannot use Redis at ${endpoint.host}:${endpoint.port} db ${db}: ${message}`);
  }
}

function word(random: () => number): string {
  return Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
}

/** A 32-bit hash of (seed, index), so a key's type depends on its index alone (not on the keys before it). */
function hash(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ index;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
