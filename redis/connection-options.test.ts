import { describe, expect, it } from 'vitest';
import { nodeOptions, redisOptions } from './connection-options.js';

describe('redisOptions', () => {
  it('logs in as the ACL user with the password, and fails rather than reconnects', () => {
    const options = redisOptions({ host: '10.0.0.5', port: 7000, username: 'app', password: 'pw' }, { db: 2 });
    expect(options).toMatchObject({ host: '10.0.0.5', port: 7000, username: 'app', password: 'pw', db: 2 });
    expect(options).toMatchObject({ protocol: 2, lazyConnect: true, maxRetriesPerRequest: 0 });
    expect(options.retryStrategy?.(1)).toBeNull();
    expect(options.tls).toBeUndefined();
  });

  it('leaves out an empty user or password (the default user, no AUTH)', () => {
    const options = redisOptions({ host: 'h', port: 1, username: '', password: '' });
    expect(options.username).toBeUndefined();
    expect(options.password).toBeUndefined();
  });

  it('trusts the given CA and checks the given name; insecure checks nothing', () => {
    const checked = redisOptions({ host: '10.0.0.5', port: 1, tls: { ca: 'PEM', servername: 'redis.example' } });
    expect(checked.tls).toEqual({ ca: 'PEM', servername: 'redis.example', rejectUnauthorized: true });
    const insecure = redisOptions({ host: 'h', port: 1, tls: { insecure: true } }).tls;
    expect(insecure).toMatchObject({ rejectUnauthorized: false });
    expect(insecure?.checkServerIdentity?.('h', {} as never)).toBeUndefined();
  });

  it('lets the caller override the defaults', () => {
    const options = redisOptions({ host: 'h', port: 1 }, { lazyConnect: false, maxRetriesPerRequest: 3 });
    expect(options).toMatchObject({ lazyConnect: false, maxRetriesPerRequest: 3 });
  });
});

describe('nodeOptions', () => {
  it('carries the login without an address, for a cluster or a unix socket', () => {
    const options = nodeOptions({ username: 'app', password: 'pw', tls: { ca: 'PEM' } }, { path: '/tmp/r.sock' });
    expect(options).toMatchObject({ username: 'app', password: 'pw', path: '/tmp/r.sock', tls: { ca: 'PEM' } });
    expect(options).not.toHaveProperty('host');
    expect(options).not.toHaveProperty('port');
  });
});
