/**
 * Prebuilds the `dcs-migrate` CLI into `dist/cli/` with esbuild, so a command starts without compiling TypeScript
 * (tsx) at run time: `npx tsx tools/build-cli.ts`. `npm ci` runs it (`prepare`), and so do `tools/setup.ts` and the
 * test harness's global setup, so tests spawn a build of the sources as they are.
 *
 * One entry (`client/cli.ts`), code-split: every command's action imports its implementation dynamically, and
 * each of those is a chunk loaded only when that command runs. npm packages stay external (loaded from
 * node_modules as before; the Temporal SDK has a native part and resolves files of its own at run time).
 *
 * `build-info.json` records the mtime and size of every source file in the build. `bin/dcs-migrate.js` runs the
 * build only while they all match, else it runs the sources through tsx: a stale build never runs.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { projectRoot } from '../local/tools.js';

export const CLI_DIST_DIR = path.join(projectRoot, 'dist', 'cli');
/** Read by `bin/dcs-migrate.js`: keep the shape `{ inputs: { [path from the project root]: [mtimeMs, size] } }`. */
export const BUILD_INFO_FILE = 'build-info.json';
/** Files that shape the output without being imported. */
const CONFIG_INPUTS = ['tsconfig.json', 'package.json'];
/** Chunks of earlier builds are removed once this old: a command started on an older build may still load them. */
const OLD_CHUNK_MS = 10 * 60_000;

/**
 * A module that locates files relative to itself (`new URL('../workflows/index.ts', import.meta.url)`) must keep
 * doing so from the chunk it lands in: its `import.meta.url` becomes its source file's URL, relative to the chunk
 * (every output file is directly in `dist/cli/`), so the build still works after the project is moved.
 */
const sourceLocation: esbuild.Plugin = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromChunk = path.relative(CLI_DIST_DIR, args.path).split(path.sep).join('/');
      return {
        contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`),
        loader: 'ts',
      };
    });
  },
};

export interface CliBuild {
  outputs: number;
  inputs: number;
  ms: number;
  /** esbuild's account of the build: which output imports what, statically or dynamically. */
  metafile: esbuild.Metafile;
}

export async function buildCli(): Promise<CliBuild> {
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: projectRoot,
    entryPoints: ['client/cli.ts'],
    outdir: CLI_DIST_DIR,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [sourceLocation],
  });
  const inputs: Record<string, [number, number]> = {};
  for (const file of [...Object.keys(result.metafile.inputs), ...CONFIG_INPUTS]) {
    const info = await stat(path.join(projectRoot, file));
    inputs[file] = [info.mtimeMs, info.size];
  }
  await mkdir(CLI_DIST_DIR, { recursive: true });
  // Written file by file, each atomically (write, then rename), chunks before the entry that imports them and the
  // build info last: a command started meanwhile loads either the old build or the new one, never half of one.
  const entry = path.join(CLI_DIST_DIR, 'cli.js');
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === entry) - Number(b.path === entry));
  for (const file of files) await writeAtomically(file.path, file.contents);
  await writeAtomically(path.join(CLI_DIST_DIR, BUILD_INFO_FILE), JSON.stringify({ inputs }, null, 1));
  await removeOldChunks(new Set(files.map((file) => path.basename(file.path))));
  return {
    outputs: files.length,
    inputs: Object.keys(inputs).length,
    ms: Date.now() - started,
    metafile: result.metafile,
  };
}

async function writeAtomically(file: string, contents: string | Uint8Array): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

async function removeOldChunks(current: Set<string>): Promise<void> {
  for (const name of await readdir(CLI_DIST_DIR)) {
    if (current.has(name) || name === BUILD_INFO_FILE) continue;
    const file = path.join(CLI_DIST_DIR, name);
    const info = await stat(file).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > OLD_CHUNK_MS) await rm(file, { force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildCli()
    .then((build) => {
      if (!process.argv.includes('--quiet')) {
        console.log(
          `dcs-migrate CLI: ${path.relative(projectRoot, CLI_DIST_DIR)}/ (${build.outputs} files from ${build.inputs} inputs, ${build.ms} ms)`,
        );
      }
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
