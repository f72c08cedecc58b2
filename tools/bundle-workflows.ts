/**
 * Pre-bundles the workflow code for production workers: `npx tsx tools/bundle-workflows.ts [out.js]` writes the
 * bundle (default `dist/workflow-bundle.js`); start the worker with `--workflow-bundle <file>` or
 * DCS_MIGRATE_WORKFLOW_BUNDLE=<file> and it skips webpack at start. The Docker image does this at build time.
 * A second argument bundles another workflows module instead (the deploy tests build a second version with it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter.js';
import { projectRoot } from '../local/tools.js';
import { WORKFLOWS_PATH } from '../worker/create-worker.js';
import { quietLogger } from './quiet-webpack-logger.js';

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(projectRoot, 'dist', 'workflow-bundle.js'));
  const started = Date.now();
  // The failure converter must be inside the bundle: with the payload codec on, it encrypts failure messages too.
  // Harmless without a codec (clients decode such failures either way).
  const workflowsPath = process.argv[3] ? path.resolve(process.argv[3]) : WORKFLOWS_PATH;
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietLogger,
  });
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, code);
  console.log(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB, ${Date.now() - started} ms)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
