import type { CompareEndpoint } from './redis-side.js';

/** A Redis server (any node of a cluster) named by a `redis[s]://[user][:password]@host[:port][/db]` URL; `rediss` is TLS. */
export interface RedisUrlTarget {
  endpoint: CompareEndpoint;
  /** The db of the URL path, when one is given: only that db is compared. */
  db: number | undefined;
}

/**
 * Parses a `redis://` or `rediss://` URL. The password comes from the URL, else from `fallbackPassword` (an environment
 * variable, so it need not appear in a shell history). `tlsOptions` (PEM CA text, skip verification) apply to rediss only. Errors name `name` and never repeat the URL, which
 * may hold the password.
 */
export function parseRedisUrl(name: string, value: string, fallbackPassword?: string, tlsOptions: { ca?: string; insecure?: boolean } = {}): RedisUrlTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}: expected a URL such as redis://host:6379 or redis://:password@host:6379/0`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`${name}: expected a redis:// or rediss:// (TLS) URL, got ${url.protocol}//`);
  if (!url.hostname) throw new Error(`${name}: the URL has no host`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) throw new Error(`${name}: the URL path must be a db number, such as /0`);
  const password = url.password ? decodeURIComponent(url.password) : fallbackPassword || undefined;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  // URL keeps IPv6 hosts in brackets; ioredis wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const tls = url.protocol === 'rediss:' ? { ca: tlsOptions.ca, insecure: tlsOptions.insecure } : undefined;
  if (!tls && tlsOptions.ca !== undefined) throw new Error(`${name}: a CA certificate needs a rediss:// URL`);
  return { endpoint: { host, port, username, password, ...(tls ? { tls } : {}) }, db: path === '' ? undefined : Number(path) };
}
