import type { Redis } from 'ioredis';
import {
  clusterTopology,
  coversAllSlots,
  isClusterNode,
  masterIndexOf,
  type ClusterTopology,
} from '../redis/cluster-topology.js';
import { formatAddress } from '../redis/address.js';
import { connectRedis } from '../redis/connect.js';
import { redisOptions } from '../redis/connection-options.js';
import type { RedisEndpoint } from '../redis/endpoint.js';
import { seededRandom } from '../common/seeded-random.js';

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
 * sets, zsets, streams), part of it with TTLs, pipelined so that 100,000 keys take a few seconds. The endpoint may be
 * any node of a Redis Cluster (then `dbs` must be `[0]`): each key's commands go to the master serving its slot.
 */
export async function seedSampleData(
  endpoint: RedisEndpoint,
  options: SampleDataOptions = {},
): Promise<SampleDataSummary> {
  const keys = options.keys ?? 100_000;
  const dbs = options.dbs ?? [0, 1, 2];
  const ttlFraction = options.ttlFraction ?? 0.3;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(keys) || keys < 0) throw new RangeError(`keys must be a non-negative integer, got ${keys}`);
  if (dbs.length === 0) throw new RangeError('dbs must name at least one database');
  if (!(ttlFraction >= 0 && ttlFraction <= 1))
    throw new RangeError(`ttlFraction must be between 0 and 1, got ${ttlFraction}`);

  const summary: SampleDataSummary = {
    keys,
    withTtl: 0,
    byType: { string: 0, hash: 0, list: 0, set: 0, zset: 0, stream: 0 },
    byDb: {},
  };
  const random = seededRandom(seed);
  const writer = await openWriter(endpoint, dbs);
  try {
    for (let index = 0; index < keys; index++) {
      const key = sampleKey(index, seed, dbs);
      const batch = writer.batchFor(key);
      writeValue(batch, key, random);
      if (random() < ttlFraction) {
        batch.add('PEXPIRE', key.name, 600_000 + Math.floor(random() * 3_000_000));
        summary.withTtl++;
      }
      summary.byType[key.type]++;
      summary.byDb[key.db] = (summary.byDb[key.db] ?? 0) + 1;
      if (batch.size >= batchSize) await writer.flush(batch);
    }
    await writer.flushAll();
  } finally {
    writer.close();
  }
  return summary;
}

/**
 * Where sample commands go: one batch per db of a standalone server, or (when the endpoint is a node of a Redis
 * Cluster, which has db 0 only) one batch per master, each key's commands going to the master serving its slot.
 */
interface Writer {
  batchFor(key: SampleKey): CommandBatch;
  flush(batch: CommandBatch): Promise<void>;
  flushAll(): Promise<void>;
  close(): void;
}

/**
 * A writer for seeding (`sample data`) or for traffic. Traffic into a cluster keeps going through failovers (see
 * ClusterWriter); into a standalone server it stops at the first error.
 */
async function openWriter(
  endpoint: RedisEndpoint,
  dbs: readonly number[],
  purpose: 'sample data' | 'traffic' = 'sample data',
): Promise<Writer> {
  const probe = await connect(endpoint, 0);
  let clustered: boolean;
  try {
    clustered = await isClusterNode(probe);
  } finally {
    probe.disconnect();
  }
  if (clustered) {
    if (dbs.some((db) => db !== 0))
      throw new RangeError(`${purpose}: ${formatAddress(endpoint)} is a cluster node, which has db 0 only`);
    return ClusterWriter.open(endpoint, purpose === 'traffic');
  }
  const clients = new Map<number, Redis>();
  const batches = new Map<CommandBatch, Redis>();
  const byDb = new Map<number, CommandBatch>();
  try {
    for (const db of dbs) {
      const client = await connect(endpoint, db);
      clients.set(db, client);
      const batch = new CommandBatch();
      byDb.set(db, batch);
      batches.set(batch, client);
    }
  } catch (error) {
    for (const client of clients.values()) client.disconnect();
    throw error;
  }
  return {
    batchFor: (key) => byDb.get(key.db) as CommandBatch,
    flush: (batch) => batch.flush(batches.get(batch) as Redis),
    flushAll: async () => void (await Promise.all([...batches].map(([batch, client]) => batch.flush(client)))),
    close: () => {
      for (const client of clients.values()) client.disconnect();
    },
  };
}

/**
 * A cluster's masters, a batch each. With `tolerateFailover`, a batch a master refuses or cannot take (it failed
 * over, or died) is dropped and the masters are found again before the next batch: traffic keeps going through a
 * failover the way a client with retries would, whatever part of the dropped batch landed.
 */
class ClusterWriter implements Writer {
  private masters: Array<{ client: Redis; batch: CommandBatch }> = [];
  private topology!: ClusterTopology;
  private stale = false;
  private known: Array<{ host: string; port: number }>;

  private constructor(
    private readonly endpoint: RedisEndpoint,
    private readonly tolerateFailover: boolean,
  ) {
    this.known = [{ host: endpoint.host, port: endpoint.port }];
  }

  static async open(endpoint: RedisEndpoint, tolerateFailover = false): Promise<ClusterWriter> {
    const writer = new ClusterWriter(endpoint, tolerateFailover);
    await writer.discover();
    return writer;
  }

