import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toolsDir } from './tools.js';

/**
 * Every long-running process dcs-migrate starts (Temporal dev servers, redis-servers) is spawned here and written
 * to a pid registry in `.tools/run/`, so that nothing outlives its owner: the owner stops it, the exit hook kills
 * what is left when the owner exits, and `reapOrphans()` kills what an interrupted or kill -9'd run left behind.
 */
const registryDir = path.join(toolsDir, 'run');

interface RegistryEntry {
  pid: number;
  ownerPid: number;
  name: string;
  command: string;
  startedAt: string;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code/signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now, as a crash would; resolves when the process is gone. */
  kill(): Promise<void>;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function killAllNow(): void {
  for (const managed of live) {
    try {
      process.kill(managed.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    removeEntry(managed.pid);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a plain SIGKILL is the only thing that is sure to happen.
  process.on('exit', killAllNow);
  // A terminating signal skips 'exit' handlers. When nobody else handles the signal (a program with its own
  // graceful shutdown calls stopAll() itself), take the children down and die of the same signal.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      killAllNow();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function entryPath(pid: number): string {
  return path.join(registryDir, `${pid}.json`);
}

function removeEntry(pid: number): void {
  rmSync(entryPath(pid), { force: true });
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** File that receives the process's stdout and stderr (useful when a server fails to start). */
  logFile?: string;
}

export function startProcess(options: StartOptions): ManagedProcess {
  installExitHook();
  mkdirSync(registryDir, { recursive: true });
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  const pid = child.pid;
  if (options.logFile) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    // Two sources share one file: neither may end it, or the other's last lines hit a closed stream
    // (ERR_STREAM_WRITE_AFTER_END, an uncaught exception in the owner). It is closed once the child is gone.
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('close', () => log.end());
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  const entry: RegistryEntry = {
    pid,
    ownerPid: process.pid,
    name: options.name,
    command: options.command,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(entryPath(pid), JSON.stringify(entry));

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(managed);
      removeEntry(pid);
      resolve({ code, signal });
    });
  });

  const signalAndWait = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  const managed: ManagedProcess = {
    name: options.name,
    pid,
    child,
    exited,
    stop: (graceMs = 5_000) => signalAndWait('SIGTERM', graceMs),
    kill: () => signalAndWait('SIGKILL', 0),
  };
  live.add(managed);
  return managed;
}

/** Stops every process this Node process started and has not stopped yet. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((managed) => managed.stop()));
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while `pid` runs: alive and not a zombie. A process whose parent died is reparented, and until the new parent
 * reaps it (some container inits do so late, or never) it is a zombie that `isAlive` still sees.
 */
export function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    // /proc/<pid>/stat: "pid (comm) S ...": the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return isAlive(pid);
  }
}

/** True when `pid` still runs the recorded command (guards against killing an unrelated process after pid reuse). */
function runsCommand(pid: number, command: string): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return isAlive(pid);
  try {
    // startsWith, not equality: redis-server rewrites its title to `/usr/bin/redis-server 127.0.0.1:PORT`.
    return readFileSync(cmdline, 'utf8').startsWith(command);
  } catch {
    return false;
  }
}

/**
 * Kills registered processes whose owner is gone (or, with `includeLiveOwners`, every registered process).
 * Returns what it killed, for reporting.
 */
export function reapOrphans(options: { includeLiveOwners?: boolean } = {}): RegistryEntry[] {
  if (!existsSync(registryDir)) return [];
  const reaped: RegistryEntry[] = [];
  for (const file of readdirSync(registryDir)) {
    if (!file.endsWith('.json')) continue;
    let entry: RegistryEntry;
    try {
      entry = JSON.parse(readFileSync(path.join(registryDir, file), 'utf8')) as RegistryEntry;
    } catch {
      rmSync(path.join(registryDir, file), { force: true });
      continue;
    }
    const ownerGone = !isAlive(entry.ownerPid);
    if (!ownerGone && !options.includeLiveOwners) continue;
    if (runsCommand(entry.pid, entry.command)) {
      try {
        process.kill(entry.pid, 'SIGKILL');
        reaped.push(entry);
      } catch {
        // exited in the meantime
      }
    }
    removeEntry(entry.pid);
  }
  return reaped;
}
