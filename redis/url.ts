import { formatAddress, parseAddress } from './address.js';
import type { RedisEndpoint } from './endpoint.js';

/** The TLS options a URL cannot carry: PEM CA text, skip verification. */
type UrlTlsOptions = { ca?: string; insecure?: boolean };

/**
 * A Redis server (any node of a cluster) named by a `redis[s]://[user][:password]@host[:port][/db]` URL; `rediss`
 * is TLS.
 */
export interface RedisUrlTarget {
  endpoint: RedisEndpoint;
  /** The db of the URL path, when one is given: only that db is compared. */
  db: number | undefined;
}

/**
 * Parses a `redis://` or `rediss://` URL. The password comes from the URL, else from `fallbackPassword` (an
 * environment variable, so it need not appear in a shell history). `tlsOptions` (PEM CA text, skip verification)
 * apply to rediss only. Errors name `name` and never repeat the URL, which may hold the password.
 */
export function parseRedisUrl(
  name: string,
  value: string,
  fallbackPassword?: string,
  tlsOptions: UrlTlsOptions = {},
): RedisUrlTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}: expected a URL such as redis://host:6379 or redis://:password@host:6379/0`);
  }
  const rediss = url.protocol === 'rediss:';
  const expected = 'expected a redis:// or rediss:// (TLS) URL';
  if (!rediss && url.protocol !== 'redis:') throw new Error(`${name}: ${expected}, got ${url.protocol}//`);
  if (!url.hostname) throw new Error(`${name}: the URL has no host`);
  // `url.host` keeps an IPv6 host in brackets, which the address parser takes off (ioredis wants them bare).
  const { host, port } = parseAddress(url.host, name, 6379);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) throw new Error(`${name}: the URL path must be a db number, such as /0`);
  const password = url.password ? decodeURIComponent(url.password) : fallbackPassword || undefined;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const tls = rediss ? { ca: tlsOptions.ca, insecure: tlsOptions.insecure } : undefined;
  if (!tls && tlsOptions.ca !== undefined) throw new Error(`${name}: a CA certificate needs a rediss:// URL`);
  const db = path === '' ? undefined : Number(path);
  return { endpoint: { host, port, username, password, ...(tls ? { tls } : {}) }, db };
}

/**
 * The URL of `endpoint` that `parseRedisUrl` reads back (without TLS options: a URL cannot carry a CA). Contains
 * the password: never log it.
 */
export function formatRedisUrl(endpoint: RedisEndpoint): string {
  const user = endpoint.username ? encodeURIComponent(endpoint.username) : '';
  const password = endpoint.password ? `:${encodeURIComponent(endpoint.password)}` : '';
  const auth = user || password ? `${user}${password}@` : '';
  return `${endpoint.tls ? 'rediss' : 'redis'}://${auth}${formatAddress(endpoint)}`;
}
