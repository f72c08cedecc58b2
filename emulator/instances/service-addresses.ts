import { Redis } from 'ioredis';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import { connectionOptions } from '../data-plane/redis-address.js';
import { ServiceForwarder } from './service-forwarder.js';

export interface ServiceAddress {
  host: string;
  port: number;
}

/** The addresses as emulator/state saves them: each instance's own, and the one it holds now (`holders`). */
export interface ServiceAddressState {
  addresses: Array<{ id: string } & ServiceAddress>;
  /** Instance id → the id of the instance whose own address it holds now (itself unless switched). */
  holders: Record<string, string>;
  /** Instance id → the id of the instance whose domain name it holds now (absent: its own). */
  domainHolders: Record<string, string>;
}

/** First loopback host handed out (127.0.0.1 stays the emulator's and the redis-servers' own). */
const FIRST_HOST = 2;
const LAST_HOST = 254;

/** The domain name DCS gives an instance, under a zone that is plainly not a real one. */
export function instanceDomainName(id: string): string {
  return `${id}.dcs.emulator.local`;
}

/**
 * The emulator's model of where clients reach its instances, kept here and nowhere else: which service address
 * (IP and port) and which domain name each instance holds now. Both start as the instance's own; an IP switch
 * swaps the addresses of two instances (and their domain names with `is_exchange_domain`), a rollback swaps them
 * back, `restore()` puts everything back. Persisting the emulator's state means persisting `holder` and
 * `domainHolder` (instance id → the id whose address / domain it holds); the forwarders are rebuilt on start.
 *
 * The service addresses: one forwarder per instance, each on its own loopback IP
 * (Linux routes all of 127/8 to lo) and all on one port, because DCS instances have their own IPs and an IP switch
 * needs both sides on the same port. Where 127.0.0.x cannot be bound (macOS routes only 127.0.0.1), each address
 * gets 127.0.0.1 and a port of its own instead, and the same-port rule then refuses the switch.
 *
 * The read-only interval of a switch is `min-replicas-to-write` on the instances' servers: with no replica
 * attached, every write is refused with `-NOREPLICAS Not enough good replicas to write.` while reads go on — what a
 * client observes as the instance being read-only. A master/standby instance asks for one replica more than it has
 * (its standbys stay attached and keep following). Lifting it restores the setting the server had (0).
 */
export class ServiceAddresses {
  private readonly forwarders = new Map<string, ServiceForwarder>();
  /** Instance id → the forwarder (address) it holds now; starts as its own, swapped by `exchange`. */
  private readonly holder = new Map<string, string>();
  /** Instance id → the instance whose domain name it holds now (absent: its own); swapped with `domains`. */
  private readonly domainHolder = new Map<string, string>();
  private readonly backends = new Map<string, RedisEndpoint>();
  /** Replicas attached to each instance's server (a master/standby's standbys): a switch asks for one more. */
  private readonly replicas = new Map<string, number>();
  private sharedPort: number | undefined;
  private nextHost = FIRST_HOST;
  private perHost = true;

