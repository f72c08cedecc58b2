/**
 * Typed fake activities for the time-skipping workflow tests: an object of the real `Activities` type (a changed
 * signature breaks it at compile time), answering from a per-workflow script (`task-script.ts`, looked up by
 * workflow id, so one worker serves every test of a file and continue-as-new keeps its script) through the task's
 * model (`fake-task.ts`), and recording every call with its workflow time (the server's schedule time of the
 * attempt: with time skipping, the virtual clock). What is not DCS runs for real where it needs no server: the
 * input's validation, the reference check and log scrubbing (over the scripted worker environment).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/index.js';
import { createReferenceCheckActivities } from '../../activities/check-references.js';
import { mergeActivities } from '../../activities/merge-activities.js';
import { createSecretResolver, type SecretResolver } from '../../activities/secrets.js';
import { createValidationActivities } from '../../activities/validate-input.js';
import { DCS_OPERATIONS, fails, faultFailure, faultFor, outageFailure } from './fake-faults.js';
import { fakeSwitchActivities } from './fake-switch-activities.js';
import { fakeTaskActivities } from './fake-task-activities.js';
import { FakeTask, type FakeCall, type RecordedCall } from './fake-task.js';
import { DEFAULT_WORKER_ENV, type TaskScript } from './task-script.js';

export type { RecordedCall } from './fake-task.js';
export type { FaultRule, ReadAnswer, TaskScript, TimelineScript, WatchAnswer } from './task-script.js';
export { DEFAULT_WORKER_ENV, logEntry } from './task-script.js';

export interface FakeActivitiesOptions {
  /**
   * How `requestWorkflowCancellation` asks Temporal to cancel a run (the worker does it with its client); without
   * it the call fails as on a worker without a client, and a cancel signal ends the run failed, not CANCELLED.
   */
  cancelWorkflow?: (workflowId: string, runId: string) => Promise<void>;
}

export interface FakeActivities {
  activities: Activities;
  /** Scripts the workflow `workflowId` will run against; returns its call log (filled as the workflow runs). */
  script(workflowId: string, script: TaskScript): RecordedCall[];
  /** The fake DCS's task of the workflow `workflowId`: what was created, stopped, deleted, logged. */
  task(workflowId: string): FakeTask;
}

function notScripted(name: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${name} is not scripted`, 'NotScripted');
}

export function fakeActivities(options: FakeActivitiesOptions = {}): FakeActivities {
  const tasks = new Map<string, FakeTask>();
  const secretsOf = (task: FakeTask): SecretResolver =>
    createSecretResolver({ env: task.script.workerEnv ?? DEFAULT_WORKER_ENV });

  /** Records the call on the calling workflow's task, applies its scripted fault, and answers with `answer`. */
  const call: FakeCall = async (name, args, answer) => {
    const info = activityInfo();
    const workflowId = info.workflowExecution?.workflowId ?? '(none)';
    const task = tasks.get(workflowId);
    if (!task) throw ApplicationFailure.nonRetryable(`no script for workflow ${workflowId}`, 'NotScripted');
    const at = info.currentAttemptScheduledTimestampMs;
    task.calls.push({ name, at, runId: info.workflowExecution?.runId ?? '', args });
    const fault = faultFor(task.script.faults, name, task.callNumber(name));
    const firstDcsCall = task.calls.find((call) => DCS_OPERATIONS[call.name] !== undefined)?.at ?? at;
    const outage = outageFailure(task.script.outage, name, firstDcsCall, at, info.attempt);
    if (outage) throw outage;
    task.inFlight += 1;
    try {
      if (fault?.latencyMs) await sleep(fault.latencyMs);
      if (fault && fails(fault) && !fault.commitThenDrop) throw faultFailure(fault, name, info.attempt);
      const result = await answer(task, at);
      if (fault?.commitThenDrop) throw faultFailure(fault, name, info.attempt);
      // As the real activities report it: the attempt that succeeded (retries show in the workflow's count).
      if (typeof result === 'object' && result !== null && 'attempts' in result)
        Object.assign(result, { attempts: info.attempt });
      return result;
    } finally {
      task.inFlight -= 1;
      task.lastAnsweredAt = Date.now();
    }
  };

  /** What is not a DCS call: the worker's own checks, Temporal, the verify step, webhooks. */
  const workerActivities = {
    verifyData: (settings: Parameters<Activities['verifyData']>[0]) =>
      call('verifyData', [settings], (task) => {
        if (!task.script.verify) throw notScripted('verifyData');
        return { ...task.script.verify, attempts: 1 };
      }),
    async sendNotification(): ReturnType<Activities['sendNotification']> {
      throw notScripted('sendNotification');
    },
    // The real check, over the scripted worker environment: a reference that does not resolve there fails it.
    checkReferences: (input: Parameters<Activities['checkReferences']>[0]) =>
      call('checkReferences', [input], (task) =>
        createReferenceCheckActivities(secretsOf(task)).checkReferences(input),
      ),
    // The pre-flight checks are test/precheck.test.ts's business: here every one passes, and the call is not
    // recorded, so the DCS call sequences the timing tests assert stay as they were.
    async runPrechecks(): ReturnType<Activities['runPrechecks']> {
      return { outcomes: [], attempts: 1 };
    },
    findTaskOwner: (taskId: string) =>
      call('findTaskOwner', [taskId], (task) => {
        const { owner } = task.script;
        return { ...(owner !== undefined ? { owner } : {}), attempts: 1 };
      }),
    requestWorkflowCancellation: (reason: string) =>
      call('requestWorkflowCancellation', [reason], async () => {
        const { workflowExecution } = activityInfo();
        if (!options.cancelWorkflow || !workflowExecution) {
          throw ApplicationFailure.nonRetryable('cancellation is not scripted', 'CancellationUnavailable');
        }
        await options.cancelWorkflow(workflowExecution.workflowId, workflowExecution.runId);
        return { attempts: 1 };
      }),
  };

  // Merged as the worker merges its groups: a name defined twice fails here, and a missing one fails to compile.
  const activities: Activities = mergeActivities(
    createValidationActivities(),
    workerActivities,
    fakeSwitchActivities(call, secretsOf),
    fakeTaskActivities(call, secretsOf),
  );

  return {
    activities,
    script(workflowId, script) {
      const task = new FakeTask(script);
      tasks.set(workflowId, task);
      return task.calls;
    },
    task(workflowId) {
      const task = tasks.get(workflowId);
      if (!task) throw new Error(`no script for workflow ${workflowId}`);
      return task;
    },
  };
}

/** The times of the calls named `name`. */
export function timesOf(calls: RecordedCall[], name: keyof Activities): number[] {
  return calls.filter((call) => call.name === name).map((call) => call.at);
}

/** Differences between successive times. */
export function gapsOf(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - times[index]!);
}

/** The names of the calls, in order. */
export function namesOf(calls: RecordedCall[]): Array<keyof Activities> {
  return calls.map((call) => call.name);
}
