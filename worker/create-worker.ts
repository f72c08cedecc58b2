/**
 * The worker's composition root: the migration workflows (from `workflows/index.ts`, or a prebuilt bundle) and
 * the activities built over a DCS client and a secret resolver. Tests and `dcs-migrate worker` both start here.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, createSecretResolver, type DcsMigrationApi, type SecretResolver } from '../activities/index.js';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue.js';
import type { Backoff } from '../workflows/retry-policy.js';
import { dcsClientFromEnvironment } from './dcs-from-environment.js';

/** The file the worker bundles workflow code from (webpack resolves `.js` imports to the `.ts` sources). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface MigrationWorkerOptions extends Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowsPath'> {
  connection: NativeConnection;
  namespace?: string;
  /** Defaults to `DEFAULT_TASK_QUEUE` (`dcs-migrate`). */
  taskQueue?: string;
  /** The DCS client; built from the worker's environment (DCS endpoint, AK/SK, project id) when omitted. */
  dcs?: DcsMigrationApi;
  /** Resolves Redis password references; the worker's environment and files by default. */
  secrets?: SecretResolver;
  /** Backoff of retryable DCS failures; shorter in tests. */
  backoff?: Backoff;
}

/** Creates (does not run) a worker for migration workflows; run it with `worker.run()` or `worker.runUntil(…)`. */
export async function createMigrationWorker(options: MigrationWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, dcs, secrets, backoff, ...workerOptions } = options;
  const ns = namespace ?? 'default';
  // The same data converter as the worker's, so this client's calls encrypt their payloads too.
  const client = new Client({ connection, namespace: ns, ...(workerOptions.dataConverter ? { dataConverter: workerOptions.dataConverter } : {}) });
  const activities = createActivities({
    dcs: dcs ?? dcsClientFromEnvironment(),
    secrets: secrets ?? createSecretResolver(),
    ...(backoff ? { backoff } : {}),
    cancelWorkflow: async (workflowId, runId) => {
      await client.workflow.getHandle(workflowId, runId).cancel();
    },
  });
  return Worker.create({
    // In-flight DCS calls are short: let them finish on shutdown rather than cancel them mid-request.
    shutdownGraceTime: '10s',
    ...workerOptions,
    connection,
    namespace: ns,
    taskQueue: taskQueue ?? DEFAULT_TASK_QUEUE,
    activities,
    ...(workerOptions.workflowBundle ? {} : { workflowsPath: WORKFLOWS_PATH }),
  });
}
