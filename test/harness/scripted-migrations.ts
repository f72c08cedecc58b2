/**
 * What the time-skipping workflow test files share: one fake DCS (`fake-activities.ts`) and one time-skipping
 * env per file, a run started against its script, and the waits and inputs those tests use. Cancellation reaches
 * Temporal through the env's client, as a worker's does, so a cancelled run closes CANCELLED.
 */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { afterEach } from 'vitest';
import type { MigrationInputFile } from '../../common/migration-input.js';
import { statusQuery } from '../../common/workflow-contract.js';
import type { MigrationPhase, MigrationResult, MigrationStatus } from '../../common/workflow-contract.js';
import { waitFor } from '../../local/wait.js';
import { fakeActivities, type FakeActivities, type RecordedCall, type TaskScript } from './fake-activities.js';
import type { FakeTask } from './fake-task.js';
import { useTimeSkippingEnv, type TimeSkippingEnv, type TimeSkippingEnvOptions } from './time-skipping.js';

/** Polling for runs a test interacts with: between queries, timers run in real time (time skipping is locked). */
export const QUICK_POLLING = { initialInterval: 50, maxInterval: 200, backoffFactor: 1.5 };

/** Polling for runs a test cancels while they wait: a second between reads, so `idle()` finds the run on a timer. */
export const SLOW_POLLING = { initialInterval: 1_000, maxInterval: 1_000, backoffFactor: 1 };

export interface ScriptedRun {
  workflowId: string;
  handle: WorkflowHandleWithFirstExecutionRunId;
  /** The run's recorded activity calls, filled as it runs. */
  calls: RecordedCall[];
  /** The fake DCS's task of the run. */
  task: FakeTask;
  result(): Promise<MigrationResult>;
  status(): Promise<MigrationStatus>;
  /** Waits (real time) until the status query shows `phase`. */
  phase(phase: MigrationPhase): Promise<void>;
  /**
   * Waits until no call of the run has been in flight for a moment, so the run waits on a timer: a cancel then
   * lands there. (The test server fails the workflow task that cancels an activity it has just seen complete,
   * `ACTIVITY_UNKNOWN`, where the real server ignores the request; the run would retry that task forever.)
   */
  idle(): Promise<void>;
}

export interface ScriptedMigrations {
  fake: FakeActivities;
  env(): TimeSkippingEnv;
  /** Starts a migration of `input` against `script` (under `workflowId`, default a fresh one). */
  run(input: MigrationInputFile, script: TaskScript, workflowId?: string): Promise<ScriptedRun>;
}

let counter = 0;

/** How long after the last answer a run counts as waiting on a timer (its polls are further apart: `SLOW_POLLING`). */
const IDLE_MS = 100;

/** Long enough for any answer; a query past it is asked again by the waits. */
const QUERY_DEADLINE_MS = 3_000;

/** The fake and the env for the calling test file (started before its tests, torn down after them). */
export function useScriptedMigrations(prefix: string, options: TimeSkippingEnvOptions = {}): ScriptedMigrations {
  let ts: TimeSkippingEnv | undefined;
  const env = (): TimeSkippingEnv => {
    if (!ts) throw new Error('the time-skipping env is not started yet');
    return ts;
  };
  const fake = fakeActivities({
    cancelWorkflow: async (workflowId, runId) => {
      await env().env.client.workflow.getHandle(workflowId, runId).cancel();
    },
  });
  useTimeSkippingEnv(fake.activities, (started) => (ts = started), options);
  // A run a test left running would keep its timers going, and time could then only skip from one to the next.
  const started: WorkflowHandleWithFirstExecutionRunId[] = [];
  afterEach(async () => {
    for (const handle of started.splice(0)) {
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') await handle.terminate('the test ended');
    }
  });
  return {
    fake,
    env,
    async run(input, script, workflowId = `${prefix}-${counter++}-${Date.now()}`) {
      const calls = fake.script(workflowId, script);
      const handle = await env().start(input, workflowId);
      started.push(handle);
      // With a deadline: the test server leaves a query unanswered when it lands as the run continues as new.
      const { connection } = env().env.client;
      const status = () => connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(statusQuery));
      return {
        workflowId,
        handle,
        calls,
        task: fake.task(workflowId),
        // From the run current now, not the first: the test server sometimes leaves a continued-as-new run's history
        // without its ContinuedAsNew event, and a wait that follows the runs from the first one never ends there.
        result: () => env().env.client.workflow.getHandle(workflowId).result() as Promise<MigrationResult>,
        status,
        phase: async (phase) => {
          await waitFor(`phase ${phase}`, async () => (await status()).phase === phase, 20_000, 20);
        },
        idle: async () => {
          const task = fake.task(workflowId);
          const idle = () => task.inFlight === 0 && Date.now() - task.lastAnsweredAt >= IDLE_MS;
          await waitFor('no call in flight', idle, 20_000, 10);
        },
      };
    },
  };
}

/** An online migration between DCS instances `source` and `target`, passwords named as the fake's worker has them. */
export function onlineInput(method: 'full' | 'incremental', extra: Record<string, unknown> = {}): MigrationInputFile {
  return {
    kind: 'online',
    source: { instanceId: 'source', password: { env: 'SOURCE_REDIS_PASSWORD' } },
    target: { instanceId: 'target', password: { env: 'TARGET_REDIS_PASSWORD' } },
    network: { vpcId: 'vpc-test', subnetId: 'subnet-test', securityGroupId: 'sg-test' },
    method,
    polling: QUICK_POLLING,
    ...extra,
  } as MigrationInputFile;
}

/** The calls of the activities named, in order. */
export function callsNamed(calls: RecordedCall[], ...names: Array<RecordedCall['name']>): RecordedCall[] {
  return calls.filter((call) => names.includes(call.name));
}
