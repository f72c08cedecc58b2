/**
 * The workflow types a worker registers: the names its `workflowsPath` module exports (the SDK looks a workflow
 * type up among them). Read statically with esbuild's metafile, not by importing the module: workflow code is
 * meant for the sandbox, and this also runs from the prebuilt CLI, which has no TypeScript loader. So a new
 * workflow type exported from `workflows/index.ts` is replayed by `dcs-migrate replay` without a change here.
 */
import path from 'node:path';

/** A workflows module esbuild cannot read; the message names the file. */
export class WorkflowTypesError extends Error {
  override name = 'WorkflowTypesError';
}

export async function registeredWorkflowTypes(workflowsPath: string): Promise<string[]> {
  // esbuild is a dependency of tsx (a dependency of this project) and of the build: present wherever we run.
  const esbuild = await import('esbuild');
  let result: Awaited<ReturnType<typeof esbuild.build<{ metafile: true; write: false }>>>;
  try {
    result = await esbuild.build({
      absWorkingDir: path.dirname(workflowsPath),
      entryPoints: [workflowsPath],
      // Bundled (packages left out), so names re-exported with `export *` are followed to their module.
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'neutral',
      write: false,
      metafile: true,
      outdir: 'unused',
      logLevel: 'silent',
    });
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string }> }).errors?.[0]?.text ?? String(error);
    throw new WorkflowTypesError(`cannot read the workflows of ${workflowsPath}: ${first}`);
  }
  const entry = Object.values(result.metafile.outputs).find((output) => output.entryPoint !== undefined);
  const types = [...(entry?.exports ?? [])].filter((name) => name !== 'default').sort();
  if (types.length === 0) throw new WorkflowTypesError(`${workflowsPath} exports no workflow`);
  return types;
}
