/**
 * The worker's composition root: the migration workflows (from `workflows/index.ts`, or a prebuilt bundle) and
 * the activities built over a DCS client and a secret resolver. Tests and `dcs-migrate worker` both start here.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import {
  createActivities,
  createPlanActivities,
  createSecretResolver,
  mergeActivities,
  SharedStatusWatcher,
  statusWatcherOver,
  type DcsMigrationApi,
  type SecretResolver,
} from '../activities/index.js';
import { DcsTaskId } from '../common/search-attributes.js';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue.js';
import type { Backoff } from '../common/backoff.js';
import { quoteVisibility } from '../common/visibility-query.js';
import { MIGRATION_WORKFLOW_TYPE } from '../common/workflow-contract.js';
import { dcsClientFromEnvironment } from './dcs-from-environment.js';
import { workerDeploymentOptions, type WorkerDeployment } from './deployment.js';
import { workerMetricMeter } from './metrics.js';
import { currentPrebuiltBundle, prebuiltVariantFor } from './prebuilt-workflows.js';
import type { WorkerTracing } from './tracing.js';

/** The file the worker bundles workflow code from (webpack resolves `.js` imports to the `.ts` sources). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface MigrationWorkerOptions extends Omit<
  WorkerOptions,
  'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowsPath'
> {
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
  /**
   * The shared status watcher behind `polling.mode: shared` migrations: a ready one (to read its stats), or
   * settings for the one the worker builds over its DCS client (a round every 5 s, backing off to 60 s while
   * nothing changes, by default).
   */
  statusWatcher?: SharedStatusWatcher | { roundIntervalMs?: number; maxRoundIntervalMs?: number };
  /** Traces of workflows, activities and DCS requests (`worker/tracing.ts`); none when omitted. */
  tracing?: WorkerTracing | undefined;
  /** Run as this Worker Deployment version, its workflows pinned (`worker/deployment.ts`); unversioned when omitted. */
  deployment?: WorkerDeployment | undefined;
}

/**
 * Activity slots: migrations in shared polling mode each hold one while they wait on the watcher (an idle
 * promise, not a thread), so the SDK's default of 100 would cap a worker at 100 waiting migrations.
 */
const DEFAULT_MAX_CONCURRENT_ACTIVITIES = 5_000;

/** Creates (does not run) a worker for migration workflows; run it with `worker.run()` or `worker.runUntil(…)`. */
export async function createMigrationWorker(options: MigrationWorkerOptions): Promise<Worker> {
  const { deployment, ...rest } = options;
  const { connection, namespace, taskQueue, dcs, secrets, backoff, statusWatcher, tracing, ...workerOptions } = rest;
  const dcsApi = dcs ?? dcsClientFromEnvironment();
  const watcher =
    statusWatcher instanceof SharedStatusWatcher
      ? statusWatcher
      : statusWatcherOver(dcsApi, { ...statusWatcher, meter: workerMetricMeter() });
  const ns = namespace ?? 'default';
  // The same data converter as the worker's, so this client's calls encrypt their payloads too.
  const client = new Client({
    connection,
    namespace: ns,
    ...(workerOptions.dataConverter ? { dataConverter: workerOptions.dataConverter } : {}),
  });
  const secretResolver = secrets ?? createSecretResolver();
  const migrationActivities = createActivities({
    dcs: dcsApi,
    statusWatcher: watcher,
    secrets: secretResolver,
    ...(backoff ? { backoff } : {}),
    cancelWorkflow: async (workflowId, runId) => {
      await client.workflow.getHandle(workflowId, runId).cancel();
    },
    findRunningOwners: async (taskId, exceptWorkflowId) => {
      const query =
        `WorkflowType = ${quoteVisibility(MIGRATION_WORKFLOW_TYPE)} AND ExecutionStatus = 'Running' AND ${DcsTaskId.name} = ${quoteVisibility(taskId)}` +
        (exceptWorkflowId ? ` AND WorkflowId != ${quoteVisibility(exceptWorkflowId)}` : '');
      const owners: string[] = [];
      for await (const execution of client.workflow.list({ query, pageSize: 10 })) {
        owners.push(execution.workflowId);
        if (owners.length >= 10) break;
      }
      return owners;
    },
  });
  // The plan workflow's (issue 26): its validation, its items' source sizes (the ETA), and reads of its items'
  // workflows through this client.
  const activities = mergeActivities(
    migrationActivities,
    createPlanActivities({ client, dcs: dcsApi, secrets: secretResolver }),
  );
  // Without a bundle of its own, the worker takes the prebuilt one when it is current (see prebuilt-workflows.ts);
  // not when tracing: the workflow spans need the tracing interceptors bundled in, which the prebuilt ones lack.
  const variant = workerOptions.workflowBundle || tracing ? undefined : prebuiltVariantFor(workerOptions);
  const prebuilt = variant && currentPrebuiltBundle(variant);
  const worker = await Worker.create({
    // In-flight DCS calls are short: let them finish on shutdown rather than cancel them mid-request.
    shutdownGraceTime: '10s',
    // A workflow task sent to a killed worker's cache goes back to the shared queue after this (SDK default 10 s):
    // part of the recovery time after a kill -9. Well above the seconds a live worker takes to pick one up.
    stickyQueueScheduleToStartTimeout: STICKY_SCHEDULE_TO_START_TIMEOUT,
    maxConcurrentActivityTaskExecutions: DEFAULT_MAX_CONCURRENT_ACTIVITIES,
    ...(deployment ? { workerDeploymentOptions: workerDeploymentOptions(deployment) } : {}),
    ...workerOptions,
    connection,
    namespace: ns,
    taskQueue: taskQueue ?? DEFAULT_TASK_QUEUE,
    activities,
    ...(workerOptions.workflowBundle
      ? {}
      : prebuilt
        ? { workflowBundle: { codePath: prebuilt } }
        : { workflowsPath: WORKFLOWS_PATH }),
    // Loaded only when tracing: the SDK costs a second of start-up otherwise spent for nothing.
    ...(tracing ? (await import('./tracing.js')).tracingOptions(workerOptions, tracing) : {}),
  });
  closeWatcherOnShutdown(worker, watcher);
  return worker;
}

/** See the worker option above; the chaos suite's recovery figures measure it (bench/chaos/README.md). */
export const STICKY_SCHEDULE_TO_START_TIMEOUT = '4s';

/**
 * Once the worker starts shutting down, pending watcher waits end as timeouts, so their activities complete at
 * once (the workflows read their tasks on another worker) instead of holding the shutdown for its grace time.
 * The SDK has no shutdown event; its state is checked twice a second.
 */
function closeWatcherOnShutdown(worker: Worker, watcher: SharedStatusWatcher): void {
  const check = setInterval(() => {
    if (worker.getState() === 'INITIALIZED' || worker.getState() === 'RUNNING') return;
    watcher.close();
    clearInterval(check);
  }, 500);
  check.unref();
}
