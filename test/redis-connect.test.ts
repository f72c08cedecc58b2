/**
 * redis/connect.ts against a real redis-server (local/ starts it, which redis/ may not import): the errors ioredis
 * only emits as events are the ones thrown.
 */
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { connectRedis } from '../redis/connect.js';
import { redisOptions } from '../redis/connection-options.js';

describe('connectRedis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer({ name: 'connect-redis', password: 'right' });
  });
  afterAll(() => server?.stop());

  it('resolves with a connected, authenticated client', async () => {
    const redis = await connectRedis(redisOptions(server.endpoint));
    try {
      expect(redis.status).toBe('ready');
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('throws the reason ioredis only emits (WRONGPASS, ECONNREFUSED), not "Connection is closed."', async () => {
    const wrong = connectRedis(redisOptions({ ...server.endpoint, password: 'wrong' }));
    await expect(wrong).rejects.toThrow(/WRONGPASS/);
    const nobody = await getPort({ host: '127.0.0.1' });
    const refused = connectRedis(redisOptions({ host: '127.0.0.1', port: nobody }));
    await expect(refused).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('passes later error events to onError with the client they came from', async () => {
    const seen: string[] = [];
    const redis = await connectRedis(redisOptions(server.endpoint), (error, client) => {
      expect(client).toBe(redis);
      seen.push(error.message);
    });
    redis.emit('error', new Error('dropped'));
    redis.disconnect();
    expect(seen).toEqual(['dropped']);
  });
});
