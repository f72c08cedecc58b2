/**
 * Prebuilt workflow bundles in `dist/workflows/` (`tools/build-workflow-bundles.ts`; `npm ci` and the test
 * harness build them), so a worker starts without running webpack over the workflow code (seconds, and hundreds
 * of MiB). A bundle is used only when it is what the worker would bundle at start: built from the workflow
 * sources as they are now (the mtime and size of every input match), with the same failure converter, and the
 * worker asks for nothing else that goes into a bundle (workflow interceptors, bundler options, a payload
 * converter). Otherwise the worker bundles at start, as without a build.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter.js';
import { projectRoot } from '../common/project-root.js';

export const PREBUILT_WORKFLOWS_DIR = path.join(projectRoot, 'dist', 'workflows');
export const PREBUILT_WORKFLOWS_INFO = 'build-info.json';

/** The two bundles: failures as the SDK encodes them by default, or through `FAILURE_CONVERTER_PATH` (codec on). */
export const PREBUILT_VARIANTS = { plain: 'plain.js', encodedFailures: 'encoded-failures.js' } as const;
export type PrebuiltVariant = keyof typeof PREBUILT_VARIANTS;

/** `{ inputs: { [path from the project root]: [mtimeMs, size] } }`, as `bin/dcs-migrate.js` reads the CLI's. */
export interface PrebuiltBuildInfo {
  inputs: Record<string, [number, number]>;
}

/** Which prebuilt bundle matches these worker options, or undefined when only bundling at start does. */
export function prebuiltVariantFor(
  options: Pick<WorkerOptions, 'dataConverter' | 'interceptors' | 'bundlerOptions' | 'plugins'>,
): PrebuiltVariant | undefined {
  if (
    (options.interceptors?.workflowModules?.length ?? 0) > 0 ||
    options.bundlerOptions ||
    (options.plugins?.length ?? 0) > 0
  )
    return undefined;
  if (options.dataConverter?.payloadConverterPath) return undefined;
  const failureConverter = options.dataConverter?.failureConverterPath;
  if (failureConverter === undefined) return 'plain';
  return failureConverter === FAILURE_CONVERTER_PATH ? 'encodedFailures' : undefined;
}

/** Set to 1, the worker bundles at start even when a prebuilt bundle is current (to compare, or to rule it out). */
export const BUNDLE_AT_START_VAR = 'DCS_MIGRATE_BUNDLE_AT_START';

/** The path of the prebuilt bundle `variant` when it is current, else undefined. */
export function currentPrebuiltBundle(
  variant: PrebuiltVariant,
  dir = PREBUILT_WORKFLOWS_DIR,
  env = process.env,
): string | undefined {
  if (env[BUNDLE_AT_START_VAR] === '1') return undefined;
  try {
    const { inputs } = JSON.parse(readFileSync(path.join(dir, PREBUILT_WORKFLOWS_INFO), 'utf8')) as PrebuiltBuildInfo;
    const files = Object.entries(inputs);
    if (files.length === 0) return undefined;
    for (const [file, [mtimeMs, size]] of files) {
      const now = statSync(path.resolve(projectRoot, file));
      if (now.mtimeMs !== mtimeMs || now.size !== size) return undefined;
    }
    const bundle = path.join(dir, PREBUILT_VARIANTS[variant]);
    statSync(bundle);
    return bundle;
  } catch {
    return undefined; // not built, or unreadable: bundle at start
  }
}
