/**
 * The files one local stack leaves for the operator's other shells, one set per stack so that two stacks in the
 * same folder never touch each other's: `env-<port>` and `codec-keys-<port>` (named by the stack's Temporal port,
 * which no two running stacks share), and `env`, a symlink to the env file of the first stack still running — so
 * `source .dcs-migrate/env` reaches the default stack and `source .dcs-migrate/env-<port>` any of them.
 *
 * The env file holds secrets (AK/SK, Redis passwords) in plain text on purpose: it is for the operator's own shell,
 * written with mode 0600 like the codec key file, and removed when the stack stops. Each file records the pid of
 * its stack; a file whose stack died without stopping (kill -9) is removed by the next stack that starts here.
 */
import { chmod, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_ENV_FILE = 'env';

export interface StackFilePaths {
  /** This stack's env file, `<dir>/env-<port>`. */
  envFile: string;
  /** This stack's generated codec key file, `<dir>/codec-keys-<port>`. */
  codecKeyFile: string;
  /** `<dir>/env`, the default stack's env file (a symlink). */
  defaultEnvFile: string;
}

export function stackFilePaths(dir: string, temporalPort: number): StackFilePaths {
  return {
    envFile: path.join(dir, `env-${temporalPort}`),
    codecKeyFile: path.join(dir, `codec-keys-${temporalPort}`),
    defaultEnvFile: path.join(dir, DEFAULT_ENV_FILE),
  };
}

/** Writes `text` to a fresh file readable by its owner only (a file left by a dead stack is replaced, not reused). */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  await rm(file, { force: true });
  await writeFile(file, text, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
}

/** The pid line every env file starts with; how a later stack tells a live stack's files from a dead one's. */
export function pidLine(pid = process.pid): string {
  return `dcs-migrate local stack, pid ${pid}`;
}

function ownerPid(text: string): number | undefined {
  const match = /^# dcs-migrate local stack, pid (\d+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ownerOf(file: string): Promise<number | undefined> {
  try {
    return ownerPid(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Removes the env and key files of stacks that died without stopping (their pid is gone). */
export async function removeStaleStackFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = /^env-(\d+)$/.exec(name);
    if (!match) continue;
    const owner = await ownerOf(path.join(dir, name));
    if (owner === undefined || alive(owner)) continue;
    const stale = stackFilePaths(dir, Number(match[1]));
    await rm(stale.envFile, { force: true });
    await rm(stale.codecKeyFile, { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Points `<dir>/env` at this stack's env file unless a live stack holds it already. True when this stack is
 * now the default one. A dangling link, or a file of a dead stack, is taken over.
 */
export async function claimDefaultEnvFile(paths: StackFilePaths): Promise<boolean> {
  const target = path.basename(paths.envFile);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await symlink(target, paths.defaultEnvFile);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await ownerOf(paths.defaultEnvFile);
    if (owner !== undefined && alive(owner)) return false;
    await rm(paths.defaultEnvFile, { force: true });
  }
  return false;
}

/**
 * Removes `<dir>/env` if it still points at this stack's env file (never another stack's), and hands it to another
 * stack still running here, if any, so `source .dcs-migrate/env` keeps working while one runs.
 */
export async function releaseDefaultEnvFile(paths: StackFilePaths): Promise<void> {
  const link = await readlink(paths.defaultEnvFile).catch(() => undefined);
  if (link !== path.basename(paths.envFile)) return;
  await rm(paths.defaultEnvFile, { force: true });
  const dir = path.dirname(paths.defaultEnvFile);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!/^env-\d+$/.test(name) || name === link) continue;
    const owner = await ownerOf(path.join(dir, name));
    if (owner === undefined || !alive(owner)) continue;
    await symlink(name, paths.defaultEnvFile).catch(() => undefined);
    return;
  }
}
