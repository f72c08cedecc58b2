import { describe, expect, it } from 'vitest';
import { formatRedisUrl, parseRedisUrl } from './url.js';

describe('parseRedisUrl', () => {
  it('reads host, port, ACL user, password and db; the port defaults to 6379', () => {
    expect(parseRedisUrl('--source', 'redis://app:s%40cret@10.0.0.5:7000/3')).toEqual({
      endpoint: { host: '10.0.0.5', port: 7000, username: 'app', password: 's@cret' },
      db: 3,
    });
    expect(parseRedisUrl('--source', 'redis://redis-host', 'from-env')).toEqual({
      endpoint: { host: 'redis-host', port: 6379, username: undefined, password: 'from-env' },
      db: undefined,
    });
  });

  it('takes an IPv6 host out of its brackets', () => {
    expect(parseRedisUrl('--target', 'redis://[::1]:6380').endpoint).toMatchObject({ host: '::1', port: 6380 });
    const bare = parseRedisUrl('--target', 'redis://[2001:db8::7]').endpoint;
    expect(bare).toMatchObject({ host: '2001:db8::7', port: 6379 });
  });

  it('gives rediss:// the TLS options, and refuses a CA for redis://', () => {
    const { endpoint } = parseRedisUrl('--source', 'rediss://h:1', undefined, { ca: 'PEM', insecure: true });
    expect(endpoint.tls).toEqual({ ca: 'PEM', insecure: true });
    const plainWithCa = () => parseRedisUrl('--target', 'redis://h:1', undefined, { ca: 'PEM' });
    expect(plainWithCa).toThrow('--target: a CA certificate needs a rediss:// URL');
  });

  it('names the flag and never repeats the URL, which may hold the password', () => {
    for (const url of ['http://:pw@h:1', 'redis://:pw@h:1/x', 'not a url :pw@']) {
      const error = (() => {
        try {
          parseRedisUrl('--source', url);
        } catch (caught) {
          return caught as Error;
        }
      })();
      expect(error?.message, url).toMatch(/^--source: /);
      expect(error?.message, url).not.toContain('pw');
    }
  });
});

describe('formatRedisUrl', () => {
  it('writes what parseRedisUrl reads back', () => {
    const endpoints = [
      { host: '127.0.0.1', port: 6379, username: undefined, password: undefined },
      { host: '127.0.0.1', port: 7000, username: undefined, password: 'p:w@/' },
      { host: 'redis-host', port: 1, username: 'app user', password: 'secret' },
      { host: '::1', port: 6380, username: 'app', password: undefined },
    ];
    for (const endpoint of endpoints) expect(parseRedisUrl('url', formatRedisUrl(endpoint)).endpoint).toEqual(endpoint);
    expect(formatRedisUrl({ host: '::1', port: 6380, password: 'pw' })).toBe('redis://:pw@[::1]:6380');
    expect(formatRedisUrl({ host: 'h', port: 1, tls: { ca: 'PEM' } })).toBe('rediss://h:1');
  });
});