  /**
   * Opens the service address of instance `id`, forwarding to its server `backend` (a master with `replicas`
   * standbys). `at` is the address it had before the emulator restarted: taken again or refused, never another.
   */
  async open(id: string, backend: RedisEndpoint, options: { replicas?: number; at?: ServiceAddress } = {}) {
    if (options.at) return this.reopen(id, backend, options.at, options.replicas ?? 0);
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      const host = this.perHost ? `127.0.0.${this.nextHost}` : '127.0.0.1';
      try {
        const forwarder = await ServiceForwarder.listen(host, this.perHost ? (this.sharedPort ?? 0) : 0, backend);
        if (this.perHost) {
          this.sharedPort ??= forwarder.port;
          this.nextHost = this.nextHost >= LAST_HOST ? FIRST_HOST : this.nextHost + 1;
        }
        this.forwarders.set(id, forwarder);
        this.holder.set(id, id);
        this.backends.set(id, { ...backend });
        this.replicas.set(id, options.replicas ?? 0);
        return;
      } catch (error) {
        lastError = error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRNOTAVAIL' && this.perHost) this.perHost = false;
        // Someone else holds this IP on the shared port: the next IP.
        else if (code === 'EADDRINUSE' && this.perHost)
          this.nextHost = this.nextHost >= LAST_HOST ? FIRST_HOST : this.nextHost + 1;
        else throw error;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(`could not open a service address for instance ${id}`);
  }

  private async reopen(id: string, backend: RedisEndpoint, at: ServiceAddress, replicas: number): Promise<void> {
    let forwarder: ServiceForwarder;
    try {
      forwarder = await ServiceForwarder.listen(at.host, at.port, backend);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const what = `instance ${id}: its service address ${at.host}:${at.port}`;
      throw new Error(`${what} could not be taken again (${reason})`, { cause: error });
    }
    // New instances after a restart go on from here: the shared port, and the loopback IPs after those in use.
    this.perHost = at.host !== '127.0.0.1';
    if (this.perHost) {
      this.sharedPort ??= at.port;
      const last = Number(at.host.split('.').at(-1));
      if (last >= this.nextHost) this.nextHost = last >= LAST_HOST ? FIRST_HOST : last + 1;
    }
    this.forwarders.set(id, forwarder);
    this.holder.set(id, id);
    this.backends.set(id, { ...backend });
    this.replicas.set(id, replicas);
  }

  /**
   * What a restarted emulator needs to give each instance its address back (emulator/state): every instance's own
   * address, and which address and domain name each instance holds now (an IP switch swaps them).
   */
  snapshot(): ServiceAddressState {
    return {
      addresses: [...this.forwarders].map(([id, forwarder]) => ({ id, host: forwarder.host, port: forwarder.port })),
      holders: Object.fromEntries(this.holder),
      domainHolders: Object.fromEntries(this.domainHolder),
    };
  }

  /**
   * After every address was opened again (`open` with `at`): each instance holds the address and domain name it
   * held when saved.
   */
  restoreHolders(saved: Pick<ServiceAddressState, 'holders' | 'domainHolders'>): void {
    for (const [id, address] of Object.entries(saved.holders)) {
      if (this.holder.has(id) && this.forwarders.has(address)) this.holder.set(id, address);
    }
    for (const [id, domain] of Object.entries(saved.domainHolders)) this.domainHolder.set(id, domain);
    this.repoint([...this.forwarders.keys()]);
  }

  /** True while `a` and `b` hold each other's address (an IP switch between them is in effect). */
  swapped(a: string, b: string): boolean {
    return this.holder.get(a) === b && this.holder.get(b) === a;
  }

  /** The address instance `id` is reached at now, or undefined for an instance without one (registered). */
  addressOf(id: string): { host: string; port: number } | undefined {
    const forwarder = this.forwarders.get(this.holder.get(id) ?? '');
    return forwarder && { host: forwarder.host, port: forwarder.port };
  }

  /** The domain name instance `id` answers to now: its own, or the other's after a switch that moved domains. */
  domainOf(id: string): string {
    return instanceDomainName(this.domainHolder.get(id) ?? id);
  }

  /**
   * Swaps the service addresses of instances `a` and `b`: each address now reaches the other's server; with
   * `domains`, their domain names too (`is_exchange_domain`). The open connections of both addresses are cut, as
   * DCS disconnects clients during a switch. Returns how many were cut.
   */
  exchange(a: string, b: string, options: { domains?: boolean } = {}): number {
    const [addressA, addressB] = [this.holder.get(a), this.holder.get(b)];
    if (addressA === undefined || addressB === undefined) {
      throw new Error(`instance ${addressA === undefined ? a : b} has no service address`);
    }
    this.holder.set(a, addressB);
    this.holder.set(b, addressA);
    if (options.domains) {
      const [domainA, domainB] = [this.domainHolder.get(a) ?? a, this.domainHolder.get(b) ?? b];
      this.domainHolder.set(a, domainB);
      this.domainHolder.set(b, domainA);
    }
    return this.repoint([addressA, addressB]);
  }

  /** Puts every instance back on its own address and domain name (connections of moved addresses are cut). */
  restore(): void {
    const moved = [...this.holder].filter(([id, address]) => id !== address).map(([id]) => id);
    for (const id of this.holder.keys()) this.holder.set(id, id);
    this.domainHolder.clear();
    this.repoint(moved);
    for (const id of this.backends.keys()) void this.setReadOnly(id, false).catch(() => undefined);
  }

  /** Refuses (or accepts again) writes on the server of instance `id`; see the class comment. */
  async setReadOnly(id: string, readOnly: boolean): Promise<void> {
    const backend = this.backends.get(id);
    if (!backend) return;
    const connection = new Redis({
      ...connectionOptions(backend, 0),
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    try {
      await connection.connect();
      await connection.config(
        'SET',
        'min-replicas-to-write',
        readOnly ? String((this.replicas.get(id) ?? 0) + 1) : '0',
      );
    } finally {
      connection.disconnect();
    }
  }

  async closeAll(): Promise<void> {
    const forwarders = [...this.forwarders.values()];
    this.forwarders.clear();
    this.holder.clear();
    this.domainHolder.clear();
    await Promise.all(forwarders.map((forwarder) => forwarder.close()));
  }

  /** Points each address at the server of the instance holding it now, cutting its open connections. */
  private repoint(addresses: string[]): number {
    let cut = 0;
    for (const [id, address] of this.holder) {
      if (!addresses.includes(address)) continue;
      const forwarder = this.forwarders.get(address)!;
      const backend = this.backends.get(id)!;
      forwarder.setBackend(backend);
      cut += forwarder.cutConnections();
    }
    return cut;
  }
}
