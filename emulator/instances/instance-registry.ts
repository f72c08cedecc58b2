import type { RedisEndpoint } from '../../redis/endpoint.js';
import type { RedisTlsOptions } from '../../redis/tls.js';
import type { CacheMode } from './cache-modes.js';
import { startInstanceServers, type InstanceLayout, type InstanceNodes } from './instance-servers.js';
import { ServiceAddresses, type ServiceAddress, type ServiceAddressState } from './service-addresses.js';
import { DEFAULT_TOPOLOGY, formatTopology, InstanceSpecError, topologyCacheMode } from './topology.js';
import type { InstanceTopology } from './topology.js';

export type { InstanceNodes } from './instance-servers.js';

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

/** An instance to start: its id, password and topology (a single node by default). */
export interface InstanceToStart {
  id: string;
  password?: string | undefined;
  topology?: InstanceTopology | undefined;
}

/** Where a restored instance was: its servers' ports, its service address. */
export interface RestoredPlace {
  layout?: InstanceLayout | undefined;
  address?: ServiceAddress | undefined;
}

/** An instance as emulator/state saves it: started here (topology, where its servers ran) or registered. */
export interface SavedInstance {
  id: string;
  started?: { topology: InstanceTopology; layout: InstanceLayout; password?: string | undefined } | undefined;
  registered?: Omit<RegisteredRedis, 'id'> | undefined;
  attributes?: InstanceAttributes | undefined;
  baseline?: InstanceAttributes | undefined;
}

export interface SavedInstances {
  instances: SavedInstance[];
  addresses: ServiceAddressState;
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
  /** Where each started instance's servers run now (ports, pids): what emulator/state saves. */
  private readonly layouts = new Map<string, () => InstanceLayout>();
  private readonly topologies = new Map<string, InstanceNodes>();
  private readonly attributes = new Map<string, InstanceAttributes>();
  /** Attributes given when the emulator started: what `resetAttributes()` goes back to. */
  private readonly baseline = new Map<string, InstanceAttributes>();
  /** The forwarders behind the service addresses, and the address each instance holds now (ids swap on a switch). */
  readonly services = new ServiceAddresses();

  /** `persistent`: the servers keep their data in an AOF (see instance-servers.ts), for a restart from the data dir. */
  constructor(
    private readonly dataDir: string,
    private readonly persistent = false,
  ) {}

  /**
   * Starts the redis-servers of `topology` (default a single node) and registers them under `id` (see
   * instance-servers.ts for where each keeps its data). Every instance but a Redis Cluster gets a service address
   * (DCS switches no IPs of a Redis Cluster). `restore`: the instance as saved before the emulator restarted, started
   * again on the same ports (its data reloaded) and at the same service address.
   */
  async add(options: InstanceToStart, restore: RestoredPlace = {}): Promise<EmulatedInstance> {
    this.checkNewId(options.id);
    const topology = options.topology ?? DEFAULT_TOPOLOGY;
    const { password } = options;
    const { dataDir, persistent } = this;
    const servers = await startInstanceServers({ ...options, topology, dataDir, persistent, layout: restore.layout });
    this.started.push(servers);
    this.layouts.set(options.id, () => servers.layout());
    const nodes = servers.nodes;
    const master = nodes.shards[0]!.master;
    if (topology.mode !== 'cluster') {
      const at = restore.address;
      const replicas = nodes.shards[0]!.replicas.length;
      await this.services.open(options.id, master, { replicas, ...(at ? { at } : {}) });
    }
    this.topologies.set(options.id, nodes);
    return {
      ...this.register({ id: options.id, host: master.host, port: master.port, password }),
      ...this.describe(options.id),
    };
  }

  /**
   * An instance the emulator is told to start that the data dir already holds (a restart): kept, with its data, when
   * it is the same instance; a different topology or password is refused naming it (the data is not thrown away).
   */
  async ensure(options: InstanceToStart): Promise<void> {
    const existing = this.instances.get(options.id);
    if (!existing) {
      await this.add(options);
      return;
    }
    const had = this.topologies.get(options.id)?.type;
    const wanted = options.topology ?? DEFAULT_TOPOLOGY;
    const where = `the data dir ${this.dataDir} holds instance ${options.id}`;
    if (!had || formatTopology(had) !== formatTopology(wanted)) {
      const was = had ? formatTopology(had) : 'a registered Redis';
      const fix = 'start it as it was, or use another data dir';
      throw new InstanceSpecError('mode', `${where} as ${was}, not ${formatTopology(wanted)} (${fix})`);
    }
    if ((existing.endpoint.password ?? '') !== (options.password ?? '')) {
      const fix = 'give the one it was created with, or use another data dir';
      throw new InstanceSpecError('password', `${where} with another password (${fix})`);
    }
  }

