import { Redis } from 'ioredis';
import { connectionOptions, type RedisAddress, type Side } from './redis-address.js';
import { describeFailure } from './failures.js';

/**
 * One connection per logical database of one Redis server, opened on first use. A connection per db (rather
 * than SELECT on a shared one) keeps every command stream ordered per db and makes reconnects trivial.
 */
export class RedisConnections {
  private readonly byDb = new Map<number, Promise<Redis>>();
  private readonly lastErrors = new WeakMap<Redis, Error>();
  private closed = false;

  constructor(
    readonly side: Side,
    readonly address: RedisAddress,
    /** CLIENT SETNAME of every connection, so the run can find (and drop) its own connections on the server. */
    readonly connectionName?: string,
  ) {}

  /** The connection for `db`, connected; throws a DataPlaneError (auth, unreachable) when it cannot be opened. */
  db(db: number): Promise<Redis> {
    if (this.closed) return Promise.reject(this.fail(new Error('Connection is closed.')));
    let connection = this.byDb.get(db);
    if (!connection) {
      connection = this.open(db);
      this.byDb.set(db, connection);
      // A failed open must not be cached: the next caller (after a resume) tries again.
      connection.catch(() => this.byDb.delete(db));
    }
    return connection;
  }

  /** `INFO <section>` of this server (through db 0's connection); failures come back as DataPlaneErrors. */
  async info(section: string): Promise<string> {
    const connection = await this.db(0);
    try {
      return await connection.info(section);
    } catch (error) {
      throw this.fail(error, connection);
    }
  }

  /** Converts an error from a command on this side into an operator-readable DataPlaneError. */
  fail(error: unknown, connection?: Redis): Error {
    return describeFailure(error, this.side, this.address, connection ? this.lastErrors.get(connection) : undefined);
  }

  /** Every connection opened so far (for fault injection and statistics). */
  async opened(): Promise<Redis[]> {
    const settled = await Promise.allSettled(this.byDb.values());
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }

  /** Closes every connection; further use fails. */
  async close(): Promise<void> {
    this.closed = true;
    const connections = await this.opened();
    this.byDb.clear();
    for (const connection of connections) connection.disconnect();
  }

  private async open(db: number): Promise<Redis> {
    const connection = new Redis(connectionOptions(this.address, db, this.connectionName));
    connection.on('error', (error: Error) => this.lastErrors.set(connection, error));
    try {
      await connection.connect();
      return connection;
    } catch (error) {
      connection.disconnect();
      throw this.fail(error, connection);
    }
  }
}
