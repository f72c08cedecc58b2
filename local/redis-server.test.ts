import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { createTestCertificates, type TestCertificates } from './tls-certificates.js';

describe('startRedisServer with TLS and ACL users', () => {
  let certificates: TestCertificates;
  let server: RedisServer;
  beforeAll(async () => {
    certificates = await createTestCertificates();
    server = await startRedisServer({
      name: 'tls-both',
      tls: { ...certificates, plainPort: true },
      users: [{ name: 'app', password: 'app-pw', rules: ['~app:*', '+@all'] }],
      password: 'default-pw',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await certificates?.remove();
  });

  it('serves TLS on `port` and plain TCP on `plainPort`; the default user keeps `password`, ACL users are created', async () => {
    expect(server.plainPort).toBeGreaterThan(0);
    expect(server.plainPort).not.toBe(server.port);
    expect(server.url).toBe(`rediss://:default-pw@127.0.0.1:${server.port}`);
    expect(server.endpoint).toMatchObject({
      host: '127.0.0.1',
      port: server.port,
      password: 'default-pw',
      tls: { ca: expect.stringContaining('BEGIN CERTIFICATE') },
    });
    const overTls = server.client();
    expect(await overTls.ping()).toBe('PONG');
    overTls.disconnect();
    const plain = new Redis({
      host: server.host,
      port: server.plainPort,
      username: 'app',
      password: 'app-pw',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    await plain.connect();
    expect(await plain.set('app:x', '1')).toBe('OK');
    await expect(plain.get('other')).rejects.toThrow(/NOPERM/);
    plain.disconnect();
  });
});
