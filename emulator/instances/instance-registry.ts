import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import type { RedisEndpoint } from '../data-plane/contract.js';
import { ServiceAddresses } from './service-addresses.js';

/** A DCS instance of the emulator: an id and the real redis-server behind it. */
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
}

/** The DCS cache modes ShowInstance reports (`cache_mode`): single node, master/standby, read/write split, Proxy Cluster, Redis Cluster. */
export const CACHE_MODES = ['single', 'ha', 'ha_rw_split', 'proxy', 'cluster'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

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
  cacheMode: CacheMode;
  enableSsl: boolean;
  enablePublicIp: boolean;
}

export const DEFAULT_INSTANCE_ATTRIBUTES: InstanceAttributes = {
  status: 'RUNNING',
  capacityGb: 1,
  cacheMode: 'ha',
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
  private readonly started: RedisServer[] = [];
  private readonly attributes = new Map<string, InstanceAttributes>();
  /** Attributes given when the emulator started: what `resetAttributes()` goes back to. */
  private readonly baseline = new Map<string, InstanceAttributes>();
  /** The forwarders behind the service addresses, and the address each instance holds now (ids swap on a switch). */
  readonly services = new ServiceAddresses();

  constructor(private readonly dataDir: string) {}

  /** Starts a redis-server (data in `<dataDir>/instances/<id>`) and registers it under `id`. */
  async add(options: { id: string; password?: string | undefined }): Promise<EmulatedInstance> {
    this.checkNewId(options.id);
    const dir = path.join(this.dataDir, 'instances', options.id);
    await mkdir(dir, { recursive: true });
    const server = await startRedisServer({ password: options.password, dir, name: `dcs-instance-${options.id}` });
    this.started.push(server);
    await this.services.open(options.id, { host: server.host, port: server.port, password: options.password });
    return this.register({ id: options.id, host: server.host, port: server.port, password: options.password });
  }

  /** Registers a Redis someone else runs as a DCS instance. */
  register(options: { id: string; host: string; port: number; password?: string | undefined }): EmulatedInstance {
    this.checkNewId(options.id);
    const endpoint: RedisEndpoint = { host: options.host, port: options.port, password: options.password };
    const instance = { id: options.id, endpoint };
    this.instances.set(options.id, instance);
    this.original.set(options.id, { ...endpoint });
    return { id: instance.id, endpoint: { ...endpoint } };
  }

  get(id: string): EmulatedInstance | undefined {
    const instance = this.instances.get(id);
    const service = this.services.addressOf(id);
    return instance && { id: instance.id, endpoint: { ...instance.endpoint }, ...(service ? { service } : {}) };
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
    return { ...DEFAULT_INSTANCE_ATTRIBUTES, ...this.attributes.get(id) };
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
