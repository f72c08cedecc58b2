import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { Redis } from 'ioredis';
import { redisOptions } from '../redis/connection-options.js';
import type { RedisEndpoint } from '../redis/endpoint.js';
import { formatRedisUrl } from '../redis/url.js';
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
  /**
   * Serve TLS (PEM files, e.g. from local/tls-certificates.ts). Clients need no certificate of their own. Plain
   * TCP is switched off (`port 0`) unless `plainPort` is true, which keeps it on a port of its own.
   */
  tls?: { certFile: string; keyFile: string; caFile: string; plainPort?: boolean };
  /** ACL users created at start (`user` config directives). */
  users?: AclUser[];
  /**
   * The user of `users` that `client()`, `url`, `endpoint` and the readiness probe log in as. The default user is
   * switched off then, so only ACL users can log in (`password` is ignored).
   */
  loginAs?: string;
}

export interface AclUser {
  name: string;
  password: string;
  /** ACL rules, e.g. `['~*', '+@read']`; every key, channel and command when omitted. */
  rules?: string[];
}

export interface RedisServer {
  readonly name: string;
  readonly host: string;
  /** The port clients use: the TLS port when the server serves TLS. */
  readonly port: number;
  /** The plain TCP port next to a TLS one (`tls.plainPort`); otherwise undefined for a TLS server, `port` else. */
  readonly plainPort: number | undefined;
  /** The ACL user `client()` logs in as (`loginAs`); undefined for the default user. */
  readonly username: string | undefined;
  /** The password of that user: a secret. */
  readonly password: string | undefined;
  /** Host, port, user, password and the CA (PEM text) of a TLS server. Holds the password. */
  readonly endpoint: RedisEndpoint;
  readonly dir: string;
  readonly process: ManagedProcess;
  /** `redis[s]://[user][:password@]host:port` — contains the password: never log it. */
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
  const login = loginOf(options);
  const tls = options.tls ? { ca: await readFile(options.tls.caFile, 'utf8') } : undefined;
  let lastError: unknown;
  // A free port can be taken between getPort() and bind(); retry a few times with another one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await getPort({ host }));
    const plainPort = !options.tls
      ? port
      : options.tls.plainPort
        ? await getPort({ host, exclude: [port] })
        : undefined;
    const args = ['--port', String(plainPort ?? 0), '--bind', host, '--dir', dir, '--daemonize', 'no', '--logfile', ''];
    if (options.tls) {
      args.push(
        '--tls-port',
        String(port),
        '--tls-cert-file',
        options.tls.certFile,
        '--tls-key-file',
        options.tls.keyFile,
      );
      args.push('--tls-ca-cert-file', options.tls.caFile, '--tls-auth-clients', 'no');
    }
    if (options.password && !login.username) args.push('--requirepass', options.password);
    // One argument per rule: redis-server quotes each argument of a directive as one token.
    for (const user of options.users ?? [])
      args.push('--user', user.name, 'on', `>${user.password}`, ...(user.rules ?? ['~*', '&*', '+@all']));
    if (login.username) args.push('--user', 'default', 'off');
    for (const [key, value] of Object.entries(config)) args.push(`--${key}`, value);
    const proc = startProcess({ name, command: binary, args, cwd: dir, logFile: path.join(dir, 'redis.log') });
    const endpoint: RedisEndpoint = {
      host,
      port,
      username: login.username,
      password: login.password,
      ...(tls ? { tls } : {}),
    };
    // Clients for tests connect at once and ride out a restart of the server (ioredis's own reconnects and retries).
    const clientOptions = { lazyConnect: false, retryStrategy: undefined, maxRetriesPerRequest: 3 };
    const client = (db = 0) => new Redis(redisOptions(endpoint, { ...clientOptions, db }));
    try {
      await waitFor(
        `${name} on port ${port}`,
        async () => {
          if (proc.child.exitCode !== null)
            throw new Error(`${name} exited with code ${proc.child.exitCode} (see ${dir}/redis.log)`);
          const probe = new Redis(redisOptions(endpoint));
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
    return {
      name,
      host,
      port,
      plainPort,
      username: login.username,
      password: login.password,
      endpoint,
      dir,
      process: proc,
      url: formatRedisUrl(endpoint),
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

/** Who clients log in as: the `loginAs` ACL user, else the default user with `password`. */
function loginOf(options: RedisServerOptions): { username: string | undefined; password: string | undefined } {
  if (options.loginAs === undefined) return { username: undefined, password: options.password };
  const user = options.users?.find(({ name }) => name === options.loginAs);
  if (!user) throw new Error(`loginAs: no user ${options.loginAs} among options.users`);
  return { username: user.name, password: user.password };
}
