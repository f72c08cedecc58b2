import type { Redis } from 'ioredis';
import { connectRedis } from '../../redis/connect.js';
import {
  clusterTopology,
  coversAllSlots,
  isClusterNode,
  masterIndexOf,
  type ClusterTopology,
} from '../../redis/cluster-topology.js';
import { connectionOptions, describeAddress, type RedisAddress, type Side } from './redis-address.js';
import { ClusterTopologyChange, describeFailure } from './failures.js';

/** What one side turned out to be: a standalone server, or a cluster whose masters each get their own connections. */
export type SideTopology =
  { kind: 'standalone' } | { kind: 'cluster'; topology: ClusterTopology; masters: RedisConnections[] };

/**
 * One connection per logical database of one Redis server, opened on first use. A connection per db (rather
 * than SELECT on a shared one) keeps every command stream ordered per db and makes reconnects trivial.
 *
 * The address may be any node of a Redis Cluster: the first use of `topology()` (or of anything that routes keys)
 * asks the node (INFO cluster → cluster_enabled:1, then CLUSTER SLOTS) and opens a `RedisConnections` per master
 * (`shards()`), so that keys are read and written on the master that serves their slot (`route()`).
 */
export class RedisConnections {
  private readonly byDb = new Map<number, Promise<Redis>>();
  private readonly lastErrors = new WeakMap<Redis, Error>();
  private discovered: Promise<SideTopology> | undefined;
  private closed = false;

  constructor(
    readonly side: Side,
    readonly address: RedisAddress,
    /** CLIENT SETNAME of every connection, so the run can find (and drop) its own connections on the server. */
    readonly connectionName?: string,
    /** This is one master of a cluster (found by its parent): db 0 only, keys sent without declaring them. */
    readonly clusterNode = false,
  ) {}

  /** The connection for `db`, connected; throws a DataPlaneError (auth, unreachable) when it cannot be opened. */
  db(db: number): Promise<Redis> {
    if (this.closed) return Promise.reject(this.fail(new Error('Connection is closed.')));
    let connection = this.byDb.get(db);
    if (!connection) {
      connection = this.open(db);
      this.byDb.set(db, connection);
      // A failed open must not be cached: the next caller (after a resume) tries again.
      connection.catch(() => this.byDb.delete(db));
    }
    return connection;
  }

  /** Standalone or cluster (asked once; a new RedisConnections asks again, e.g. after a failover). */
  topology(): Promise<SideTopology> {
    if (!this.discovered) {
      const discovering = this.discover();
      this.discovered = discovering;
      // A failed discovery must not be cached either.
      discovering.catch(() => {
        if (this.discovered === discovering) this.discovered = undefined;
      });
    }
    return this.discovered;
  }

  async isCluster(): Promise<boolean> {
    return (await this.topology()).kind === 'cluster';
  }

  /** What to SCAN: every master of a cluster (ordered by `host:port`), or this server itself. */
  async shards(): Promise<RedisConnections[]> {
    const topology = await this.topology();
    return topology.kind === 'cluster' ? topology.masters : [this];
  }

  /**
   * Groups `keys` by the server that holds them, keeping their order within a group: one group (this server) on a
   * standalone side, one per master on a cluster (db 0 only).
   */
  async route(db: number, keys: Buffer[]): Promise<Array<[RedisConnections, Buffer[]]>> {
    const topology = await this.topology();
    if (topology.kind === 'standalone') return keys.length === 0 ? [] : [[this, keys]];
    if (db !== 0) throw this.fail(new Error(`a cluster has only db 0, not db ${db}`));
    const groups = new Map<number, Buffer[]>();
    for (const key of keys) {
      const owner = masterIndexOf(topology.topology, key);
      if (owner < 0)
        throw new ClusterTopologyChange(
          `the ${this.side} cluster at ${describeAddress(this.address)} serves no master for a slot (failover in progress?)`,
        );
      const group = groups.get(owner) ?? [];
      group.push(key);
      groups.set(owner, group);
    }
    return [...groups].map(([owner, group]) => [topology.masters[owner] as RedisConnections, group]);
  }

