import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { projectRoot } from '../../local/tools.js';
import { waitFor } from '../../local/wait.js';
import { StateFile } from './state-file.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-state-file-'));
  dirs.push(dir);
  return dir;
}

const counter = z.object({ n: z.number().int(), pad: z.string() });

/** A writer in its own process, saving `{n, pad}` with n counting up as fast as it can, until killed. */
const WRITER = `
import { StateFile } from ${JSON.stringify(path.join(projectRoot, 'emulator/state/state-file.ts'))};
const file = new StateFile(process.argv[2]);
const pad = 'x'.repeat(64 * 1024);
let n = 0;
for (;;) { n++; await file.save(() => ({ n, pad })); if (n === 1) console.log('writing'); }
`;

describe('StateFile', () => {
  it('is always a whole state, the previous or the next, whenever its writer is killed with SIGKILL', async () => {
    const dir = await tempDir();
    // .mts: an ES module wherever it is (top-level await), outside the project's package.json.
    const script = path.join(dir, 'writer.mts');
    await writeFile(script, WRITER);
    const file = path.join(dir, 'state.json');
    const seen: number[] = [];
    for (let round = 0; round < 4; round++) {
      const stdio = ['ignore', 'pipe', 'inherit'] as const;
      const child = spawn(process.execPath, ['--import', 'tsx', script, file], { cwd: projectRoot, stdio: [...stdio] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await waitFor(
        'the writer to start writing',
        async () => {
          if (child.exitCode !== null) throw new Error(`the writer exited with ${child.exitCode}`);
          return out.includes('writing');
        },
        30_000,
        20,
      );
      // A different moment of the write cycle each round (open, write, fsync, rename, dir fsync).
      await new Promise((resolve) => setTimeout(resolve, 37 * (round + 1)));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const state = await new StateFile(file).read(counter);
      expect(state?.pad.length).toBe(64 * 1024);
      seen.push(state!.n);
      // Reading removed the temp file the kill may have left.
      expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    }
    console.log(`  the state file read after each SIGKILL held save number ${seen.join(', ')}`);
    expect(seen.every((n) => n >= 1)).toBe(true);
  });

  it('saves the newest state once for many saves asked for at once, and skips one that changes nothing', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const state = new StateFile(file);
    let value = 0;
    let snapshots = 0;
    const snapshot = () => {
      snapshots++;
      return { n: value, pad: '' };
    };
    const saves = [];
    for (let index = 0; index < 20; index++) {
      value = index;
      saves.push(state.save(snapshot));
    }
    await Promise.all(saves);
    // Asked for before any began: one save, which saw the last value.
    expect(snapshots).toBe(1);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 19, pad: '' });
    // One asked for while another is being written waits for a write of its own.
    const writing = state.save(() => ({ n: 20, pad: '' }));
    await new Promise((resolve) => setImmediate(resolve));
    const after = state.save(() => ({ n: 21, pad: '' }));
    await Promise.all([writing, after]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 21, pad: '' });
    const written = await readFile(file, 'utf8');
    await state.save(() => ({ n: 21, pad: '' }));
    expect(await readFile(file, 'utf8')).toBe(written);
  });

  it('refuses a file that is not JSON, or a field that is wrong, naming the file and the field', async () => {
    const file = path.join(await tempDir(), 'state.json');
    await writeFile(file, '{"n": 1, "pad": ');
    await expect(new StateFile(file).read(counter)).rejects.toThrow(/state\.json is not JSON/);
    await writeFile(file, JSON.stringify({ n: 'secret-looking-value', pad: '' }));
    const error = await new StateFile(file).read(counter).then(
      () => 'read',
      (caught: unknown) => String(caught),
    );
    expect(error).toMatch(/state\.json field n: .*expected number/);
    expect(error).not.toContain('secret-looking-value');
    expect(await new StateFile(path.join(path.dirname(file), 'none.json')).read(counter)).toBeUndefined();
  });
});
