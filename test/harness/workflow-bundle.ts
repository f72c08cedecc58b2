/** Workflow code prebuilt with the project's own tool, as production workers and the Docker image run it. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../local/tools.js';

/**
 * Writes `dir/<name>` (default `workflow-bundle.js`) with `tools/bundle-workflows.ts`, from `workflows/index.ts` or
 * the `workflowsPath` module (in a child: webpack stays out of this process).
 */
export async function buildWorkflowBundle(dir: string, workflowsPath?: string, name = 'workflow-bundle.js') {
  const file = path.join(dir, name);
  const tool = path.join(projectRoot, 'tools', 'bundle-workflows.ts');
  const args = ['--import', 'tsx', tool, file, ...(workflowsPath ? [workflowsPath] : [])];
  await promisify(execFile)(process.execPath, args, { cwd: projectRoot });
  return file;
}
