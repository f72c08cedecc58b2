/** Workflow code prebuilt with the project's own tool, as production workers and the Docker image run it. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../local/tools.js';

/** Writes `dir/workflow-bundle.js` with `tools/bundle-workflows.ts` (in a child: webpack stays out of this process). */
export async function buildWorkflowBundle(dir: string): Promise<string> {
  const file = path.join(dir, 'workflow-bundle.js');
  await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'tools', 'bundle-workflows.ts'), file], { cwd: projectRoot });
  return file;
}
