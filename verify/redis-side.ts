import { Cluster, type Redis } from 'ioredis';
import { formatAddress, type HostPort } from '../redis/address.js';
import { clusterTopology, isClusterNode } from '../redis/cluster-topology.js';
import { connectRedis } from '../redis/connect.js';
import { nodeOptions, redisOptions } from '../redis/connection-options.js';
import type { RedisEndpoint } from '../redis/endpoint.js';

/** One master of a cluster (or the one server of a standalone side): the unit a comparison scans. */
export interface Shard {
  /** `host:port` of the master, as the cluster announces it. */
  name: string;
  redis: Redis;
}

type Topology = { kind: 'standalone'; db0: Redis } | { kind: 'cluster'; cluster: Cluster; masters: Shard[] };

/**
 * One side of a comparison. Standalone: a connection per logical database, opened on first use. Cluster (found
 * from the address of any node): an ioredis Cluster that routes each key to its slot's master, plus the masters
 * themselves for SCAN. Everything is closed by `close()`.
 */
export class RedisSide {
  private readonly connections = new Map<number, Promise<Redis>>();
  private topology: Promise<Topology> | undefined;

  /** `endpoint`: any node, a cluster is recognised from INFO cluster. Its password never reaches a report or an error. */
  constructor(
    readonly role: 'source' | 'target',
    private readonly endpoint: RedisEndpoint,
  ) {}

  /**
   * The client for single-key commands in `db`. On a cluster (db 0 only) this is the Cluster, which has the same
   * command methods as a Redis client and routes each command by its key's slot.
   */
  db(db: number): Promise<Redis> {
    let connection = this.connections.get(db);
    if (!connection) {
      connection = this.open(db);
      this.connections.set(db, connection);
    }
    return connection;
  }

  /** Whether the address given is a node of a cluster. */
  async kind(): Promise<'standalone' | 'cluster'> {
    return (await this.connect()).kind;
  }

  /** What to SCAN for `db`: every master of a cluster, in a stable order (a checkpoint names one by index); else the server. */
  async shards(db: number): Promise<Shard[]> {
    const topology = await this.connect();
    if (topology.kind === 'cluster') return topology.masters;
    return [{ name: formatAddress(this.endpoint), redis: await this.db(db) }];
  }

  /**
   * Runs a script over `keys` and returns the replies of all keys, in key order (the script returns one flat array
   * per call). Standalone: one call for the batch. Cluster: one call per key (keys of a batch live in many slots,
   * and a script may only touch one), all sent at once: ioredis writes them without waiting for replies.
   */
  async evalKeys(db: number, script: string, keys: Buffer[], args: Array<string | number>): Promise<unknown[]> {
    const topology = await this.connect();
    if (topology.kind === 'standalone')
      return (await this.run(db, (redis) => redis.call('EVAL', script, keys.length, ...keys, ...args))) as unknown[];
    const replies = await this.run(db, () =>
      Promise.all(keys.map((key) => topology.cluster.call('EVAL', script, 1, key, ...args) as Promise<unknown[]>)),
    );
    return replies.flat();
  }

  /** Keys per database from INFO keyspace (only non-empty databases are listed); summed over the masters of a cluster. */
  async keyspace(): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const shard of await this.shards(0)) {
      const info = await this.run(0, () => shard.redis.info('keyspace'));
      for (const match of info.matchAll(/^db(\d+):keys=(\d+)/gm))
        counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + Number(match[2]));
    }
    return counts;
  }

  /** Runs `command` on the connection for `db`; errors name the side and address, never the password. */
  async run<T>(db: number, command: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = await this.db(db);
    try {
      return await command(redis);
    } catch (error) {
      throw this.describe(error);
    }
  }

  async close(): Promise<void> {
    const settled = await Promise.allSettled([...this.connections.values(), ...(this.topology ? [this.topology] : [])]);
    for (const result of settled) {
      if (result.status !== 'fulfilled') continue;
      const value = result.value;
      if (!('kind' in value)) value.disconnect();
      else if (value.kind === 'standalone') value.db0.disconnect();
      else for (const client of [value.cluster, ...value.masters.map((master) => master.redis)]) client.disconnect();
    }
    this.connections.clear();
    this.topology = undefined;
  }

  private connect(): Promise<Topology> {
    this.topology ??= this.discover();
    return this.topology;
  }

  /** INFO cluster on the given node decides: cluster_enabled:1 means a cluster, whose masters CLUSTER SLOTS lists. */
  private async discover(): Promise<Topology> {
    let probe: Redis | undefined;
    try {
      probe = await this.openNode(this.endpoint, 0);
      if (!(await isClusterNode(probe))) return { kind: 'standalone', db0: probe };
      // Failing masters are kept: their keys would go unchecked otherwise, so the comparison fails on them instead.
      const { masters } = await clusterTopology(probe, this.endpoint.host);
      probe.disconnect();
      if (masters.length === 0) throw new Error('the cluster has no master that serves slots');
      const startupNodes = masters.map(({ host, port }) => ({ host, port }));
      const cluster = new Cluster(startupNodes, {
        redisOptions: nodeOptions(this.endpoint),
        clusterRetryStrategy: () => null,
        enableOfflineQueue: true,
        lazyConnect: true,
      });
      let lastError: Error | undefined;
      cluster.on('error', (error: Error) => (lastError = error));
      try {
        await cluster.connect();
      } catch (error) {
        cluster.disconnect();
        throw lastError ?? error;
      }
      const openMaster = async (master: HostPort): Promise<Shard> => ({
        name: formatAddress(master),
        redis: await this.openNode(master, 0),
      });
      const opened = await Promise.all(masters.map(openMaster));
      return { kind: 'cluster', cluster, masters: opened };
    } catch (error) {
      probe?.disconnect();
      throw this.describe(error);
    }
  }

  private async open(db: number): Promise<Redis> {
    const topology = await this.connect();
    if (topology.kind === 'cluster') {
      if (db !== 0) throw this.describe(new Error(`a cluster has only db 0, not db ${db}`));
      // Same command methods as a Redis client; routing by slot is what the cluster adds.
      return topology.cluster as unknown as Redis;
    }
    if (db === 0) return topology.db0;
    try {
      return await this.openNode(this.endpoint, db);
    } catch (error) {
      throw this.describe(error);
    }
  }

  /** A connection to one server (`at`: the endpoint or a master of its cluster), with the endpoint's login. */
  private openNode(at: HostPort, db: number): Promise<Redis> {
    return connectRedis(redisOptions({ ...this.endpoint, host: at.host, port: at.port }, { db }));
  }

  private describe(error: unknown): Error {
    const { password } = this.endpoint;
    let reason = error instanceof Error ? error.message : String(error);
    if (reason.startsWith(`compare: ${this.role} `)) return error as Error;
    if (password) reason = reason.split(password).join('***');
    if (/WRONGPASS|NOAUTH/.test(reason)) reason = 'authentication failed (wrong or missing password)';
    // No `cause`: ioredis errors carry the failed command's arguments, which for AUTH are the password.
    return new Error(`compare: ${this.role} Redis at ${formatAddress(this.endpoint)}: ${reason}`);
  }
}
