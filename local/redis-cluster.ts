import { startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server.js';
import { waitFor } from './wait.js';

export interface RedisClusterOptions {
  /** Masters; the 16384 slots are split evenly between them. Default 3 (the smallest cluster Redis accepts for failover). */
  masters?: number;
  /** Passed to every node (password, extra config); `port` and `dir` are chosen per node. */
  server?: Omit<RedisServerOptions, 'port' | 'dir'>;
  name?: string;
}

export interface RedisCluster {
  /** The masters, in slot order (the first holds slot 0). */
  readonly nodes: RedisServer[];
  /** Every slot range per master, as assigned: `[first, last]`. */
  readonly slots: Array<[number, number]>;
  stop(): Promise<void>;
}

const SLOTS = 16_384;

/**
 * Starts a Redis Cluster of `masters` redis-servers on free loopback ports (no replicas): slots are assigned with
 * CLUSTER ADDSLOTSRANGE, the nodes introduced with CLUSTER MEET, and it returns once every node reports
 * cluster_state:ok. Each node keeps its cluster config file in its own temp dir.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const count = options.masters ?? 3;
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`masters must be an integer >= 1, got ${count}`);
  const name = options.name ?? 'redis-cluster';
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let index = 0; index < count; index++) {
      const config = { ...options.server?.config, 'cluster-enabled': 'yes', 'cluster-config-file': 'nodes.conf', 'cluster-node-timeout': '5000' };
      nodes.push(await startRedisServer({ ...options.server, name: `${name}-${index}`, config }));
    }
    const slots = nodes.map((_, index): [number, number] => [Math.floor((index * SLOTS) / count), Math.floor(((index + 1) * SLOTS) / count) - 1]);
    const clients = nodes.map((node) => node.client());
    try {
      await Promise.all(clients.map((client, index) => client.call('CLUSTER', 'ADDSLOTSRANGE', ...(slots[index] as [number, number]))));
      // Meeting the first node is enough: gossip introduces the others to each other.
      for (const node of nodes.slice(1)) await clients[0]?.call('CLUSTER', 'MEET', node.host, node.port);
      await waitFor(
        `${name} cluster_state:ok`,
        async () => {
          const infos = await Promise.all(clients.map((client) => client.call('CLUSTER', 'INFO') as Promise<string>));
          return infos.every((info) => /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${count}\\b`).test(info));
        },
        20_000,
        100,
      );
    } finally {
      for (const client of clients) client.disconnect();
    }
    return { nodes, slots, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
