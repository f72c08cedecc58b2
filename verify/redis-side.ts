import type { Redis } from 'ioredis';
import { connectRedis } from '../local/connect-redis.js';

/** A Redis server to compare. The password is a secret: it never appears in a report or an error. */
export interface CompareEndpoint {
  host: string;
  port: number;
  /** An ACL user; the default user when absent. */
  username?: string | undefined;
  password?: string | undefined;
}

/** One side of a comparison: a connection per logical database, opened on first use and closed by `close()`. */
export class RedisSide {
  private readonly connections = new Map<number, Promise<Redis>>();

  constructor(
    readonly role: 'source' | 'target',
    private readonly endpoint: CompareEndpoint,
  ) {}

  db(db: number): Promise<Redis> {
    let connection = this.connections.get(db);
    if (!connection) {
      connection = this.open(db);
      this.connections.set(db, connection);
    }
    return connection;
  }

  /** Keys per database from INFO keyspace (only non-empty databases are listed). */
  async keyspace(): Promise<Map<number, number>> {
    const info = await this.run(0, (redis) => redis.info('keyspace'));
    return new Map([...info.matchAll(/^db(\d+):keys=(\d+)/gm)].map((match) => [Number(match[1]), Number(match[2])]));
  }

  /** Runs `command` on the connection for `db`; errors name the side and address, never the password. */
  async run<T>(db: number, command: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = await this.db(db);
    try {
      return await command(redis);
    } catch (error) {
      throw this.describe(error);
    }
  }

  async close(): Promise<void> {
    const settled = await Promise.allSettled(this.connections.values());
    for (const result of settled) if (result.status === 'fulfilled') result.value.disconnect();
    this.connections.clear();
  }

  private async open(db: number): Promise<Redis> {
    const { host, port, username, password } = this.endpoint;
    try {
      return await connectRedis({
        host,
        port,
        username: username || undefined,
        password: password || undefined,
        db,
        protocol: 2,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
    } catch (error) {
      throw this.describe(error);
    }
  }

  private describe(error: unknown): Error {
    const { host, port, password } = this.endpoint;
    let reason = error instanceof Error ? error.message : String(error);
    if (password) reason = reason.split(password).join('***');
    if (/WRONGPASS|NOAUTH/.test(reason)) reason = 'authentication failed (wrong or missing password)';
    // No `cause`: ioredis errors carry the failed command's arguments, which for AUTH are the password.
    return new Error(`compare: ${this.role} Redis at ${host}:${port}: ${reason}`);
  }
}