  /**
   * Whether the cluster's slot map changed since discovery (a failover promoted a replica, slots moved): asks one
   * master that still answers. False for a standalone side.
   */
  async topologyChanged(): Promise<boolean> {
    const topology = await this.topology();
    if (topology.kind === 'standalone') return false;
    let lastError: Error | undefined;
    for (const master of topology.masters) {
      try {
        const connection = await master.db(0);
        try {
          return (
            (await clusterTopology(connection, describeHost(master.address))).signature !== topology.topology.signature
          );
        } catch (error) {
          throw master.fail(error, connection);
        }
      } catch (error) {
        lastError = error as Error;
      }
    }
    throw lastError ?? this.fail(new Error('the cluster has no master'));
  }

  /** The topology if already discovered (no round trip), else undefined. */
  async knownTopology(): Promise<SideTopology | undefined> {
    return this.discovered?.catch(() => undefined);
  }

  /** `INFO <section>` of this server (through db 0's connection); failures come back as DataPlaneErrors. */
  async info(section: string): Promise<string> {
    const connection = await this.db(0);
    try {
      return await connection.info(section);
    } catch (error) {
      throw this.fail(error, connection);
    }
  }

  /** Converts an error from a command on this side into an operator-readable DataPlaneError. */
  fail(error: unknown, connection?: Redis): Error {
    return describeFailure(error, this.side, this.address, connection ? this.lastErrors.get(connection) : undefined);
  }

  /** Every connection opened so far to this server (not to the masters of a cluster: see `nodes()`). */
  async opened(): Promise<Redis[]> {
    const settled = await Promise.allSettled(this.byDb.values());
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }

  /** This server and, once discovered, the masters of its cluster: everything that holds connections. */
  async nodes(): Promise<RedisConnections[]> {
    const topology = await this.discovered?.catch(() => undefined);
    return topology?.kind === 'cluster' ? [this, ...topology.masters] : [this];
  }

  /** Closes every connection (the masters' too); further use fails. */
  async close(): Promise<void> {
    this.closed = true;
    const topology = await this.discovered?.catch(() => undefined);
    if (topology?.kind === 'cluster') await Promise.all(topology.masters.map((master) => master.close()));
    const connections = await this.opened();
    this.byDb.clear();
    for (const connection of connections) connection.disconnect();
  }

  private async discover(): Promise<SideTopology> {
    // A temporary redis-server of a backup import, or a master found by its cluster: never a cluster to discover.
    if (this.clusterNode || 'socketPath' in this.address) return { kind: 'standalone' };
    const connection = await this.db(0);
    let topology: ClusterTopology;
    try {
      if (!(await isClusterNode(connection))) return { kind: 'standalone' };
      topology = await clusterTopology(connection, this.address.host);
    } catch (error) {
      throw this.fail(error, connection);
    }
    if (!coversAllSlots(topology)) {
      throw new ClusterTopologyChange(
        `the ${this.side} cluster at ${describeAddress(this.address)} does not serve every slot (cluster down or failing over)`,
      );
    }
    const masters = topology.masters.map(
      ({ host, port }) => new RedisConnections(this.side, { ...this.address, host, port }, this.connectionName, true),
    );
    return { kind: 'cluster', topology, masters };
  }

  private async open(db: number): Promise<Redis> {
    const remember = (error: Error, connection: Redis) => this.lastErrors.set(connection, error);
    try {
      return await connectRedis(connectionOptions(this.address, db, this.connectionName), remember);
    } catch (error) {
      // connectRedis throws the socket's own error (auth, refused) rather than "Connection is closed.".
      throw this.fail(error);
    }
  }
}

function describeHost(address: RedisAddress): string {
  return 'socketPath' in address ? 'localhost' : address.host;
}
