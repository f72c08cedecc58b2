import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import getPort from 'get-port';
import { searchAttributeCliSpecs } from '../common/search-attributes.js';
import { startProcess, type ManagedProcess } from './processes.js';
import { resolveTemporalCli } from './tools.js';
import { portAcceptsConnections, waitFor } from './wait.js';

export interface TemporalDevServerOptions {
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Serve the Web UI (on `uiPort`, or a free port). Off by default: tests do not need it. */
  ui?: boolean;
  uiPort?: number;
  /** SQLite file that keeps state across restarts; in-memory when omitted. */
  dbFile?: string;
  namespace?: string;
  /** Extra CLI arguments, e.g. `['--dynamic-config-value', 'k=v']`. */
  extraArgs?: string[];
  /** Folder for the server log; a temp dir when omitted. */
  logDir?: string;
}

export interface TemporalDevServer {
  readonly address: string;
  readonly port: number;
  readonly namespace: string;
  readonly uiUrl: string | undefined;
  /** Temporal's HTTP API (`/api/v1/...`), e.g. for `DCS_MIGRATE_TEMPORAL_HTTP`. */
  readonly httpUrl: string;
  readonly process: ManagedProcess;
  readonly logFile: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` on free loopback ports with dcs-migrate's search attributes registered,
 * and waits until its frontend answers. Used by the test harness and by the local stack.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions = {}): Promise<TemporalDevServer> {
  const binary = await resolveTemporalCli();
  const host = '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const ownsLogDir = options.logDir === undefined;
  const logDir = options.logDir ?? (await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-temporal-')));
  const logFile = path.join(logDir, 'temporal.log');
  // The dev server binds several ports; one picked free can be taken before it binds (it then exits). Such a
  // start is retried on fresh ports, and a server that dies right after answering counts as such a start.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(binary, host, namespace, options, logFile, ownsLogDir ? logDir : undefined);
    } catch (error) {
      lastError = error;
      if (options.port !== undefined) break;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('could not start the Temporal dev server');
}

async function startOnce(
  binary: string,
  host: string,
  namespace: string,
  options: TemporalDevServerOptions,
  logFile: string,
  ownedLogDir: string | undefined,
): Promise<TemporalDevServer> {
  const port = options.port ?? (await getPort({ host }));
  const uiPort = options.ui ? (options.uiPort ?? (await getPort({ host }))) : undefined;
  const args = [
    'server',
    'start-dev',
    '--ip',
    host,
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
  ];
  const httpPort = await getPort({ host });
  args.push('--http-port', String(httpPort), '--metrics-port', String(await getPort({ host })));
  if (uiPort !== undefined) args.push('--ui-port', String(uiPort), '--ui-ip', host);
  else args.push('--headless');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  for (const spec of searchAttributeCliSpecs()) args.push('--search-attribute', spec);
  args.push(...(options.extraArgs ?? []));

  const proc = startProcess({ name: 'temporal-dev-server', command: binary, args, logFile });
  const address = `${host}:${port}`;
  const exitedEarly = () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) return undefined;
    return new Error(
      `temporal exited (code ${proc.child.exitCode}, signal ${proc.child.signalCode}); log: ${logFile}\n${logTail(logFile)}`,
    );
  };
  const answers = async () => {
    const early = exitedEarly();
    if (early) throw early;
    if (!(await portAcceptsConnections(port, host))) return false;
    const connection = await Connection.connect({ address, connectTimeout: 2_000 });
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return true;
    } finally {
      await connection.close();
    }
  };
  try {
    await waitFor(`Temporal dev server on ${address}`, answers, 60_000, 200);
    if (uiPort !== undefined)
      await waitFor(`Temporal UI on ${uiPort}`, () => portAcceptsConnections(uiPort, host), 30_000);
    // Still there a moment later: a port conflict on one of its other listeners shows up just after start.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const early = exitedEarly();
    if (early) throw early;
  } catch (error) {
    await proc.kill();
    throw error;
  }
  return {
    address,
    port,
    namespace,
    uiUrl: uiPort !== undefined ? `http://${host}:${uiPort}` : undefined,
    httpUrl: `http://${host}:${httpPort}`,
    process: proc,
    logFile,
    stop: async () => {
      await proc.stop(10_000);
      if (ownedLogDir) await rm(ownedLogDir, { recursive: true, force: true });
    },
    kill: () => proc.kill(),
  };
}

/** The last lines of a log file, for an error message (the dev server says why it stopped there). */
function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
