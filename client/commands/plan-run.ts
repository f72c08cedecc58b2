/**
 * What `dcs-migrate plan …` does (the commands are defined in `plan.ts`, which loads this module when one runs).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  PLAN_WORKFLOW_TYPE,
  planAddUpdate,
  planCancelSignal,
  planCutoverUpdate,
  planPauseSignal,
  planResumeSignal,
  planRetryUpdate,
  planStatusQuery,
  type PlanResult,
} from '../../common/plan-contract.js';
import { PLAN_ID } from '../../common/plan-input.js';
import { buildPlanStartOptions } from '../../common/plan-start-options.js';
import { failingChecks } from '../../common/precheck.js';
import { WORKER_ENV } from '../../worker/worker-options.js';
import { CliError, EXIT } from '../exit-codes.js';
import { readInputFile } from '../migration-file.js';
import { printJson, printLines } from '../output.js';
import { loadPlanFile } from '../plan-file.js';
import { checkTable, planEndedBadly, planLines, type ItemChecks, type PlanView } from '../plan-view.js';
import { withTemporal } from '../temporal-client.js';
import type { TemporalFlags } from '../temporal-flags.js';

type PlanFlags = TemporalFlags & { json?: boolean };

/** The plan's status while it runs, its result once completed; exit 2 for an unknown id or no plan. */
async function readPlan(client: Client, id: string, items: boolean): Promise<PlanView> {
  const handle = client.workflow.getHandle(id);
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CliError(`no plan with id "${id}"`, EXIT.USAGE);
    throw error;
  }
  if (description.type !== PLAN_WORKFLOW_TYPE)
    throw new CliError(`"${id}" is a ${description.type} workflow, not a plan`, EXIT.USAGE);
  const execution = description.status.name;
  if (execution === 'COMPLETED') return { ...((await handle.result()) as PlanResult), execution };
  return { ...(await handle.query(planStatusQuery, { items })), execution };
}

async function requireRunning(client: Client, id: string, verb: string): Promise<void> {
  const view = await readPlan(client, id, false);
  if (view.execution !== 'RUNNING')
    throw new CliError(`${verb} refused: plan ${id} is already closed (${view.execution ?? '?'})`, EXIT.USAGE);
}

async function update<T>(id: string, verb: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError)
      throw new CliError(`${verb} refused: ${error.cause?.message ?? error.message}`, EXIT.USAGE);
    if (error instanceof WorkflowNotFoundError)
      throw new CliError(`${verb} refused: plan ${id} is already closed`, EXIT.USAGE);
    throw error;
  }
}

export async function checkPlan(flags: {
  file: string;
  json?: boolean;
  redis: boolean;
  validateOnly?: boolean;
}): Promise<void> {
  const { plan, inputs } = await loadPlanFile(flags.file);
  if (flags.validateOnly) {
    if (flags.json) printJson({ ok: true, items: plan.items.map((item) => item.key) });
    else printLines(`${flags.file}: a valid plan of ${plan.items.length} item(s)`);
    return;
  }
  const { runCliPrechecks } = await import('../prechecks.js');
  const results: ItemChecks[] = [];
  for (const [index, input] of inputs.entries()) {
    const key = plan.items[index]!.key;
    try {
      results.push({ key, outcomes: await runCliPrechecks(input, { redis: flags.redis }) });
    } catch (error) {
      // DCS settings missing from this shell concern every item: say it once.
      if (error instanceof CliError) throw error;
      results.push({ key, outcomes: [], error: error instanceof Error ? error.message : String(error) });
    }
  }
  const failing = results.filter((result) => result.error || failingChecks(result.outcomes).length > 0);
  if (flags.json) printJson({ ok: failing.length === 0, items: results });
  else
    printLines(
      ...checkTable(results),
      '',
      `${results.length} items: ${results.length - failing.length} ready, ${failing.length} with a failing check`,
    );
  if (failing.length > 0) process.exitCode = EXIT.PRECHECK_FAILED;
}

export async function startPlan(
  flags: PlanFlags & { file: string; id?: string; taskQueue?: string; wait?: boolean },
): Promise<void> {
  if (flags.id !== undefined && !PLAN_ID.test(flags.id))
    throw new CliError(`--id: expected 1–100 letters, digits, "_", ":" or "-"; got "${flags.id}"`, EXIT.USAGE);
  if (flags.taskQueue !== undefined && !flags.taskQueue.trim())
    throw new CliError('--task-queue: must not be empty', EXIT.USAGE);
  const { plan } = await loadPlanFile(flags.file);
  const taskQueue = flags.taskQueue ?? (process.env[WORKER_ENV.taskQueue]?.trim() || undefined);
  const options = buildPlanStartOptions({
    plan,
    ...(flags.id ? { planId: flags.id } : {}),
    ...(taskQueue ? { taskQueue } : {}),
  });
  await withTemporal(flags, async ({ client }) => {
    try {
      await client.workflow.start(PLAN_WORKFLOW_TYPE, options);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const existing = await readPlan(client, options.workflowId, false).catch(() => undefined);
      const state =
        existing?.execution === 'RUNNING'
          ? `is running (see dcs-migrate plan status ${options.workflowId})`
          : 'has completed; a completed plan is never started again';
      throw new CliError(`--id: plan "${options.workflowId}" ${state}`, EXIT.USAGE);
    }
    const started = { planId: options.workflowId, items: plan.items.length, taskQueue: options.taskQueue };
    if (!flags.wait) {
      if (flags.json) printJson(started);
      else
        printLines(
          `started plan ${options.workflowId} (${plan.items.length} items)`,
          `  follow it: dcs-migrate plan watch ${options.workflowId}`,
        );
      return;
    }
    (flags.json ? process.stderr : process.stdout).write(
      `started plan ${options.workflowId} (${plan.items.length} items)\n`,
    );
    await follow(client, options.workflowId, flags);
  });
}

