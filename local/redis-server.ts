import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { Redis } from 'ioredis';
import { startProcess, type ManagedProcess } from './processes.js';
import { resolveRedisServer } from './tools.js';
import { waitFor } from './wait.js';

export interface RedisServerOptions {
  /** Fixed port; a free one is picked when omitted (never assume 6379 is free). */
  port?: number;
  password?: string;
  /** Working directory for RDB/AOF files; a fresh temp dir (removed on stop) when omitted. */
  dir?: string;
  /** Extra `--name value` config, e.g. `{ 'notify-keyspace-events': 'KEA', appendonly: 'yes' }`. */
  config?: Record<string, string>;
  /** Label used in logs and the pid registry. */
  name?: string;
}

export interface RedisServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly password: string | undefined;
  readonly dir: string;
  readonly process: ManagedProcess;
  /** `redis://[:password@]host:port` — contains the password: never log it. */
  readonly url: string;
  /** A new ioredis client for db `db`; the caller quits it. */
  client(db?: number): Redis;
  /** Graceful stop (SHUTDOWN NOSAVE semantics via SIGTERM with `save ""`), then removes a temp dir. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; keeps the dir. */
  kill(): Promise<void>;
}

/** Starts a redis-server on a free loopback port in its own directory and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = await resolveRedisServer();
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-redis-')));
  const host = '127.0.0.1';
  const name = options.name ?? 'redis-server';
  const config: Record<string, string> = {
    save: '',
    appendonly: 'no',
    ...options.config,
  };
  let lastError: unknown;
  // A free port can be taken between getPort() and bind(); retry a few times with another one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await getPort({ host }));
    const args = ['--port', String(port), '--bind', host, '--dir', dir, '--daemonize', 'no', '--logfile', ''];
    if (options.password) args.push('--requirepass', options.password);
    for (const [key, value] of Object.entries(config)) args.push(`--${key}`, value);
    const proc = startProcess({ name, command: binary, args, cwd: dir, logFile: path.join(dir, 'redis.log') });
    const client = (db = 0) => new Redis({ host, port, password: options.password, db, lazyConnect: false, maxRetriesPerRequest: 3 });
    try {
      await waitFor(
        `${name} on port ${port}`,
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`${name} exited with code ${proc.child.exitCode} (see ${dir}/redis.log)`);
          const probe = new Redis({ host, port, password: options.password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
          probe.on('error', () => {});
          try {
            await probe.connect();
            return (await probe.ping()) === 'PONG';
          } finally {
            probe.disconnect();
          }
        },
        15_000,
        50,
      );
    } catch (error) {
      lastError = error;
      await proc.kill();
      if (options.port !== undefined) break;
      continue;
    }
    const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
    return {
      name,
      host,
      port,
      password: options.password,
      dir,
      process: proc,
      url: `redis://${auth}${host}:${port}`,
      client,
      stop: async () => {
        await proc.stop();
        if (ownsDir) await rm(dir, { recursive: true, force: true });
      },
      kill: () => proc.kill(),
    };
  }
  if (ownsDir) await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(`could not start ${name}`);
}
