/**
 * Upgrade on continue-as-new (docs/deploys.md). Versioned workers pin every run to the Worker Deployment version it
 * started on (`worker/deployment.ts`), so a run never replays on code it did not start with. Once another version
 * is current, the server says so on the run's next workflow task (`targetWorkerDeploymentVersionChanged`, read
 * from history, so replay sees what the run saw); the run then continues as new at its next poll, and the new run
 * starts on the current version. Unversioned workers never see the flag.
 */
import { patched, workflowInfo, type ContinueAsNewOptions } from '@temporalio/workflow';
import { Patch } from './patches.js';

/**
 * Whether a newer version is current and this run should move to it. The patch is asked only then, so the runs
 * of an unchanged deployment (and every unversioned one) record no marker.
 */
export function newVersionCurrent(): boolean {
  return workflowInfo().targetWorkerDeploymentVersionChanged && patched(Patch.UpgradeOnContinueAsNew);
}

/**
 * Options of the run's continue-as-new: onto the current version when there is a newer one (`AUTO_UPGRADE` for
 * the first task only; then the worker's default pins the new run there), else the default (the same version).
 */
export function continueAsNewVersioning(): ContinueAsNewOptions | undefined {
  return newVersionCurrent() ? { initialVersioningBehavior: 'AUTO_UPGRADE' } : undefined;
}
