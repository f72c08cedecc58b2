/**
 * The replay gate's engine: histories replayed against one build of the workflow code (`Worker.runReplayHistories`,
 * no server needed), each with a verdict and, when it failed, the first mismatch Core reported. Used by
 * `dcs-migrate replay` (histories from a server or from files) and by `test/replay.test.ts` (the recorded ones).
 */
import type { DataConverter } from '@temporalio/common';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { WORKFLOWS_PATH } from '../create-worker.js';
import { currentPrebuiltBundle, prebuiltVariantFor } from '../prebuilt-workflows.js';
import type { ReplayOutcome, ReplaySubject, ReplayVerdict } from './subject.js';

/** The workflow code replayed: a prebuilt bundle or a workflows module bundled at start, and how to say which. */
export interface WorkflowCode {
  /** The module whose exports are the workflow types (the sources of the bundle, when prebuilt). */
  workflowsPath: string;
  workflowBundle?: string;
  description: string;
}

export interface WorkflowCodeOptions {
  workflowsPath?: string | undefined;
  dataConverter?: DataConverter | undefined;
}

/**
 * The code a worker of this build would run: the prebuilt bundle when it is current for this data converter
 * (`worker/prebuilt-workflows.ts`), else `workflows/index.ts` bundled now. `workflowsPath` replays other code
 * instead (a candidate build's, or a test's deliberately changed copy), always bundled now.
 */
export function workflowCodeFor(options: WorkflowCodeOptions): WorkflowCode {
  const { workflowsPath, dataConverter } = options;
  if (workflowsPath !== undefined) return { workflowsPath, description: `${workflowsPath} (bundled now)` };
  const variant = prebuiltVariantFor(dataConverter ? { dataConverter } : {});
  const bundle = variant && currentPrebuiltBundle(variant);
  const description = bundle ? `${bundle} (prebuilt, current)` : `${WORKFLOWS_PATH} (bundled now)`;
  return { workflowsPath: WORKFLOWS_PATH, ...(bundle ? { workflowBundle: bundle } : {}), description };
}

export interface ReplayOptions {
  code: WorkflowCode;
  /** The workflow types `code` registers (`registeredWorkflowTypes`); a history of another type fails unreplayed. */
  registeredTypes: readonly string[];
  /** The worker's data converter (payload codec, failure converter), so encrypted histories decode. */
  dataConverter?: DataConverter | undefined;
}

export type ReplaySubjects = AsyncIterable<ReplaySubject> | Iterable<ReplaySubject>;

/** Replays `subjects` one by one, in order; resolves with one outcome per subject, in the same order. */
export async function replayHistories(subjects: ReplaySubjects, options: ReplayOptions): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  // The replayer reads the next history only after it has answered for the last, so answers match this queue.
  const pending: ReplaySubject[] = [];
  async function* registered() {
    for await (const subject of subjects) {
      if (options.registeredTypes.includes(subject.workflowType)) {
        pending.push(subject);
        yield { workflowId: subject.workflowId, history: subject.history };
      } else {
        const registered = options.registeredTypes.join(', ');
        const detail = `workflow type ${subject.workflowType} is not registered by this build (it has ${registered})`;
        outcomes.push({ ...identify(subject), verdict: 'failed', detail });
      }
    }
  }
  const { workflowBundle, workflowsPath } = options.code;
  const replayOptions: ReplayWorkerOptions = {
    replayName: 'dcs-migrate-replay',
    ...(workflowBundle ? { workflowBundle: { codePath: workflowBundle } } : { workflowsPath }),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  };
  for await (const result of Worker.runReplayHistories(replayOptions, registered())) {
    const subject = pending.shift()!;
    const { error } = result;
    const detail = error === undefined ? {} : { detail: coreFailureMessage(error.message) };
    outcomes.push({ ...identify(subject), runId: subject.runId ?? result.runId, verdict: verdictOf(error), ...detail });
  }
  return outcomes;
}

function verdictOf(error: Error | undefined): ReplayVerdict {
  if (error === undefined) return 'ok';
  return error instanceof DeterminismViolationError ? 'nondeterministic' : 'failed';
}

function identify(subject: ReplaySubject): Omit<ReplayOutcome, 'verdict'> {
  const { workflowId, runId, workflowType, origin } = subject;
  return { workflowId, ...(runId ? { runId } : {}), workflowType, origin };
}

/**
 * The message of the failure Core completed the workflow task with, out of the replayer's wrapping ("Replay
 * failed with a nondeterminism error. … Details: Workflow activation completion failed: Failure { failure:
 * Some(Failure { message: \"[TMPRL1100] Nondeterminism error: …\", source: …"): that message is the first command
 * that did not match the history. The whole text when it has no such part.
 */
export function coreFailureMessage(message: string): string {
  const quoted = /message: "((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  if (quoted !== undefined) return quoted.replace(/\\n/g, ' ').replace(/\\(.)/g, '$1');
  return message.replace(/^.*?Details: /s, '').trim();
}
