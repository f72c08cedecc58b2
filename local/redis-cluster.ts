import { clusterTopology } from '../redis/cluster-topology.js';
import { connectRedis } from '../redis/connect.js';
import { redisOptions } from '../redis/connection-options.js';
import type { RedisEndpoint } from '../redis/endpoint.js';
import { SLOT_COUNT } from '../redis/key-slot.js';
import { startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server.js';
import { waitFor } from './wait.js';

export interface RedisClusterOptions {
  /** Masters; the 16384 slots are split evenly between them. Default 3 (the smallest cluster Redis accepts for failover). */
  masters?: number;
  /** Replicas per master (default 0), each following its master with CLUSTER REPLICATE, so a master can fail over. */
  replicasPerMaster?: number;
  /** `cluster-node-timeout` (default 5000 ms): how long a master may be unreachable before its replica takes over. */
  nodeTimeoutMs?: number;
  /** Passed to every node (password, extra config); `port` and `dir` are chosen per node. */
  server?: Omit<RedisServerOptions, 'port' | 'dir'>;
  name?: string;
  /**
   * Where each node lives (`replica` undefined for a master): its own dir (kept on stop: its data and nodes.conf)
   * and, to start a cluster again from those dirs, the port its nodes.conf was written with. Temp dirs and free
   * ports when omitted.
   */
  placement?: (shard: number, replica?: number) => { dir: string; port?: number | undefined };
  /**
   * The nodes' dirs hold this cluster already (a restart from `placement`): no slots are assigned and no node is
   * introduced; each node reloads its nodes.conf, and this waits until every node reports cluster_state:ok.
   */
  rejoin?: boolean;
}

export interface RedisCluster {
  /** The masters, in slot order (the first holds slot 0). */
  readonly nodes: RedisServer[];
  /** Every slot range per master, as assigned: `[first, last]`. */
  readonly slots: Array<[number, number]>;
  /** The replicas of each master (`replicas[i]` follow `nodes[i]`); empty lists without `replicasPerMaster`. */
  readonly replicas: RedisServer[][];
  stop(): Promise<void>;
}

/**
 * Starts a Redis Cluster of `masters` redis-servers on free loopback ports, each with `replicasPerMaster` replicas:
 * slots are assigned with CLUSTER ADDSLOTSRANGE, the nodes introduced with CLUSTER MEET, the replicas attached with
 * CLUSTER REPLICATE, and it returns once every node reports cluster_state:ok and every replica has its link up.
 * Each node keeps its cluster config file in its own temp dir.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const count = options.masters ?? 3;
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`masters must be an integer >= 1, got ${count}`);
  const name = options.name ?? 'redis-cluster';
  const replicasPerMaster = options.replicasPerMaster ?? 0;
  if (!(Number.isInteger(replicasPerMaster) && replicasPerMaster >= 0))
    throw new RangeError(`replicasPerMaster must be an integer >= 0, got ${replicasPerMaster}`);
  const nodes: RedisServer[] = [];
  const replicas: RedisServer[][] = [];
  const stop = async () => {
    await Promise.all([...nodes, ...replicas.flat()].map((node) => node.stop()));
  };
  const config = {
    ...options.server?.config,
    'cluster-enabled': 'yes',
    'cluster-config-file': 'nodes.conf',
    'cluster-node-timeout': String(options.nodeTimeoutMs ?? 5000),
    // A replica of a password-protected master must authenticate to it.
    ...(options.server?.password ? { masterauth: options.server.password } : {}),
  };
  const startNode = (nodeName: string, shard: number, replica?: number) =>
    startRedisServer({ ...options.server, ...options.placement?.(shard, replica), name: nodeName, config });
  try {
    for (let index = 0; index < count; index++) {
      nodes.push(await startNode(`${name}-${index}`, index));
      const own: RedisServer[] = [];
      replicas.push(own);
      for (let replica = 0; replica < replicasPerMaster; replica++) {
        own.push(await startNode(`${name}-${index}-replica-${replica}`, index, replica));
      }
    }
    const slots = nodes.map((_, index): [number, number] => [
      Math.floor((index * SLOT_COUNT) / count),
      Math.floor(((index + 1) * SLOT_COUNT) / count) - 1,
    ]);
    if (options.rejoin) {
      await awaitClusterOk(name, [...nodes, ...replicas.flat()]);
      return { nodes, slots, replicas, stop };
    }
    const clients = nodes.map((node) => node.client());
    try {
      await Promise.all(
        clients.map((client, index) => client.call('CLUSTER', 'ADDSLOTSRANGE', ...(slots[index] as [number, number]))),
      );
      // Meeting the first node is enough: gossip introduces the others to each other.
      for (const node of [...nodes.slice(1), ...replicas.flat()])
        await clients[0]?.call('CLUSTER', 'MEET', node.host, node.port);
      const known = count * (1 + replicasPerMaster);
      // Per master, like `replicas`, so each replica client knows whose id to follow.
      const replicaClients = replicas.map((own) => own.map((replica) => replica.client()));
      clients.push(...replicaClients.flat());
      await waitFor(
        `${name} cluster_known_nodes:${known}`,
        async () => {
          const infos = await Promise.all(clients.map((client) => client.call('CLUSTER', 'INFO') as Promise<string>));
          return infos.every((info) => new RegExp(`cluster_known_nodes:${known}\\b`).test(info));
        },
        20_000,
        100,
      );
      const masterIds = await Promise.all(
        clients.slice(0, count).map((client) => client.call('CLUSTER', 'MYID') as Promise<string>),
      );
      for (const [index, own] of replicaClients.entries()) {
        for (const client of own) await client.call('CLUSTER', 'REPLICATE', masterIds[index] as string);
      }
      await waitFor(
        `${name} cluster_state:ok`,
        async () => {
          const infos = await Promise.all(clients.map((client) => client.call('CLUSTER', 'INFO') as Promise<string>));
          if (!infos.every((info) => /cluster_state:ok/.test(info))) return false;
          const links = await Promise.all(replicaClients.flat().map((client) => client.info('replication')));
          return links.every((info) => /master_link_status:up/.test(info));
        },
        20_000,
        100,
      );
    } finally {
      for (const client of clients) client.disconnect();
    }
    return { nodes, slots, replicas, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Nodes restarted from their nodes.conf: every one reports cluster_state:ok. Roles are not checked (a failover
 * before the restart may have swapped a master and its replica, as nodes.conf then says).
 */
async function awaitClusterOk(name: string, servers: RedisServer[]): Promise<void> {
  const clients = servers.map((server) => server.client());
  try {
    await waitFor(
      `${name} cluster_state:ok after a restart`,
      async () => {
        const infos = await Promise.all(clients.map((client) => client.call('CLUSTER', 'INFO') as Promise<string>));
        return infos.every((info) => /cluster_state:ok/.test(info));
      },
      30_000,
      100,
    );
  } finally {
    for (const client of clients) client.disconnect();
  }
}

/** FLUSHALL on every current master of the cluster `endpoint` is a node of (after a failover they are not the ones it started with). */
export async function flushClusterMasters(endpoint: RedisEndpoint): Promise<void> {
  const probe = await connectRedis(redisOptions(endpoint));
  try {
    const { masters } = await clusterTopology(probe, endpoint.host);
    for (const master of masters) {
      const client = await connectRedis(redisOptions({ ...endpoint, host: master.host, port: master.port }));
      await client.flushall();
      client.disconnect();
    }
  } finally {
    probe.disconnect();
  }
}
