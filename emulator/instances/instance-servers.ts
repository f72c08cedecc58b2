import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startRedisCluster } from '../../local/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { waitFor } from '../../local/wait.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import type { InstanceTopology } from './topology.js';

/** The redis-servers of an instance: `shards[i].master` holds `slots` (cluster), `replicas` follow it. */
export interface InstanceNodes {
  type: InstanceTopology;
  shards: Array<{ master: RedisEndpoint; replicas: RedisEndpoint[]; slots?: [number, number] | undefined }>;
}

/** One server as emulator/state saves it: the port it serves (kept across restarts) and its pid (to stop an orphan). */
export interface SavedServer {
  port: number;
  pid: number;
}

/** Where an instance's servers were, shard by shard: what a restart starts again on the same ports and dirs. */
export interface InstanceLayout {
  shards: Array<{ master: SavedServer; replicas: SavedServer[] }>;
}

export interface StartedServers {
  nodes: InstanceNodes;
  /** Every server started, to stop them and to save the layout. */
  stop(): Promise<void>;
  layout(): InstanceLayout;
}

export interface StartServersOptions {
  id: string;
  password?: string | undefined;
  topology: InstanceTopology;
  /** `<dataDir>/instances/<id>` holds the instance's data (a cluster's in temp dirs unless persistent). */
  dataDir: string;
  /**
   * The emulator keeps its state (emulator/state): the servers write an AOF, fsynced before each answer
   * (`appendfsync always`), so nothing a client was told is written is lost, whatever kills a server or the
   * emulator; a cluster's nodes keep their data and nodes.conf in the instance dir too.
   */
  persistent: boolean;
  /** The layout before a restart: the same ports (and dirs), the data reloaded from the AOF. */
  layout?: InstanceLayout | undefined;
}

const AOF_CONFIG = { appendonly: 'yes', appendfsync: 'always' };

/**
 * Starts the redis-servers of `topology`: a single node keeps its data in `<dataDir>/instances/<id>`, a
 * master/standby's standbys in `standby-<n>` below it; a cluster's nodes in `shard-<i>[-replica-<r>]` below it when
 * persistent (a cluster config file must match the ports, which only a restart from the layout keeps), else in
 * temp dirs.
 */
export async function startInstanceServers(options: StartServersOptions): Promise<StartedServers> {
  const { password, topology, layout } = options;
  const name = `dcs-instance-${options.id}`;
  const dir = path.join(options.dataDir, 'instances', options.id);
  const endpointOf = (server: RedisServer): RedisEndpoint => ({ host: server.host, port: server.port, password });
  const persistence = options.persistent ? AOF_CONFIG : {};
  // A replica's first sync starts at once rather than after Redis's default 5 s wait for more replicas.
  const config = { ...persistence, ...(topology.mode === 'single' ? {} : { 'repl-diskless-sync-delay': '0' }) };
  if (topology.mode === 'cluster') {
    const placement = (shard: number, replica?: number) => ({
      dir: path.join(dir, replica === undefined ? `shard-${shard}` : `shard-${shard}-replica-${replica}`),
      port: replica === undefined ? layout?.shards[shard]?.master.port : layout?.shards[shard]?.replicas[replica]?.port,
    });
    if (options.persistent) await makeClusterDirs(placement, topology.masters, topology.replicasPerMaster);
    const cluster = await startRedisCluster({
      name,
      masters: topology.masters,
      replicasPerMaster: topology.replicasPerMaster,
      server: { password, config },
      ...(options.persistent ? { placement, rejoin: layout !== undefined } : {}),
    });
    const shards = cluster.nodes.map((master, index) => ({ master, replicas: cluster.replicas[index] ?? [] }));
    return {
      nodes: {
        type: topology,
        shards: shards.map(({ master, replicas }, index) => ({
          master: endpointOf(master),
          replicas: replicas.map(endpointOf),
          slots: cluster.slots[index],
        })),
      },
      stop: () => cluster.stop(),
      layout: () => layoutOf(shards),
    };
  }
  await mkdir(dir, { recursive: true });
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    const saved = layout?.shards[0];
    const master = await startRedisServer({ password, dir, name, config, port: saved?.master.port });
    servers.push(master);
    const count = topology.mode === 'ha' ? topology.standbys : 0;
    for (let index = 1; index <= count; index++) {
      const standbyDir = path.join(dir, `standby-${index}`);
      await mkdir(standbyDir, { recursive: true });
      const auth: Record<string, string> = password ? { masterauth: password } : {};
      const follow = { ...config, replicaof: `${master.host} ${master.port}`, ...auth };
      const port = saved?.replicas[index - 1]?.port;
      const standbyName = `${name}-standby-${index}`;
      servers.push(await startRedisServer({ password, dir: standbyDir, name: standbyName, config: follow, port }));
    }
    const standbys = servers.slice(1);
    await awaitStandbysLinked(name, standbys);
    return {
      nodes: { type: topology, shards: [{ master: endpointOf(master), replicas: standbys.map(endpointOf) }] },
      stop,
      layout: () => layoutOf([{ master, replicas: standbys }]),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

type Placement = (shard: number, replica?: number) => { dir: string };

async function makeClusterDirs(placement: Placement, masters: number, replicas: number): Promise<void> {
  for (let shard = 0; shard < masters; shard++) {
    await mkdir(placement(shard).dir, { recursive: true });
    for (let replica = 0; replica < replicas; replica++) {
      await mkdir(placement(shard, replica).dir, { recursive: true });
    }
  }
}

function layoutOf(shards: Array<{ master: RedisServer; replicas: RedisServer[] }>): InstanceLayout {
  const saved = (server: RedisServer): SavedServer => ({ port: server.port, pid: server.process.pid });
  return { shards: shards.map(({ master, replicas }) => ({ master: saved(master), replicas: replicas.map(saved) })) };
}

/** Standby servers following their master (REPLICAOF, with masterauth), once each has its link up. */
async function awaitStandbysLinked(name: string, standbys: RedisServer[]): Promise<void> {
  if (standbys.length === 0) return;
  await waitFor(
    `${name} standbys linked to the master`,
    async () => {
      const infos = await Promise.all(
        standbys.map(async (standby) => {
          const client = standby.client();
          try {
            return await client.info('replication');
          } finally {
            client.disconnect();
          }
        }),
      );
      return infos.every((info) => /master_link_status:up/.test(info));
    },
    20_000,
    100,
  );
}
