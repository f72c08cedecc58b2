import { formatAddress } from '../../redis/address.js';
import { connectRedis } from '../../redis/connect.js';
import { connectionOptions } from '../data-plane/redis-address.js';
import type { OperationHandler } from '../context.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
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
 * Reads INFO server/memory and CONFIG GET databases from one redis-server. An unreachable server gives no facts
 * rather than an error: DCS itself answers ShowInstance from its own records.
 */
async function nodeFacts(endpoint: RedisEndpoint): Promise<ServerFacts> {
  let redis;
  try {
    // connectionOptions: the instance's ACL user and TLS apply here as in the data plane.
    redis = await connectRedis({ ...connectionOptions(endpoint, 0), connectTimeout: 2_000 });
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

/**
 * The facts of an instance: its server's, or for a Redis Cluster the masters' memory summed (maximum memory only
 * when every master has one, used memory when every master answered) with the first master's version.
 */
async function serverFacts(instance: EmulatedInstance): Promise<ServerFacts> {
  const shards = instance.topology?.shards;
  if (!shards || shards.length <= 1) return nodeFacts(instance.endpoint);
  const all = await Promise.all(shards.map((shard) => nodeFacts(shard.master)));
  const sum = (values: Array<number | undefined>) =>
    values.every((value) => value !== undefined)
      ? values.reduce<number>((total, value) => total + value, 0)
      : undefined;
  const used = sum(all.map((facts) => facts.usedMemoryBytes));
  const max = all.every((facts) => (facts.maxMemoryBytes ?? 0) > 0) ? sum(all.map((facts) => facts.maxMemoryBytes)) : 0;
  const version = all.find((facts) => facts.version)?.version;
  return {
    ...(version ? { version } : {}),
    ...(used === undefined ? {} : { usedMemoryBytes: used }),
    ...(max === undefined ? {} : { maxMemoryBytes: max }),
  };
}

/** What ShowInstance says besides the instance's servers: its attributes, its server's facts, its domain name now. */
interface InstanceFacts {
  attributes: InstanceAttributes;
  facts: ServerFacts;
  domainName: string;
}

/**
 * The ShowInstance body: the SDK's field names (memory in MB, capacity in GB), attributes over server facts.
 * `sharding_count` is the number of shards (1 unless a Redis Cluster), `replica_count` the copies per shard as DCS
 * counts them: master included (a master/standby instance with one standby has 2). `ip`, `port` and `domain_name`
 * are where clients reach the instance now: its service address (the one `dcs-migrate emulator` prints and tasks
 * show), which an IP switch moves, and the domain name it holds. A Redis Cluster (no service address) lists its
 * masters' IPs in `ip` (comma-separated, as DCS does) and their `ip:port`s in `backend_addrs`; `port` is its first
 * master's. A registered instance is reached at its server.
 */
export function instanceView(instance: EmulatedInstance, about: InstanceFacts): Record<string, unknown> {
  const { attributes, facts, domainName } = about;
  const shards = instance.topology?.shards ?? [{ master: instance.endpoint, replicas: [] }];
  const isCluster = instance.topology?.type.mode === 'cluster';
  const client = instance.service ?? instance.endpoint;
  const maxMemoryMb =
    attributes.maxMemoryMb ??
    (facts.maxMemoryBytes ? Math.floor(facts.maxMemoryBytes / MB) : Math.round(attributes.capacityGb * 1024));
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
    sharding_count: shards.length,
    replica_count: 1 + Math.max(0, ...shards.map((shard) => shard.replicas.length)),
    ip: isCluster ? shards.map((shard) => shard.master.host).join(',') : client.host,
    port: client.port,
    ...(isCluster ? { backend_addrs: shards.map((shard) => formatAddress(shard.master)).join(',') } : {}),
    domain_name: domainName,
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
  const domainName = ctx.instances.services.domainOf(id);
  return { status: 200, body: instanceView(instance, { attributes, facts: await serverFacts(instance), domainName }) };
};
