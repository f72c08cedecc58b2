import type { HostPort } from './address.js';
import type { RedisTlsOptions } from './tls.js';

/**
 * Where a Redis server is and how to log in: a standalone server, or any one node of a Redis Cluster (whoever
 * connects finds the masters). The one shape of a Redis side for the verifier, the data plane, the worker's probes
 * and the local tools. The password is a secret: never log it or echo it. The username is not: errors name it, so
 * that an operator knows which ACL user to fix.
 */
export interface RedisEndpoint extends HostPort {
  /** An ACL user to log in as (`AUTH username password`); the default user when absent. */
  username?: string | undefined;
  password?: string | undefined;
  /** Connect with TLS (as `rediss://`); see RedisTlsOptions. Without it, plain TCP. */
  tls?: RedisTlsOptions | undefined;
}
