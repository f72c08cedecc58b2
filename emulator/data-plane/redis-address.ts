import type { RedisOptions } from 'ioredis';
import { tlsSocketOptions } from '../../common/redis-tls.js';
import type { RedisEndpoint } from './contract.js';

/**
 * Where the data plane connects: a TCP endpoint from the contract, or the unix socket of a temporary
 * redis-server the data plane started itself (backup import), which needs no port.
 */
export type RedisAddress = RedisEndpoint | { socketPath: string; password?: string | undefined };

/** The side of a migration an address plays, used in operator messages. */
export type Side = 'source' | 'target' | 'backup file';

/** `host:port` or the socket path: safe to show to an operator (never includes the password, nor the username). */
export function describeAddress(address: RedisAddress): string {
  return 'socketPath' in address ? address.socketPath : `${address.host}:${address.port}`;
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
 * ioredis options for one data-plane connection. ioredis must not reconnect or queue on its own: a dropped
 * connection has to surface as an error so that the run's resume mode (failures.ts) decides what happens next.
 * `connectionName` (CLIENT SETNAME) lets a run find its own connections on the server, e.g. to drop them.
 * Every data-plane connection (copy, change feed, INFO, size poller) is built here, so an endpoint's ACL user
 * and TLS options reach all of them.
 */
export function connectionOptions(address: RedisAddress, db: number, connectionName?: string): RedisOptions {
  const where =
    'socketPath' in address
      ? { path: address.socketPath }
      : { host: address.host, port: address.port, username: address.username || undefined, ...(address.tls ? { tls: tlsSocketOptions(address.tls) } : {}) };
  return {
    ...where,
    password: address.password || undefined,
    db,
    connectionName,
    protocol: 2,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
  };
}
