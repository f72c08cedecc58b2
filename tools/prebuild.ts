/**
 * Builds what commands run prebuilt: the CLI (`tools/build-cli.ts`, always: under a second) and the workflow
 * bundles (`tools/build-workflow-bundles.ts`, only when stale: webpack takes seconds). Run by `npm ci` (`prepare`),
 * `npm run build` and the test harness's global setup; neither build is required, both are only faster.
 */
import { pathToFileURL } from 'node:url';
import { buildCli } from './build-cli.js';
import { buildWorkflowBundles } from './build-workflow-bundles.js';

export async function prebuild(log: (line: string) => void = () => undefined): Promise<void> {
  const cli = await buildCli();
  log(`prebuilt CLI: dist/cli/ (${cli.outputs} files from ${cli.inputs} inputs, ${cli.ms} ms)`);
  const workflows = await buildWorkflowBundles();
  log(`prebuilt workflow bundles: dist/workflows/ (${workflows.built ? `built in ${workflows.ms} ms` : 'current'})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  prebuild(process.argv.includes('--quiet') ? undefined : (line) => console.log(line)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
