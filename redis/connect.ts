import { Redis, type RedisOptions } from 'ioredis';

type ErrorListener = (error: Error, redis: Redis) => void;

/**
 * Opens an ioredis client and waits until it is connected (and authenticated). On failure the client is closed and
 * the error that explains it is thrown: ioredis rejects `connect()` with a generic "Connection is closed." and
 * emits the real cause (ECONNREFUSED, WRONGPASS, …) as an `error` event, so the last such event wins. The listener
 * stays afterwards, so a later network error is not an unhandled `error` event; `onError` sees every such event,
 * for callers that explain a later "Connection is closed." the same way. The thrown error may carry AUTH
 * arguments: callers scrub it before showing it.
 */
export async function connectRedis(options: RedisOptions, onError?: ErrorListener): Promise<Redis> {
  const redis = new Redis({ ...options, lazyConnect: true });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
    onError?.(error, redis);
  });
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw lastError ?? error;
  }
}
