/**
 * The plan's handlers: the items' reports, the `planStatus` query, and the operators' pause, resume, cancel,
 * cutover, retry and add. Each records what was asked in the state and wakes the main loop (`plan.ts`), which acts
 * on it; an update is refused (nothing recorded) when it cannot apply, saying why.
 */
import { ApplicationFailure } from '@temporalio/common';
import { log, setHandler } from '@temporalio/workflow';
import { validatePlan } from './activities.js';
import {
  itemReportSignal,
  planAddUpdate,
  planCancelSignal,
  planCutoverUpdate,
  planPauseSignal,
  planResumeSignal,
  planRetryUpdate,
  planStatusQuery,
  PlanFailureType,
  type ItemReport,
  type PlanAddRequest,
  type PlanCutoverRequest,
  type PlanRetryRequest,
} from '../../common/plan-contract.js';
import { itemWorkflowId } from '../../common/plan-merge.js';
import type { PlanContext } from './items.js';
import { planEtaOf } from './plan-eta.js';
import { itemStatus, reportOf } from './report.js';
import { failedKeys, isOver } from './schedule.js';
import { notePhase, parseItemWorkflowId } from './state.js';
import { acceptCutover, checkCutover } from './cutover.js';

const now = () => new Date().toISOString();
const text = (value: unknown, fallback: string) =>
  typeof value === 'string' && value.trim() ? value.trim().slice(0, 500) : fallback;
const reject = (message: string, type: string) => ApplicationFailure.nonRetryable(message, type);

function onReport(ctx: PlanContext, report: ItemReport): void {
  const parsed = parseItemWorkflowId(ctx.planId, report.workflowId);
  const item = parsed ? ctx.state.items[parsed.key] : undefined;
  // A report of an earlier attempt (retried since) or of a workflow that is not this plan's item is ignored.
  if (!parsed || !item || item.attempt !== parsed.attempt) return;
  if (notePhase(item, report.phase, report.at, report.reason)) ctx.touch();
}

function validateRetry(ctx: PlanContext, request: PlanRetryRequest | undefined): void {
  const key = request?.key;
  const item = typeof key === 'string' ? ctx.state.items[key] : undefined;
  if (!item) throw reject(`no item has key "${String(key)}"`, PlanFailureType.RetryRejected);
  if (ctx.state.cancel) throw reject('the plan is cancelled', PlanFailureType.RetryRejected);
  if (item.outcome !== 'failed' && item.outcome !== 'cancelled')
    throw reject(
      `item ${key} is ${item.state === 'done' ? item.outcome : item.state}: only a failed or cancelled item is retried`,
      PlanFailureType.RetryRejected,
    );
}

function retry(ctx: PlanContext, request: PlanRetryRequest) {
  const item = ctx.state.items[request.key]!;
  item.attempt += 1;
  item.state = 'pending';
  for (const field of [
    'outcome',
    'reason',
    'endedAt',
    'inSync',
    'inSyncAt',
    'syncStartedAt',
    'syncEndedAt',
    'phase',
    'startedAt',
  ] as const)
    delete item[field];
  ctx.state.accepted = ctx.state.accepted.filter((key) => key !== request.key);
  ctx.touch();
  return Promise.resolve({
    key: request.key,
    workflowId: itemWorkflowId(ctx.planId, request.key, item.attempt),
    attempt: item.attempt,
  });
}

function validateAdd(ctx: PlanContext, request: PlanAddRequest | undefined): void {
  if (!Array.isArray(request?.items) || request.items.length === 0)
    throw reject('list at least one item to add', PlanFailureType.AddRejected);
  if (ctx.state.cancel) throw reject('the plan is cancelled', PlanFailureType.AddRejected);
  if (request.wave !== undefined && !ctx.state.waves.some((wave) => wave.name === request.wave))
    throw reject(`no wave is named "${request.wave}"`, PlanFailureType.AddRejected);
}

/** Validates the plan with the items added (as a file holding them all would be), then adds them. */
async function add(ctx: PlanContext, request: PlanAddRequest) {
  const wave = request.wave ?? ctx.state.waves.at(-1)!.name;
  const keys = request.items.map((item) => item.key);
  const items = [...ctx.input.plan.items, ...ctx.state.added, ...request.items];
  const waves = ctx.state.waves.map((w) => ({ name: w.name, items: w.name === wave ? [...w.keys, ...keys] : w.keys }));
  try {
    await validatePlan({ ...ctx.input.plan, items, ...(ctx.input.plan.waves ? { waves } : {}) });
  } catch (error) {
    throw reject(error instanceof Error ? error.message : String(error), PlanFailureType.AddRejected);
  }
  if (keys.some((key) => ctx.state.items[key]))
    throw reject('an item with one of these keys was added meanwhile', PlanFailureType.AddRejected);
  ctx.state.added.push(...request.items);
  for (const key of keys) {
    ctx.state.items[key] = { wave, state: 'pending', attempt: 1 };
    ctx.state.order.push(key);
  }
  ctx.state.waves.find((w) => w.name === wave)!.keys.push(...keys);
  ctx.touch();
  return { added: keys, wave };
}

export function setPlanHandlers(ctx: PlanContext): void {
  const { state } = ctx;
  setHandler(itemReportSignal, (report) => onReport(ctx, report), {
    description: "An item's migration reports a phase change.",
  });
  setHandler(
    planStatusQuery,
    (request) => {
      const eta = planEtaOf(ctx.policy, state, Date.now());
      return {
        ...reportOf(ctx.planId, ctx.policy, state, isOver(state), ctx.input.plan.description, eta.eta),
        ...(request?.items
          ? { items: state.order.map((key) => itemStatus(ctx.planId, state, key, eta.items.get(key))) }
          : {}),
      };
    },
    { description: 'Counts by phase, waves, failures, budget left, next step; `{ items: true }` lists every item.' },
  );
  setHandler(planPauseSignal, (request) => {
    state.paused ??= { reason: text(request?.reason, 'paused by an operator'), at: now() };
    ctx.touch();
  });
  setHandler(planResumeSignal, () => {
    delete state.paused;
    // The failures so far are accepted: they no longer count against the budget, and a halt lifts.
    state.accepted = [...new Set([...state.accepted, ...failedKeys(state)])];
    ctx.touch();
  });
  setHandler(planCancelSignal, (request) => {
    if (state.cancel || isOver(state)) return;
    state.cancel = {
      reason: text(request?.reason, 'cancelled by an operator'),
      at: now(),
      items: request?.items === 'leave' ? 'leave' : 'cancel',
    };
    log.info('plan cancel requested', { reason: state.cancel.reason, items: state.cancel.items });
    ctx.touch();
  });
  setHandler(planCutoverUpdate, (request: PlanCutoverRequest) => acceptCutover(ctx, request ?? {}), {
    validator: (request: PlanCutoverRequest | undefined) => void checkCutover(ctx, request ?? {}),
    description:
      '`together`: cut the group over once all its items are in sync (refused, naming them, before); `each`: ' +
      'every item in sync.',
  });
  setHandler(planRetryUpdate, (request: PlanRetryRequest) => retry(ctx, request), {
    validator: (request: PlanRetryRequest | undefined) => validateRetry(ctx, request),
    description: 'Start a failed or cancelled item again, as a new attempt.',
  });
  setHandler(planAddUpdate, (request: PlanAddRequest) => add(ctx, request), {
    validator: (request: PlanAddRequest | undefined) => validateAdd(ctx, request),
    description: 'Add items (validated like the plan file) to a wave, the last one by default.',
  });
}