export async function showPlan(id: string, flags: PlanFlags & { items?: boolean }): Promise<void> {
  await withTemporal(flags, async ({ client }) => {
    const view = await readPlan(client, id, flags.items ?? false);
    if (flags.json) printJson(view);
    else printLines(...planLines(view, flags.items ?? false));
    if (planEndedBadly(view)) process.exitCode = EXIT.MIGRATION_FAILED;
  });
}

/** Prints a line whenever the plan's counts or next step change, then its final status. */
async function follow(client: Client, id: string, flags: PlanFlags): Promise<void> {
  const out = flags.json ? process.stderr : process.stdout;
  let last = '';
  for (;;) {
    const view = await readPlan(client, id, false);
    const c = view.counts;
    const counts = `${c.running} running (${c.inSync} in sync), ${c.succeeded} succeeded, ${c.failed} failed`;
    // The predicted end to the minute: a new line when it moves, not at every read.
    const end =
      view.eta?.predictedEnd && view.eta.itemsLeft > 0 ? `, end ~${view.eta.predictedEnd.slice(11, 16)}Z` : '';
    const line = `${view.state}: ${counts}, ${c.pending} pending${end} — ${view.next}`;
    if (line !== last) out.write(`${new Date().toISOString()} ${line}\n`);
    last = line;
    if (view.execution !== 'RUNNING') {
      if (flags.json) printJson(view);
      else printLines('', ...planLines(view, true));
      if (planEndedBadly(view)) process.exitCode = EXIT.MIGRATION_FAILED;
      return;
    }
    await sleep(2_000);
  }
}

export async function watchPlan(id: string, flags: PlanFlags): Promise<void> {
  await withTemporal(flags, ({ client }) => follow(client, id, flags));
}

export async function signalPlan(
  id: string,
  flags: PlanFlags,
  which: 'pause' | 'resume' | 'cancel',
  payload: object,
): Promise<void> {
  const signal = { pause: planPauseSignal, resume: planResumeSignal, cancel: planCancelSignal }[which];
  await withTemporal(flags, async ({ client }) => {
    await requireRunning(client, id, which);
    await client.workflow.getHandle(id).signal(signal, payload);
    if (flags.json) printJson({ planId: id, [which]: true, ...payload });
    else printLines(`${which} requested for plan ${id}; follow it with: dcs-migrate plan watch ${id}`);
  });
}

export async function cutoverPlan(id: string, flags: PlanFlags & { wave?: string; note?: string }): Promise<void> {
  const request = { ...(flags.wave ? { wave: flags.wave } : {}), ...(flags.note ? { note: flags.note } : {}) };
  await withTemporal(flags, async ({ client }) => {
    await requireRunning(client, id, 'cutover');
    const answer = await update(id, 'cutover', () =>
      client.workflow.getHandle(id).executeUpdate(planCutoverUpdate, { args: [request] }),
    );
    if (flags.json) printJson({ planId: id, accepted: true, ...answer });
    else
      printLines(
        answer.deferredUntil
          ? `cutover accepted, deferred to the window at ${answer.deferredUntil}: ${answer.items.join(', ')}`
          : `cutover requested for ${answer.items.length} item(s): ${answer.items.join(', ')}`,
      );
  });
}

export async function retryItem(id: string, key: string, flags: PlanFlags): Promise<void> {
  await withTemporal(flags, async ({ client }) => {
    await requireRunning(client, id, 'retry');
    const answer = await update(id, 'retry', () =>
      client.workflow.getHandle(id).executeUpdate(planRetryUpdate, { args: [{ key }] }),
    );
    if (flags.json) printJson({ planId: id, ...answer });
    else printLines(`item ${key} will start again as ${answer.workflowId} (attempt ${answer.attempt})`);
  });
}

export async function addItems(id: string, flags: PlanFlags & { file: string; wave?: string }): Promise<void> {
  const raw = await readInputFile(flags.file, 'holds no items (the file is empty)');
  const items = (raw as { items?: unknown }).items;
  if (!Array.isArray(items) || items.length === 0)
    throw new CliError(`--file ${flags.file}: expected \`items:\`, a list of plan items with a key each`, EXIT.USAGE);
  await withTemporal(flags, async ({ client }) => {
    await requireRunning(client, id, 'add');
    const request = { items, ...(flags.wave ? { wave: flags.wave } : {}) };
    const answer = await update(id, 'add', () =>
      client.workflow.getHandle(id).executeUpdate(planAddUpdate, { args: [request] }),
    );
    if (flags.json) printJson({ planId: id, ...answer });
    else printLines(`added ${answer.added.length} item(s) to wave ${answer.wave}: ${answer.added.join(', ')}`);
  });
}
