/**
 * Two stacks in one folder keep their own env and key files: the first running one owns `env`, stopping one never
 * removes the other's, `env` passes to a stack still running, and a stack killed without stopping has its files
 * (secrets) removed by the next one. Stacks are simulated by their files and pids (no servers).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderEnvFile, shellQuote, printableExports, type StackEnvEntry } from '../stack/stack-env.js';
import {
  claimDefaultEnvFile,
  pidLine,
  releaseDefaultEnvFile,
  removeStaleStackFiles,
  stackFilePaths,
  writePrivateFile,
} from '../stack/stack-files.js';
import { movedPortsWarning } from '../stack/start-stack.js';

/** A pid that no longer runs: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('per-stack files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-stack-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeStack = async (port: number, pid = process.pid) => {
    const paths = stackFilePaths(dir, port);
    await writePrivateFile(
      paths.envFile,
      renderEnvFile([{ name: 'TEMPORAL_ADDRESS', value: `127.0.0.1:${port}`, secret: false }], [pidLine(pid)]),
    );
    await writePrivateFile(paths.codecKeyFile, 'k:key\n');
    return paths;
  };

  it('the first stack owns env; a second keeps its own files; stopping the second leaves the first alone', async () => {
    const first = await writeStack(7233);
    const second = await writeStack(50123);
    expect(await claimDefaultEnvFile(first)).toBe(true);
    expect(await claimDefaultEnvFile(second)).toBe(false);
    expect(await readlink(first.defaultEnvFile)).toBe('env-7233');
    expect((await stat(second.envFile)).mode & 0o777).toBe(0o600);

    await releaseDefaultEnvFile(second);
    await rm(second.envFile);
    await rm(second.codecKeyFile);
    expect(await readFile(first.defaultEnvFile, 'utf8')).toContain("export TEMPORAL_ADDRESS='127.0.0.1:7233'");
    expect(await readFile(first.codecKeyFile, 'utf8')).toBe('k:key\n');
  });

  it('env passes to a stack still running when the default one stops', async () => {
    const first = await writeStack(7233);
    await writeStack(50123);
    await claimDefaultEnvFile(first);
    await releaseDefaultEnvFile(first);
    await rm(first.envFile);
    expect(await readlink(first.defaultEnvFile)).toBe('env-50123');
  });

  it("a dead stack's files are removed, and its env link taken over", async () => {
    const dead = await writeStack(7233, deadPid());
    await claimDefaultEnvFile(dead);
    const live = await writeStack(50123);
    expect(await removeStaleStackFiles(dir)).toEqual(['env-7233']);
    await expect(stat(dead.codecKeyFile)).rejects.toThrow(/ENOENT/);
    expect(await claimDefaultEnvFile(live)).toBe(true);
    expect(await readlink(live.defaultEnvFile)).toBe('env-50123');
  });

  it('an env file left as a plain file by no running stack is replaced', async () => {
    const live = await writeStack(50123);
    await writeFile(live.defaultEnvFile, 'export OLD=1\n');
    expect(await claimDefaultEnvFile(live)).toBe(true);
  });
});

describe('env file text', () => {
  it('quotes any value for a POSIX shell and prints only non-secrets', () => {
    const tricky = `it's $HOME \`x\` "y" \\`;
    const out = spawnSync('bash', ['-c', `eval "$0"; printf %s "$V"`, `export V=${shellQuote(tricky)}`], {
      encoding: 'utf8',
    });
    expect(out.stdout).toBe(tricky);
    const entries: StackEnvEntry[] = [
      { name: 'TEMPORAL_ADDRESS', value: '127.0.0.1:7233', secret: false },
      { name: 'CLOUD_SDK_SK', value: 'sk-value', secret: true },
    ];
    const { exports, secretNames } = printableExports(entries);
    expect(exports).toEqual(["export TEMPORAL_ADDRESS='127.0.0.1:7233'"]);
    expect(secretNames).toEqual(['CLOUD_SDK_SK']);
    expect(renderEnvFile(entries, ['header'])).toBe(
      "# header\nexport TEMPORAL_ADDRESS='127.0.0.1:7233'\nexport CLOUD_SDK_SK='sk-value'\n",
    );
  });

  it('says loudly which default ports were taken, and what to pass instead', () => {
    const line = movedPortsWarning(
      [
        { what: 'Temporal', wanted: 7233, got: 50123 },
        { what: 'Temporal UI', wanted: 8233, got: 50124 },
      ],
      '127.0.0.1',
      50123,
      '/x/.dcs-migrate/env-50123',
    );
    expect(line).toMatch(
      /^⚠ Temporal port 7233 is taken, this stack uses 50123; Temporal UI port 8233 is taken, this stack uses 50124/,
    );
    expect(line).toContain('--address 127.0.0.1:50123');
    expect(line).toContain('source /x/.dcs-migrate/env-50123');
  });
});