  batchFor(key: SampleKey): CommandBatch {
    return (this.masters[masterIndexOf(this.topology, key.name)] ?? (this.masters[0] as { batch: CommandBatch })).batch;
  }

  async flush(batch: CommandBatch): Promise<void> {
    const master = this.masters.find((entry) => entry.batch === batch);
    if (!master) return;
    try {
      await batch.flush(master.client);
    } catch (error) {
      if (!this.tolerateFailover) throw error;
      this.stale = true;
    }
  }

  async flushAll(): Promise<void> {
    await Promise.all(this.masters.map(({ batch }) => this.flush(batch)));
    if (this.stale) await this.discover();
  }

  close(): void {
    for (const { client } of this.masters) client.disconnect();
  }

  /** Finds the masters (from any node seen so far) once the cluster serves every slot, and connects to each. */
  private async discover(): Promise<void> {
    this.close();
    this.masters = [];
    const deadline = Date.now() + 30_000;
    let lastError: unknown;
    while (Date.now() < deadline) {
      for (const node of this.known) {
        try {
          const client = await connect({ ...this.endpoint, ...node }, 0);
          try {
            const topology = await clusterTopology(client, node.host);
            if (!coversAllSlots(topology) || !/^cluster_state:ok/m.test(String(await client.call('CLUSTER', 'INFO'))))
              continue;
            const masters: Array<{ client: Redis; batch: CommandBatch }> = [];
            try {
              for (const master of topology.masters) {
                const masterClient = await connect({ ...this.endpoint, host: master.host, port: master.port }, 0);
                masters.push({ client: masterClient, batch: new CommandBatch() });
                if (!/^role:master/m.test(await masterClient.info('replication')))
                  throw new Error(`${formatAddress(master)} is not a master yet`);
              }
            } catch (error) {
              for (const { client: opened } of masters) opened.disconnect();
              throw error;
            }
            this.masters = masters;
            this.topology = topology;
            this.known = [
              ...topology.masters.flatMap((master) => [{ host: master.host, port: master.port }, ...master.replicas]),
            ];
            this.stale = false;
            return;
          } finally {
            client.disconnect();
          }
        } catch (error) {
          lastError = error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw lastError instanceof Error
      ? lastError
      : new Error(`sample data: the cluster at ${formatAddress(this.endpoint)} has no master for some slots`);
  }
}

/** Queues the commands that create `key` with a random value. */
function writeValue(
  batch: CommandBatch,
  key: SampleKey,
  random: () => number,
  streamIds: 'fixed' | 'auto' = 'fixed',
): void {
  const count = 1 + Math.floor(random() * 8);
  const items = Array.from({ length: count }, (_, item) => `${key.type}-${item}-${word(random)}`);
  switch (key.type) {
    case 'string':
      // One string in ten is binary, so that nothing downstream assumes UTF-8.
      batch.add(
        'SET',
        key.name,
        random() < 0.1
          ? Buffer.from(Array.from({ length: 16 + count }, () => Math.floor(random() * 256)))
          : word(random).repeat(count),
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
      for (const [entry, item] of items.entries())
        batch.add('XADD', key.name, streamIds === 'fixed' ? `1-${entry + 1}` : '*', 'value', item);
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
export function startTraffic(endpoint: RedisEndpoint, options: TrafficOptions): Traffic {
  const dbs = options.dbs ?? [0, 1, 2];
  const seed = options.seed ?? 1;
  const opsPerSecond = options.opsPerSecond ?? 2_000;
  const random = seededRandom(seed ^ 0x5eed);
  let writer: Writer | undefined;
  const summary: TrafficSummary = { writes: 0, deletes: 0, expiring: 0, persisted: 0 };
  let running = true;
  const batch = Math.max(1, Math.round(opsPerSecond / 20));

  const loop = (async () => {
    writer = await openWriter(endpoint, dbs, 'traffic');
    let newKeys = 0;
    while (running) {
      const started = Date.now();
      for (let op = 0; op < batch; op++) {
        const key =
          options.keys > 0 && random() < 0.8 ? sampleKey(Math.floor(random() * options.keys), seed, dbs) : undefined;
        const target = key ?? {
          name: `traffic:string:${newKeys++}`,
          type: 'string' as const,
          db: dbs[Math.floor(random() * dbs.length)] as number,
        };
        const commands = writer.batchFor(target);
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
      await writer.flushAll();
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
        writer?.close();
      }
      return summary;
    },
  };
}

/** A connected client for `db`; a failure names the address and never carries the password. */
async function connect(endpoint: RedisEndpoint, db: number): Promise<Redis> {
  try {
    return await connectRedis(redisOptions(endpoint, { db, maxRetriesPerRequest: 1 }));
  } catch (error) {
    let message = (error as Error).message;
    if (endpoint.password) message = message.split(endpoint.password).join('***');
    // eslint-disable-next-line preserve-caught-error -- ioredis errors carry the AUTH arguments, i.e. the password
    throw new Error(`sample data: cannot use Redis at ${formatAddress(endpoint)} db ${db}: ${message}`);
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
