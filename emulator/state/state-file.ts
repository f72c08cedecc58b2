import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';

/**
 * One JSON file replaced whole on every change: written to a temp file next to it, fsynced, renamed over it and the
 * directory fsynced. A rename is atomic, so whenever the process dies (SIGKILL at any instruction, or the machine),
 * the file is the previous state or the new one, never a mix; a temp file left by a crash is ignored and removed.
 * A snapshot rather than a journal: the emulator's state is small (tasks, logs, instances) and a snapshot is read
 * back without replay.
 *
 * The file holds instance passwords in plain text, readable by its owner only (mode 0600): a restarted emulator must
 * start the redis-servers with them and resume migrations that log in with them. Encrypting them would need a key
 * stored next to them. The emulator is local: the same passwords are on the redis-servers' command lines, which
 * every local user can read (`ps`), and the data they guard sits in the same data dir. They never reach a log.
 */
export class StateFile {
  private written: string | undefined;
  private queued: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  /** The file's content checked against `schema`, or undefined when there is none. Throws naming the bad field. */
  async read<S extends z.ZodType>(schema: S): Promise<z.output<S> | undefined> {
    await removeTempFiles(this.file);
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new StateFileError(this.file, `is not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      const parts = (issue?.path ?? []).map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`));
      const field = parts.join('').replace(/^\./, '') || '(root)';
      throw new StateFileError(this.file, `field ${field}: ${issue?.message ?? 'invalid'}`);
    }
    this.written = text;
    return result.data;
  }

  /**
   * Writes what `snapshot()` returns when it differs from what was last written. Calls made while a write is
   * queued share it; each resolves after a write that began after the call, so whatever the caller changed
   * before calling is on disk when it resolves.
   */
  save(snapshot: () => unknown): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.last.then(() => {
      this.queued = undefined;
      return this.writeIfChanged(JSON.stringify(snapshot()));
    });
    this.queued = next;
    this.last = next.catch(() => undefined);
    return next;
  }

  private async writeIfChanged(text: string): Promise<void> {
    if (text === this.written) return;
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    // The rename itself is durable once the directory is synced (a power loss otherwise may undo it).
    const dir = await open(path.dirname(this.file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.written = text;
  }
}

/** A state file that cannot be used; the message names the file and what is wrong, never a value in it. */
export class StateFileError extends Error {
  override name = 'StateFileError';
  constructor(file: string, problem: string) {
    const fix = 'fix or remove it (removing it forgets every task and instance)';
    super(`the emulator's state file ${file} ${problem}: ${fix}`);
  }
}

async function removeTempFiles(file: string): Promise<void> {
  const base = path.basename(file);
  let names: string[];
  try {
    names = await readdir(path.dirname(file));
  } catch {
    return;
  }
  const temps = names.filter((name) => name.startsWith(`${base}.`) && name.endsWith('.tmp'));
  await Promise.all(temps.map((name) => rm(path.join(path.dirname(file), name), { force: true })));
}
