/**
 * The worker as a Temporal Worker Deployment version (docs/deploys.md): its identity (deployment name + build id,
 * from `--deployment-name` / `--build-id` or the environment) and the versioning behaviour of the workflows it
 * runs. Without an identity the worker is unversioned, as on servers without Worker Versioning.
 */
import type { WorkerDeploymentOptions } from '@temporalio/worker';

/** One build of the worker within its deployment. */
export interface WorkerDeployment {
  deploymentName: string;
  buildId: string;
}

/**
 * Migrations and plans run for days and continue as new to keep their history bounded, which is the case Temporal
 * advises PINNED plus an upgrade at continue-as-new for: a run never replays on code it did not start on, and
 * moves to the current version at its next continue-as-new (`workflows/upgrade.ts`), which it makes at its next
 * poll once a newer version is current.
 */
export const VERSIONING_BEHAVIOR = 'PINNED';

/** The SDK's options for a worker of `deployment` (an unversioned worker has none). */
export function workerDeploymentOptions(deployment: WorkerDeployment): WorkerDeploymentOptions {
  return {
    useWorkerVersioning: true,
    version: { deploymentName: deployment.deploymentName, buildId: deployment.buildId },
    defaultVersioningBehavior: VERSIONING_BEHAVIOR,
  };
}

/** For the start line and the info metric: `pinned` or `unversioned`. */
export function versioningOf(deployment: WorkerDeployment | undefined): 'pinned' | 'unversioned' {
  return deployment ? 'pinned' : 'unversioned';
}