  /** Registers a Redis someone else runs as a DCS instance. */
  register(options: RegisteredRedis): EmulatedInstance {
    // An ACL user and TLS (`rediss`) reach every connection to it: the data plane's, and ShowInstance's INFO reads.
    const endpoint: RedisEndpoint = {
      host: options.host,
      port: options.port,
      ...(options.username ? { username: options.username } : {}),
      password: options.password,
      ...(options.tls ? { tls: { ...options.tls } } : {}),
    };
    // The same Redis registered again after a restart from the data dir (a container's start script): kept.
    const existing = this.instances.get(options.id);
    const registered = existing && !this.topologies.has(options.id);
    if (registered && JSON.stringify(existing.endpoint) === JSON.stringify(endpoint)) return this.get(options.id)!;
    this.checkNewId(options.id);
    const instance = { id: options.id, endpoint };
    this.instances.set(options.id, instance);
    this.original.set(options.id, { ...endpoint });
    return { id: instance.id, endpoint: { ...endpoint } };
  }

  get(id: string): EmulatedInstance | undefined {
    const instance = this.instances.get(id);
    const service = this.services.addressOf(id);
    return (
      instance && {
        id: instance.id,
        endpoint: { ...instance.endpoint },
        ...(service ? { service } : {}),
        ...this.describe(id),
      }
    );
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
    return {
      ...DEFAULT_INSTANCE_ATTRIBUTES,
      ...(topology ? { cacheMode: topologyCacheMode(topology) } : {}),
      ...this.attributes.get(id),
    };
  }

  /**
   * Changes some attributes of `id` (the others stay); returns them all. `baseline` (the emulator's start options)
   * also makes them what a reset goes back to. Throws for an unknown id.
   */
  setAttributes(
    id: string,
    patch: Partial<InstanceAttributes>,
    options: { baseline?: boolean } = {},
  ): InstanceAttributes {
    const current = this.attributesOf(id);
    if (!current) throw new InstanceIdError(`instance "${id}" is not registered`);
    const next = {
      ...current,
      ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)),
    };
    this.attributes.set(id, next);
    if (options.baseline) this.baseline.set(id, { ...next });
    return { ...next };
  }

  /** Every instance back to the attributes it started with (the emulator's reset). */
  resetAttributes(): void {
    this.attributes.clear();
    for (const [id, attributes] of this.baseline) this.attributes.set(id, { ...attributes });
  }

  /**
   * What emulator/state saves of every instance: how to start or register it again, its attributes, and the
   * service addresses. Holds the passwords (see emulator/state/state-file.ts for why and how they are kept).
   */
  snapshot(): SavedInstances {
    const instances = [...this.instances.values()].map(({ id, endpoint }): SavedInstance => {
      const layout = this.layouts.get(id)?.();
      const topology = this.topologies.get(id)?.type;
      return {
        id,
        ...(topology && layout ? { started: { topology, layout, password: endpoint.password } } : {}),
        ...(topology ? {} : { registered: { ...endpoint } }),
        ...(this.attributes.has(id) ? { attributes: { ...this.attributes.get(id)! } } : {}),
        ...(this.baseline.has(id) ? { baseline: { ...this.baseline.get(id)! } } : {}),
      };
    });
    return { instances, addresses: this.services.snapshot() };
  }

  /** Starts (registers) the saved instances again, on their ports and service addresses, as they were switched. */
  async restore(saved: SavedInstances): Promise<void> {
    const addressOf = new Map(saved.addresses.addresses.map(({ id, host, port }) => [id, { host, port }]));
    for (const instance of saved.instances) {
      if (instance.started) {
        const { topology, layout, password } = instance.started;
        await this.add({ id: instance.id, password, topology }, { layout, address: addressOf.get(instance.id) });
      } else if (instance.registered) {
        this.register({ id: instance.id, ...instance.registered });
      }
      if (instance.attributes) this.attributes.set(instance.id, { ...instance.attributes });
      if (instance.baseline) this.baseline.set(instance.id, { ...instance.baseline });
    }
    this.services.restoreHolders(saved.addresses);
  }

  /** Stops every redis-server started here (registered ones belong to someone else) and closes the service addresses. */
  async stopAll(): Promise<void> {
    await this.services.closeAll();
    const servers = this.started.splice(0);
    await Promise.all(servers.map((server) => server.stop()));
  }

  private checkNewId(id: string): void {
    if (!isValidInstanceId(id)) {
      throw new InstanceIdError(
        `instance id "${id}" must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`,
      );
    }
    if (this.instances.has(id)) throw new InstanceIdError(`instance "${id}" is already registered`);
  }
}
