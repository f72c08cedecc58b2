import type { RedisOptions } from 'ioredis';
import type { RedisEndpoint } from './endpoint.js';
import { tlsSocketOptions } from './tls.js';

/** How to log in, without where: what every node of a cluster shares. */
export type RedisLogin = Pick<RedisEndpoint, 'username' | 'password' | 'tls'>;

/**
 * ioredis options without host and port: the login (ACL user, password, TLS) and how the client behaves. For an
 * ioredis Cluster's `redisOptions` (it adds each node's address) or a unix socket (`path` in `extra`).
 *
 * The client fails instead of waiting: it connects on `connect()` (lazyConnect), does not reconnect, and does not
 * retry a command, so a dropped connection surfaces as an error to the code that decides what happens next. It
 * speaks RESP2: DCS's Redis 4.0 and 5.0 have no HELLO, and every reply parser here expects RESP2's shapes.
 * `extra` (db, timeouts, a connection name…) overrides any of these.
 */
export function nodeOptions(login: RedisLogin, extra: RedisOptions = {}): RedisOptions {
  return {
    username: login.username || undefined,
    password: login.password || undefined,
    ...(login.tls ? { tls: tlsSocketOptions(login.tls) } : {}),
    protocol: 2,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    ...extra,
  };
}

/** ioredis options for one connection to `endpoint`: its address and `nodeOptions` (see there). */
export function redisOptions(endpoint: RedisEndpoint, extra: RedisOptions = {}): RedisOptions {
  return { host: endpoint.host, port: endpoint.port, ...nodeOptions(endpoint, extra) };
}
