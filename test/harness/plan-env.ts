/**
 * The cheap workflow layer for plans (issue 26): the time-skipping test server (`time-skipping.ts`) with one
 * worker running the real `dcsPlan` and `dcsMigration` code. The items' migrations run on scripted fake activities
 * (`fake-activities.ts`, a script per item workflow id); the plan's own activities are the real ones
 * (`activities/plan-items.ts`), reading the items' workflows through the test server's client.
 */
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { afterAll, beforeAll } from 'vitest';
import { createPlanActivities, mergeActivities } from '../../activities/index.js';
import { buildPlanStartOptions } from '../../common/plan-start-options.js';
import type { PlanInputFile } from '../../common/plan-input.js';
import { validatePlan } from '../../common/plan-input.js';
import { PLAN_WORKFLOW_TYPE, type PlanItemSize, type PlanResult } from '../../common/plan-contract.js';
import { WORKFLOWS_PATH } from '../../worker/create-worker.js';
import type { FakeActivities } from './fake-activities.js';
import { startTimeSkippingServer } from './time-skipping.js';

export interface PlanEnv {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  /** Starts a plan (validated as the CLI does) with the CLI's start options. */
  start(
    plan: PlanInputFile,
    planId: string,
    options?: { historyLimit?: number; startsPerTask?: number },
  ): Promise<WorkflowHandleWithFirstExecutionRunId<() => Promise<PlanResult>>>;
}

function planActivities(env: TestWorkflowEnvironment, { sizeOf }: PlanEnvOptions) {
  const real = createPlanActivities({ client: env.client });
  if (!sizeOf) return real;
  return { ...real, readPlanItemSizes: (inputs: unknown[]) => Promise.resolve(inputs.map(sizeOf)) };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

export interface PlanEnvOptions {
  /**
   * What the items' sources hold, by the merged migration input (the ETA's sizes); the real activity (which reads
   * nothing without DCS: every size unknown) when omitted.
   */
  sizeOf?: (input: unknown) => PlanItemSize | null;
}

/** One server and worker for the calling test file: started before its tests, handed to `use`, torn down after. */
export function usePlanEnv(fake: FakeActivities, use: (env: PlanEnv) => void, options: PlanEnvOptions = {}): void {
  let teardown: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const [env, bundle] = await Promise.all([
      startTimeSkippingServer(),
      bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
    ]);
    const taskQueue = `plans-${process.pid}-${Date.now()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
      activities: mergeActivities(fake.activities, planActivities(env, options)),
      shutdownGraceTime: '1s',
    });
    const running = worker.run();
    teardown = async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
    };
    use({
      env,
      taskQueue,
      start: (plan, planId, options) =>
        env.client.workflow.start(
          PLAN_WORKFLOW_TYPE,
          buildPlanStartOptions({ plan: validatePlan(plan).plan, planId, taskQueue, ...options }),
        ) as Promise<WorkflowHandleWithFirstExecutionRunId<() => Promise<PlanResult>>>,
    });
  }, 120_000);
  afterAll(async () => {
    await teardown?.();
  });
}
