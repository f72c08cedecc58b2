import { connectRedis } from '../../local/connect-redis.js';
import { connectionOptions } from '../data-plane/redis-address.js';
import type { OperationHandler } from '../context.js';
import { apiErrors } from '../http/api-error.js';
import type { EmulatedInstance, InstanceAttributes } from '../instances/instance-registry.js';

const MB = 1024 * 1024;

/** What the instance's redis-server says about itself; fields it could not give are absent. */
interface ServerFacts {
  version?: string;
  usedMemoryBytes?: number;
  maxMemoryBytes?: number;
  databases?: number;
}

/**
 * Reads INFO server/memory and CONFIG GET databases from the redis-server behind an instance. An unreachable
 * server gives no facts rather than an error: DCS itself answers ShowInstance from its own records.
 */
async function serverFacts(instance: EmulatedInstance): Promise<ServerFacts> {
  let redis;
  try {
    // connectionOptions: the instance's ACL user and TLS apply here as in the data plane.
    redis = await connectRedis({ ...connectionOptions(instance.endpoint, 0), connectTimeout: 2_000 });
  } catch {
    return {};
  }
  try {
    const info = await redis.info();
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const databases = (await redis.config('GET', 'databases').catch(() => [])) as string[];
    const number = (value: string | undefined) => (value === undefined || value === '' ? undefined : Number(value));
    return {
      ...(field('redis_version') ? { version: field('redis_version') } : {}),
      ...(number(field('used_memory')) === undefined ? {} : { usedMemoryBytes: number(field('used_memory')) }),
      ...(number(field('maxmemory')) === undefined ? {} : { maxMemoryBytes: number(field('maxmemory')) }),
      ...(databases[1] === undefined ? {} : { databases: Number(databases[1]) }),
    };
  } catch {
    return {};
  } finally {
    redis.disconnect();
  }
}

/** The ShowInstance body: the SDK's field names (memory in MB, capacity in GB), attributes over server facts. */
export function instanceView(instance: EmulatedInstance, attributes: InstanceAttributes, facts: ServerFacts): Record<string, unknown> {
  const maxMemoryMb = attributes.maxMemoryMb ?? (facts.maxMemoryBytes ? Math.floor(facts.maxMemoryBytes / MB) : Math.round(attributes.capacityGb * 1024));
  const engineVersion = attributes.engineVersion ?? facts.version?.split('.').slice(0, 2).join('.') ?? null;
  return {
    instance_id: instance.id,
    name: instance.id,
    status: attributes.status,
    engine: 'Redis',
    engine_version: engineVersion,
    cache_mode: attributes.cacheMode,
    // A Redis Cluster has one database; the others have what the server is configured with (16 by default).
    db_number: attributes.cacheMode === 'cluster' ? 1 : (facts.databases ?? 16),
    capacity: attributes.capacityGb,
    max_memory: maxMemoryMb,
    used_memory: facts.usedMemoryBytes === undefined ? null : Math.ceil(facts.usedMemoryBytes / MB),
    ip: instance.endpoint.host,
    port: instance.endpoint.port,
    domain_name: `${instance.id}.dcs.emulator.local`,
    enable_ssl: attributes.enableSsl,
    enable_publicip: attributes.enablePublicIp,
    // TEST-NET-3 (RFC 5737): an address that is plainly not a real one.
    publicip_address: attributes.enablePublicIp ? '203.0.113.10' : null,
    no_password_access: instance.endpoint.password ? 'false' : 'true',
    product_type: 'generic',
  };
}

/** ShowInstance: the instance's DCS view; an unknown id is HTTP 404 DCS.3022, as DCS answers. */
export const showInstance: OperationHandler = async ({ ctx, params }) => {
  const id = params['instance_id'] ?? '';
  const instance = ctx.instances.get(id);
  const attributes = ctx.instances.attributesOf(id);
  if (!instance || !attributes) throw apiErrors.instanceNotFound('instance_id');
  return { status: 200, body: instanceView(instance, attributes, await serverFacts(instance)) };
};
