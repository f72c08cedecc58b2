import { AddressError, formatAddress, parseAddressList, type HostPort } from '../../redis/address.js';
import type { EmulatorContext } from '../context.js';
import { instanceSideEndpoint } from '../data-plane/redis-address.js';
import { apiErrors } from '../http/api-error.js';
import type { TaskSide } from '../tasks/task.js';

/** A source or target as requests give it: a DCS instance `id`, or self-hosted `addrs`, and a password. */
export interface InstanceRef {
  id?: string | null | undefined;
  addrs?: string | null | undefined;
  password?: string | null | undefined;
}

/**
 * Resolves one side of a migration. A DCS instance id must exist (DCS.3022, HTTP 404); an address is one
 * `host:port`, or a self-hosted cluster's masters comma-separated. The password given is used as is: a wrong or missing
 * one makes the migration fail on connect, as on the real service.
 */
export function resolveSide(ctx: EmulatorContext, ref: InstanceRef, field: string): TaskSide {
  const password = ref.password ?? undefined;
  if (ref.id) {
    const instance = ctx.instances.get(ref.id);
    if (!instance) throw apiErrors.instanceNotFound(`${field}.id`);
    const { host, port } = instance.endpoint;
    // The task shows the address clients use (the service address); the migration machine copies server to server,
    // logging in as the instance is set up to be logged into (its ACL user, TLS) with the password given.
    const shown = instance.service ?? { host, port };
    return {
      instanceId: ref.id,
      addrs: formatAddress(shown),
      service: shown,
      endpoint: instanceSideEndpoint(instance.endpoint, password),
    };
  }
  if (ref.addrs) {
    const aliased = ctx.addressAliases?.get(ref.addrs.trim());
    const instance = aliased === undefined ? undefined : ctx.instances.get(aliased);
    // An alias is a name on the emulated network: the task shows the address as given, the data goes to the instance.
    if (instance) return { addrs: ref.addrs.trim(), endpoint: instanceSideEndpoint(instance.endpoint, password) };
    const [first, ...seeds] = parseAddresses(ref.addrs, `${field}.addrs`);
    const shown = [first!, ...seeds].map(formatAddress).join(',');
    return {
      addrs: shown,
      endpoint: { host: first!.host, port: first!.port, password, ...(seeds.length > 0 ? { seeds } : {}) },
    };
  }
  throw apiErrors.invalidParameter(`${field}.id`, 'give the DCS instance id or the self-hosted Redis addrs');
}

/**
 * The online-migration rules DCS checks when a task is configured (dcs-operations.md §3): a DCS Proxy Cluster
 * instance cannot be the source, and SSL must be off on the target. A self-hosted side (`addrs`) has no DCS
 * attributes, so nothing is refused for it.
 */
export function refuseUnsupportedOnlineSides(ctx: EmulatorContext, source: TaskSide, target: TaskSide): void {
  if (source.instanceId && ctx.instances.attributesOf(source.instanceId)?.cacheMode === 'proxy')
    throw apiErrors.proxySourceNotSupported(source.instanceId);
  refuseSslTarget(ctx, target);
}

/** SSL on the target instance: DCS migrates into it only with SSL off (dcs-operations.md §3). */
export function refuseSslTarget(ctx: EmulatorContext, target: TaskSide): void {
  if (target.instanceId && ctx.instances.attributesOf(target.instanceId)?.enableSsl)
    throw apiErrors.targetSslNotSupported(target.instanceId);
}

/** True when `side` is a DCS instance ShowInstance reports as a Redis Cluster (`cache_mode` cluster). */
export function isClusterInstance(ctx: EmulatorContext, side: TaskSide): boolean {
  return side.instanceId !== undefined && ctx.instances.attributesOf(side.instanceId)?.cacheMode === 'cluster';
}

/**
 * `host:port`, or a self-hosted Redis Cluster's masters comma-separated as DCS takes them (the data plane reaches the
 * whole cluster from any of them; several addresses of anything but one cluster fail the migration).
 */
function parseAddresses(addrs: string, field: string): HostPort[] {
  try {
    return parseAddressList(addrs, field);
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    const expected = addrs.includes(',') ? "host:port,host:port,… (a cluster's masters)" : 'host:port';
    throw apiErrors.invalidParameter(field, `expected ${expected}: ${error.reason}`);
  }
}
