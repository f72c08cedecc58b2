/**
 * Prebuilds the workflow bundles a worker takes when it has none of its own (`worker/prebuilt-workflows.ts`):
 * `npx tsx tools/build-workflow-bundles.ts`. The same `bundleWorkflowCode` the worker would run at start, once
 * per failure converter, and the list of their inputs (the files the workflow code reaches, found by esbuild's
 * resolver, and the SDK versions) with mtime and size, so a worker never takes a bundle of other sources.
 * Skips the work when the bundles are current, unless `--force`.
 */
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import * as esbuild from 'esbuild';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter.js';
import { projectRoot } from '../local/tools.js';
import { WORKFLOWS_PATH } from '../worker/create-worker.js';
import { quietLogger } from './quiet-webpack-logger.js';
import {
  currentPrebuiltBundle,
  PREBUILT_VARIANTS,
  PREBUILT_WORKFLOWS_DIR,
  PREBUILT_WORKFLOWS_INFO,
  type PrebuiltBuildInfo,
  type PrebuiltVariant,
} from '../worker/prebuilt-workflows.js';

/** What goes into a bundle besides the files the workflow code imports: the bundler and the SDK it injects. */
const SDK_INPUTS = [
  'node_modules/@temporalio/worker/package.json',
  'node_modules/@temporalio/workflow/package.json',
  'package-lock.json',
];

export async function buildWorkflowBundles(options: { force?: boolean } = {}): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  const variants = Object.keys(PREBUILT_VARIANTS) as PrebuiltVariant[];
  if (!options.force && variants.every((variant) => currentPrebuiltBundle(variant, PREBUILT_WORKFLOWS_DIR, {})))
    return { built: false, ms: Date.now() - started };
  // Inputs are read before bundling: a file edited while webpack runs makes the bundles stale, not wrong-but-current.
  const inputs = await inputsOf([WORKFLOWS_PATH, FAILURE_CONVERTER_PATH]);
  const failureConverterPaths: Record<PrebuiltVariant, string | undefined> = {
    plain: undefined,
    encodedFailures: FAILURE_CONVERTER_PATH,
  };
  await mkdir(PREBUILT_WORKFLOWS_DIR, { recursive: true });
  for (const variant of variants) {
    const failureConverterPath = failureConverterPaths[variant];
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      ...(failureConverterPath ? { failureConverterPath } : {}),
      logger: quietLogger,
    });
    await writeAtomically(path.join(PREBUILT_WORKFLOWS_DIR, PREBUILT_VARIANTS[variant]), code);
  }
  await writeAtomically(
    path.join(PREBUILT_WORKFLOWS_DIR, PREBUILT_WORKFLOWS_INFO),
    JSON.stringify({ inputs } satisfies PrebuiltBuildInfo, null, 1),
  );
  return { built: true, ms: Date.now() - started };
}

async function inputsOf(entryPoints: string[]): Promise<PrebuiltBuildInfo['inputs']> {
  const result = await esbuild.build({
    absWorkingDir: projectRoot,
    entryPoints,
    bundle: true,
    packages: 'external',
    write: false,
    metafile: true,
    platform: 'node',
    outdir: 'unused',
    logLevel: 'silent',
  });
  const inputs: PrebuiltBuildInfo['inputs'] = {};
  for (const file of [...Object.keys(result.metafile.inputs), ...SDK_INPUTS]) {
    const info = await stat(path.join(projectRoot, file));
    inputs[file] = [info.mtimeMs, info.size];
  }
  return inputs;
}

async function writeAtomically(file: string, contents: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildWorkflowBundles({ force: process.argv.includes('--force') })
    .then(({ built, ms }) => {
      if (!process.argv.includes('--quiet'))
        console.log(
          `workflow bundles: ${path.relative(projectRoot, PREBUILT_WORKFLOWS_DIR)}/ (${built ? `built in ${ms} ms` : 'current'})`,
        );
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
