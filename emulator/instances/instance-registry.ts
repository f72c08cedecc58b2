import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startRedisCluster } from '../../local/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { waitFor } from '../../local/wait.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import type { RedisTlsOptions } from '../../redis/tls.js';
import type { CacheMode } from './cache-modes.js';
import { ServiceAddresses } from './service-addresses.js';
import { DEFAULT_TOPOLOGY, topologyCacheMode, type InstanceTopology } from './topology.js';

export { CACHE_MODES, type CacheMode } from './cache-modes.js';

/** A DCS instance of the emulator: an id and the real redis-server behind it. */
/** A Redis someone else runs, registered as a DCS instance: its address, and how to log in (ACL user, TLS). */
export interface RegisteredRedis {
  id: string;
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
  tls?: RedisTlsOptions | undefined;
}

export interface EmulatedInstance {
  id: string;
  /** The instance's own redis-server (its data). The migration machine copies between these. */
  endpoint: RedisEndpoint;
  /**
   * The instance's service address, the one clients connect to (instances started here; none for registered
   * ones): its own loopback IP on the port every instance shares, as DCS instances have their own IPs. An IP
   * switch swaps the service addresses of two instances, so an address then reaches the other's server.
   */
  service?: { host: string; port: number } | undefined;
  /**
   * What runs behind the instance (instances started here; none for registered ones): its type and every shard's
   * master and replicas. A single node or master/standby instance has one shard, whose master is `endpoint`; a
   * Redis Cluster has one per master, and `endpoint` is the first master's (any node tells a client the cluster).
   */
  topology?: InstanceNodes | undefined;
}

/** The redis-servers of an instance: `shards[i].master` holds `slots` (cluster), `replicas` follow it. */
export interface InstanceNodes {
  type: InstanceTopology;
  shards: Array<{ master: RedisEndpoint; replicas: RedisEndpoint[]; slots?: [number, number] | undefined }>;
}

/**
 * What ShowInstance says about an instance beyond its redis-server: settable (admin route, emulator options) so
 * tests and rehearsals can stage the states DCS refuses to migrate into. Used and maximum memory are read from
 * the redis-server itself unless `maxMemoryMb` is set.
 */
export interface InstanceAttributes {
  /** DCS instance status: RUNNING, CREATING, ERROR, RESTARTING, FROZEN, … */
  status: string;
  /** `engine_version`, e.g. `5.0`, `6.0`; default: the redis-server's own major.minor. */
  engineVersion?: string | undefined;
  /** `capacity` in GB (default 1). */
  capacityGb: number;
  /** `max_memory` in MB; default `capacityGb × 1024`. */
  maxMemoryMb?: number | undefined;
  /** `cache_mode`; default: the instance's topology (single, ha, cluster). */
  cacheMode: CacheMode;
  enableSsl: boolean;
  enablePublicIp: boolean;
}

/** The attributes an instance starts with; `cacheMode` here is a registered instance's (a started one's comes from its topology). */
export const DEFAULT_INSTANCE_ATTRIBUTES: InstanceAttributes = {
  status: 'RUNNING',
  capacityGb: 1,
  cacheMode: 'single',
  enableSsl: false,
  enablePublicIp: false,
};

const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** True for an id the emulator accepts: 1-64 letters, digits, `_`, `.` or `-`, starting with a letter or digit. */
export function isValidInstanceId(id: string): boolean {
  return INSTANCE_ID.test(id);
}

/** A bad or duplicate instance id (the caller's mistake, unlike a redis-server that fails to start). */
export class InstanceIdError extends Error {
  override name = 'InstanceIdError';
}

/**
 * The emulator's DCS instances. Either started here as real redis-servers (stopped with the emulator) or
 * registered from an address someone else runs. An IP exchange swaps the service addresses of two ids
 * (`services.exchange`), as the real service swaps the instances' IPs; `restoreAddresses()` undoes every swap.
 */
export class InstanceRegistry {
  private readonly instances = new Map<string, EmulatedInstance>();
  private readonly original = new Map<string, RedisEndpoint>();
  private readonly started: Array<{ stop(): Promise<void> }> = [];
  private readonly topologies = new Map<string, InstanceNodes>();
  private readonly attributes = new Map<string, InstanceAttributes>();
  /** Attributes given when the emulator started: what `resetAttributes()` goes back to. */
  private readonly baseline = new Map<string, InstanceAttributes>();
  /** The forwarders behind the service addresses, and the address each instance holds now (ids swap on a switch). */
  readonly services = new ServiceAddresses();

  constructor(private readonly dataDir: string) {}

