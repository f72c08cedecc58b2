import { Cluster, type Redis, type RedisOptions } from 'ioredis';
import { tlsSocketOptions, type RedisTlsOptions } from '../common/redis-tls.js';
import { connectRedis } from '../local/connect-redis.js';

/** A Redis server to compare. The password is a secret: it never appears in a report or an error. */
export interface CompareEndpoint {
  /** Any node: a cluster is recognised from INFO cluster and its masters found with CLUSTER NODES. */
  host: string;
  port: number;
  /** An ACL user; the default user when absent. */
  username?: string | undefined;
  password?: string | undefined;
  /** Connect with TLS (a `rediss://` URL). `ca`: PEM certificates to trust instead of the system's; `insecure`: skip verification. */
  tls?: RedisTlsOptions | undefined;
}

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

  constructor(
    readonly role: 'source' | 'target',
    private readonly endpoint: CompareEndpoint,
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
    return [{ name: `${this.endpoint.host}:${this.endpoint.port}`, redis: await this.db(db) }];
  }

  /**
   * Runs a script over `keys` and returns the replies of all keys, in key order (the script returns one flat array
   * per call). Standalone: one call for the batch. Cluster: one call per key (keys of a batch live in many slots,
   * and a script may only touch one), all sent at once: ioredis writes them without waiting for replies.
   */
  async evalKeys(db: number, script: string, keys: Buffer[], args: Array<string | number>): Promise<unknown[]> {
    const topology = await this.connect();
    if (topology.kind === 'standalone') return (await this.run(db, (redis) => redis.call('EVAL', script, keys.length, ...keys, ...args))) as unknown[];
    const replies = await this.run(db, () => Promise.all(keys.map((key) => topology.cluster.call('EVAL', script, 1, key, ...args) as Promise<unknown[]>)));
    return replies.flat();
  }

  /** Keys per database from INFO keyspace (only non-empty databases are listed); summed over the masters of a cluster. */
  async keyspace(): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const shard of await this.shards(0)) {
      const info = await this.run(0, () => shard.redis.info('keyspace'));
      for (const match of info.matchAll(/^db(\d+):keys=(\d+)/gm)) counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + Number(match[2]));
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

  /** INFO cluster on the given node decides: cluster_enabled:1 means a cluster, whose masters CLUSTER NODES lists. */
  private async discover(): Promise<Topology> {
    let probe: Redis | undefined;
    try {
      probe = await this.openNode(this.endpoint.host, this.endpoint.port, 0);
      const info = await probe.info('cluster');
      if (!/^cluster_enabled:1/m.test(info)) return { kind: 'standalone', db0: probe };
      const nodes = String(await probe.call('CLUSTER', 'NODES'));
      probe.disconnect();
      const masters = parseMasters(nodes, this.endpoint.host);
      if (masters.length === 0) throw new Error('the cluster has no master that serves slots');
      const cluster = new Cluster(
        masters.map(({ host, port }) => ({ host, port })),
        {
          redisOptions: this.redisOptions(),
          clusterRetryStrategy: () => null,
          enableOfflineQueue: true,
          lazyConnect: true,
        },
      );
      let lastError: Error | undefined;
      cluster.on('error', (error: Error) => (lastError = error));
      try {
        await cluster.connect();
      } catch (error) {
        cluster.disconnect();
        throw lastError ?? error;
      }
      const shards = masters.map(({ host, port }) => ({ name: `${host}:${port}`, host, port }));
      const opened = await Promise.all(shards.map(async ({ name, host, port }) => ({ name, redis: await this.openNode(host, port, 0) })));
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
      return await this.openNode(this.endpoint.host, this.endpoint.port, db);
    } catch (error) {
      throw this.describe(error);
    }
  }

  private redisOptions(): RedisOptions {
    const { username, password, tls } = this.endpoint;
    return {
      username: username || undefined,
      password: password || undefined,
      protocol: 2,
      maxRetriesPerRequest: 0,
      ...(tls ? { tls: tlsSocketOptions(tls) } : {}),
    };
  }

  private openNode(host: string, port: number, db: number): Promise<Redis> {
    return connectRedis({ ...this.redisOptions(), host, port, db, retryStrategy: () => null });
  }

  private describe(error: unknown): Error {
    const { host, port, password } = this.endpoint;
    let reason = error instanceof Error ? error.message : String(error);
    if (reason.startsWith(`compare: ${this.role} `)) return error as Error;
    if (password) reason = reason.split(password).join('***');
    if (/WRONGPASS|NOAUTH/.test(reason)) reason = 'authentication failed (wrong or missing password)';
    // No `cause`: ioredis errors carry the failed command's arguments, which for AUTH are the password.
    return new Error(`compare: ${this.role} Redis at ${host}:${port}: ${reason}`);
  }
}

/** Masters that serve slots, from CLUSTER NODES (`<id> <ip:port@cport[,hostname]> <flags> … <slots>`), ordered by address. */
function parseMasters(nodes: string, givenHost: string): Array<{ host: string; port: number }> {
  const masters: Array<{ host: string; port: number }> = [];
  for (const line of nodes.split('\n')) {
    const [, address, flags, , , , , , ...slots] = line.trim().split(' ');
    // Failing masters are kept: their keys would go unchecked otherwise, so the comparison fails on them instead.
    if (!address || !flags || !flags.split(',').includes('master') || slots.length === 0) continue;
    const hostPort = address.split('@')[0] ?? '';
    const separator = hostPort.lastIndexOf(':');
    // A node that has not met another yet does not know its own IP (`:port@cport`): it is the one we were given.
    masters.push({ host: hostPort.slice(0, separator) || givenHost, port: Number(hostPort.slice(separator + 1)) });
  }
  return masters.sort((a, b) => `${a.host}:${a.port}`.localeCompare(`${b.host}:${b.port}`));
}
