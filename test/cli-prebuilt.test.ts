/**
 * The prebuilt CLI: `--help` and usage errors load nothing but commander, and `bin/dcs-migrate.js` runs the build
 * only while it matches the sources (else the TypeScript sources through tsx), so a test or an operator never runs
 * a stale build. The bin is exercised on a copy of itself in a scratch project, with a stand-in build and sources
 * that say which of the two ran.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../local/tools.js';
import { buildCli } from '../tools/build-cli.js';

const run = promisify(execFile);

type Metafile = Awaited<ReturnType<typeof buildCli>>['metafile'];

/** The npm packages (and node: built-ins) that loading `entry` imports statically, through every chunk it imports. */
function staticPackages(metafile: Metafile, entry: string): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) packages.add(imported.path);
      else visit(imported.path);
    }
  };
  visit(entry);
  return [...packages];
}

describe('the prebuilt CLI', () => {
  it('loads only commander (and Node built-ins) before a command runs: every command implementation is a dynamic import', async () => {
    const { metafile } = await buildCli();
    const entry = Object.keys(metafile.outputs).find((file) => file.endsWith('dist/cli/cli.js'));
    expect(entry).toBeDefined();
    expect(staticPackages(metafile, entry as string).filter((name) => !name.startsWith('node:'))).toEqual([
      'commander',
    ]);
  });

  it("reads status over Temporal's HTTP API without loading the Temporal SDK, gRPC or its protobuf tree", async () => {
    const { metafile } = await buildCli();
    // The chunk holding the HTTP read path, and every chunk and package it imports statically.
    const chunk = Object.entries(metafile.outputs).find(([, output]) =>
      Object.keys(output.inputs).some((input) => input.endsWith('client/status-over-http.ts')),
    );
    expect(chunk).toBeDefined();
    const heavy = staticPackages(metafile, chunk![0]).filter((name) =>
      /^@temporalio\/(client|proto|worker|workflow)|^@grpc\//.test(name),
    );
    expect(heavy).toEqual([]);
  });

  it('answers --help the same from the build as from the sources', async () => {
    const bin = path.join(projectRoot, 'bin', 'dcs-migrate.js');
    const [built, source] = await Promise.all([
      run(process.execPath, [bin, 'status', '--help'], { cwd: projectRoot }),
      run(process.execPath, [bin, 'status', '--help'], {
        cwd: projectRoot,
        env: { ...process.env, DCS_MIGRATE_CLI_FROM_SOURCE: '1' },
      }),
    ]);
    expect(built.stdout).toContain('Usage: dcs-migrate status');
    expect(built.stdout).toBe(source.stdout);
  });
});

describe('bin/dcs-migrate.js', () => {
  let dir: string;
  let input: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-cli-bin-'));
    await mkdir(path.join(dir, 'bin'));
    await mkdir(path.join(dir, 'client'));
    await mkdir(path.join(dir, 'dist', 'cli'), { recursive: true });
    await copyFile(path.join(projectRoot, 'bin', 'dcs-migrate.js'), path.join(dir, 'bin', 'dcs-migrate.js'));
    await symlink(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'));
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(path.join(dir, 'dist', 'cli', 'cli.js'), "console.log('prebuilt');\n");
    // `satisfies` only compiles as TypeScript: proof that this ran through tsx.
    await writeFile(path.join(dir, 'client', 'cli.ts'), "console.log('sources' satisfies string);\n");
    input = path.join(dir, 'client', 'cli.ts');
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function recordBuild(): Promise<void> {
    const info = await stat(input);
    await writeFile(
      path.join(dir, 'dist', 'cli', 'build-info.json'),
      JSON.stringify({ inputs: { 'client/cli.ts': [info.mtimeMs, info.size] } }),
    );
  }

  async function which(env: NodeJS.ProcessEnv = {}): Promise<string> {
    const { stdout } = await run(process.execPath, [path.join(dir, 'bin', 'dcs-migrate.js')], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...env },
    });
    return stdout.trim();
  }

  it('runs the build while every input is as recorded, the sources otherwise', async () => {
    expect(await which()).toBe('sources'); // no build info
    await recordBuild();
    expect(await which()).toBe('prebuilt');
    expect(await which({ DCS_MIGRATE_CLI_FROM_SOURCE: '1' })).toBe('sources');
    // Touched (same content, another mtime), as a checkout or an editor does.
    const later = new Date(Date.now() + 5_000);
    await utimes(input, later, later);
    expect(await which()).toBe('sources');
    await recordBuild();
    expect(await which()).toBe('prebuilt');
    // Edited, mtime put back: the size still tells.
    const { mtime } = await stat(input);
    await writeFile(path.join(dir, 'client', 'cli.ts'), "console.log('sources, edited' satisfies string);\n");
    await utimes(input, mtime, mtime);
    expect(await which()).toBe('sources, edited');
    // An input that is gone.
    await writeFile(
      path.join(dir, 'dist', 'cli', 'build-info.json'),
      JSON.stringify({ inputs: { 'client/gone.ts': [1, 1] } }),
    );
    expect(await which()).toBe('sources, edited');
  });
});