  /**
   * Starts the redis-servers of `topology` (default a single node) and registers them under `id`. A single node keeps
   * its data in `<dataDir>/instances/<id>`, a master/standby's standbys in `standby-<n>` below it; a cluster's nodes
   * use temp dirs (a cluster config file from an earlier run would not match the new ports). Every instance but a
   * Redis Cluster gets a service address (DCS switches no IPs of a Redis Cluster).
   */
  async add(options: { id: string; password?: string | undefined; topology?: InstanceTopology | undefined }): Promise<EmulatedInstance> {
    this.checkNewId(options.id);
    const topology = options.topology ?? DEFAULT_TOPOLOGY;
    const { password } = options;
    const name = `dcs-instance-${options.id}`;
    const endpointOf = (server: RedisServer): RedisEndpoint => ({ host: server.host, port: server.port, password });
    // A replica's first sync starts at once rather than after Redis's default 5 s wait for more replicas.
    const config = topology.mode === 'single' ? undefined : { 'repl-diskless-sync-delay': '0' };
    let nodes: InstanceNodes;
    if (topology.mode === 'cluster') {
      const cluster = await startRedisCluster({ name, masters: topology.masters, replicasPerMaster: topology.replicasPerMaster, server: { password, config } });
      this.started.push(cluster);
      nodes = {
        type: topology,
        shards: cluster.nodes.map((master, index) => ({
          master: endpointOf(master),
          replicas: (cluster.replicas[index] ?? []).map(endpointOf),
          slots: cluster.slots[index],
        })),
      };
    } else {
      const dir = path.join(this.dataDir, 'instances', options.id);
      await mkdir(dir, { recursive: true });
      const master = await startRedisServer({ password, dir, name, ...(config ? { config } : {}) });
      this.started.push(master);
      const standbys = topology.mode === 'ha' ? await this.startStandbys(master, topology.standbys, dir, name) : [];
      nodes = { type: topology, shards: [{ master: endpointOf(master), replicas: standbys.map(endpointOf) }] };
      await this.services.open(options.id, endpointOf(master), { replicas: standbys.length });
    }
    this.topologies.set(options.id, nodes);
    const master = nodes.shards[0]!.master;
    return { ...this.register({ id: options.id, host: master.host, port: master.port, password }), ...this.describe(options.id) };
  }

  /** Standby servers following `master` (REPLICAOF, with masterauth), once each has its link up. */
  private async startStandbys(master: RedisServer, count: number, dir: string, name: string): Promise<RedisServer[]> {
    const standbys: RedisServer[] = [];
    for (let index = 1; index <= count; index++) {
      const standbyDir = path.join(dir, `standby-${index}`);
      await mkdir(standbyDir, { recursive: true });
      const config: Record<string, string> = { replicaof: `${master.host} ${master.port}`, ...(master.password ? { masterauth: master.password } : {}) };
      const standby = await startRedisServer({ password: master.password, dir: standbyDir, name: `${name}-standby-${index}`, config });
      this.started.push(standby);
      standbys.push(standby);
    }
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
    return standbys;
  }

  /** Registers a Redis someone else runs as a DCS instance. */
  register(options: RegisteredRedis): EmulatedInstance {
    this.checkNewId(options.id);
    // An ACL user and TLS (`rediss`) reach every connection to it: the data plane's, and ShowInstance's INFO reads.
    const endpoint: RedisEndpoint = {
      host: options.host,
      port: options.port,
      ...(options.username ? { username: options.username } : {}),
      password: options.password,
      ...(options.tls ? { tls: { ...options.tls } } : {}),
    };
    const instance = { id: options.id, endpoint };
    this.instances.set(options.id, instance);
    this.original.set(options.id, { ...endpoint });
    return { id: instance.id, endpoint: { ...endpoint } };
  }

  get(id: string): EmulatedInstance | undefined {
    const instance = this.instances.get(id);
    const service = this.services.addressOf(id);
    return instance && { id: instance.id, endpoint: { ...instance.endpoint }, ...(service ? { service } : {}), ...this.describe(id) };
  }

  private describe(id: string): { topology?: InstanceNodes } {
    const nodes = this.topologies.get(id);
    if (!nodes) return {};
    const copy = (endpoint: RedisEndpoint): RedisEndpoint => ({ ...endpoint });
    return {
      topology: {
        type: { ...nodes.type },
        shards: nodes.shards.map((shard) => ({
          master: copy(shard.master),
          replicas: shard.replicas.map(copy),
          ...(shard.slots ? { slots: [...shard.slots] as [number, number] } : {}),
        })),
      },
    };
  }

  list(): EmulatedInstance[] {
    return [...this.instances.keys()].map((id) => this.get(id)!);
  }

  /** Puts every instance back on the address it was created with (service addresses included), writable again. */
  restoreAddresses(): void {
    for (const [id, endpoint] of this.original) {
      const instance = this.instances.get(id);
      if (instance) instance.endpoint = { ...endpoint };
    }
    this.services.restore();
  }

  /** What ShowInstance reports about `id` beyond its redis-server (defaults until set); undefined when unknown. */
  attributesOf(id: string): InstanceAttributes | undefined {
    if (!this.instances.has(id)) return undefined;
    const topology = this.topologies.get(id)?.type;
    return { ...DEFAULT_INSTANCE_ATTRIBUTES, ...(topology ? { cacheMode: topologyCacheMode(topology) } : {}), ...this.attributes.get(id) };
  }

  /**
   * Changes some attributes of `id` (the others stay); returns them all. `baseline` (the emulator's start options)
   * also makes them what a reset goes back to. Throws for an unknown id.
   */
  setAttributes(id: string, patch: Partial<InstanceAttributes>, options: { baseline?: boolean } = {}): InstanceAttributes {
    const current = this.attributesOf(id);
    if (!current) throw new InstanceIdError(`instance "${id}" is not registered`);
    const next = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) };
    this.attributes.set(id, next);
    if (options.baseline) this.baseline.set(id, { ...next });
    return { ...next };
  }

  /** Every instance back to the attributes it started with (the emulator's reset). */
  resetAttributes(): void {
    this.attributes.clear();
    for (const [id, attributes] of this.baseline) this.attributes.set(id, { ...attributes });
  }

  /** Stops every redis-server started here (registered ones belong to someone else) and closes the service addresses. */
  async stopAll(): Promise<void> {
    await this.services.closeAll();
    const servers = this.started.splice(0);
    await Promise.all(servers.map((server) => server.stop()));
  }

  private checkNewId(id: string): void {
    if (!isValidInstanceId(id)) {
      throw new InstanceIdError(`instance id "${id}" must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`);
    }
    if (this.instances.has(id)) throw new InstanceIdError(`instance "${id}" is already registered`);
  }
}
