import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { nodeOptions } from '../../redis/connection-options.js';
import { startProcess, type ManagedProcess } from '../../local/processes.js';
import { resolveRedisServer } from '../../local/tools.js';
import type { BackupFormat } from './backup-format.js';
import { DataPlaneError } from './failures.js';

/** A private redis-server loaded from a copy of a backup file, reachable only through its unix socket. */
export interface LoadedBackup {
  socketPath: string;
  /** What the server has logged so far (its load report: keys loaded, empty keys skipped, …). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** How long a backup may take to load before the import gives up. */
const loadTimeoutMs = 10 * 60_000;

/**
 * Starts a temporary redis-server on a COPY of `file` (Redis rewrites AOFs on load, and the original must stay
 * untouched) and resolves once it has finished loading. A file it cannot load (too new an RDB version, corrupt,
 * truncated) makes redis-server exit; the reason from its log becomes the error.
 */
export async function loadBackup(file: string, format: BackupFormat): Promise<LoadedBackup> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-import-'));
  const socketPath = path.join(dir, 'redis.sock');
  const logFile = path.join(dir, 'redis.log');
  let server: ManagedProcess | undefined;
  const cleanup = async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const args = [
      '--port',
      '0',
      '--unixsocket',
      socketPath,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--save',
      '',
      '--daemonize',
      'no',
      '--logfile',
      '',
      ...(await placeFile(file, format, dir)),
    ];
    server = startProcess({
      name: 'backup-import-redis',
      command: await resolveRedisServer(),
      args,
      cwd: dir,
      logFile,
    });
    await waitUntilLoaded(server, socketPath, logFile, path.basename(file));
    return { socketPath, log: () => loadLog(logFile), stop: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Copies the file (and a manifest's parts) into `dir`; returns the redis-server arguments that load it. */
async function placeFile(file: string, format: BackupFormat, dir: string): Promise<string[]> {
  if (format === 'rdb') {
    await copyFile(file, path.join(dir, 'dump.rdb'));
    return ['--dbfilename', 'dump.rdb', '--appendonly', 'no'];
  }
  const aofArgs = [
    '--appendonly',
    'yes',
    '--appendfilename',
    'appendonly.aof',
    '--appenddirname',
    'appendonlydir',
    '--aof-load-truncated',
    'yes',
  ];
  if (format === 'aof') {
    // A single AOF in --dir is what Redis < 7 wrote; Redis 7 loads it as the base of a new multi-part AOF.
    await copyFile(file, path.join(dir, 'appendonly.aof'));
    return aofArgs;
  }
  const partsDir = path.join(dir, 'appendonlydir');
  await mkdir(partsDir);
  const manifest = await readFile(file, 'utf8');
  for (const match of manifest.matchAll(/^file (\S+) /gm)) {
    const part = match[1] as string;
    if (part.includes('/') || part.includes('\\'))
      throw new DataPlaneError(
        `AOF manifest ${path.basename(file)} names a part outside its directory: ${part}`,
        false,
      );
    await copyFile(path.join(path.dirname(file), part), path.join(partsDir, part)).catch(() => {
      throw new DataPlaneError(`AOF manifest ${path.basename(file)} names ${part}, which cannot be read`, false);
    });
  }
  await copyFile(file, path.join(partsDir, 'appendonly.aof.manifest'));
  return aofArgs;
}

async function waitUntilLoaded(
  server: ManagedProcess,
  socketPath: string,
  logFile: string,
  name: string,
): Promise<void> {
  const deadline = Date.now() + loadTimeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new DataPlaneError(`backup file ${name} could not be loaded: ${await loadFailureReason(logFile)}`, false);
    }
    if (await isLoaded(socketPath)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new DataPlaneError(
    `backup file ${name} did not finish loading within ${loadTimeoutMs / 60_000} minutes`,
    false,
  );
}

/**
 * The server's log once it says it is ready (its load report comes before that line). The log reaches the file
 * through a pipe, so it can lag the server being loaded by a moment: waits up to 2 s for the line.
 */
async function loadLog(logFile: string): Promise<string> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    if (/ready to accept connections/i.test(log) || Date.now() >= deadline) return log;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function isLoaded(socketPath: string): Promise<boolean> {
  const probe = new Redis(nodeOptions({}, { path: socketPath }));
  probe.on('error', () => {});
  try {
    await probe.connect();
    return /^loading:0/m.test(await probe.info('persistence'));
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Startup lines redis-server logs at warning level that say nothing about the file. */
const startupNoise = /^(WARNING|Warning|Server initialized|Configuration loaded|Redis version=|oO0OoO0OoO0Oo)/;

/** The warning lines redis-server logged before exiting (`# ...`), e.g. "Can't handle RDB format version 12". */
async function loadFailureReason(logFile: string): Promise<string> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  const warnings = log
    .split('\n')
    .map((line) => /^\d+:[A-Z] .*? [#] (.*)$/.exec(line)?.[1]?.trim())
    .filter((line): line is string => line !== undefined && !startupNoise.test(line));
  return warnings.slice(-3).join('; ') || 'redis-server exited while loading it';
}
