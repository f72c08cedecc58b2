import type { RedisOptions } from 'ioredis';
import { formatAddress } from '../../redis/address.js';
import { nodeOptions, redisOptions } from '../../redis/connection-options.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';

/**
 * Where the data plane connects: a TCP endpoint from the contract, or the unix socket of a temporary
 * redis-server the data plane started itself (backup import), which needs no port.
 */
export type RedisAddress = RedisEndpoint | { socketPath: string; password?: string | undefined };

/** The side of a migration an address plays, used in operator messages. */
export type Side = 'source' | 'target' | 'backup file';

/** `host:port` or the socket path: safe to show to an operator (never includes the password, nor the username). */
export function describeAddress(address: RedisAddress): string {
  return 'socketPath' in address ? address.socketPath : formatAddress(address);
}

/**
 * The endpoint of a migration side that is an emulated instance: the instance's host, port, ACL user and TLS, with
 * the password the request gave. DCS task bodies carry a password only (DCS has no TLS or username fields, and
 * refuses ACL users and SSL for online migration), so how to reach the server beyond that is the instance's.
 */
export function instanceSideEndpoint(instance: RedisEndpoint, password: string | undefined): RedisEndpoint {
  const { host, port, username, tls } = instance;
  return { host, port, ...(username ? { username } : {}), password, ...(tls ? { tls: { ...tls } } : {}) };
}

/**
 * ioredis options for one data-plane connection (redis/connection-options.ts: the endpoint's ACL user and TLS, no
 * reconnect), so that a dropped connection surfaces as an error and the run's resume mode (failures.ts) decides what
 * happens next. `connectionName` (CLIENT SETNAME) lets a run find its own connections on the server, e.g. to drop
 * them. Every data-plane connection (copy, change feed, INFO, size poller) is built here.
 */
export function connectionOptions(address: RedisAddress, db: number, connectionName?: string): RedisOptions {
  const extra = { db, connectionName, enableOfflineQueue: true, connectTimeout: 5_000 };
  if ('socketPath' in address)
    return nodeOptions({ password: address.password }, { path: address.socketPath, ...extra });
  return redisOptions(address, extra);
}
