/**
 * The plan workflow `dcsPlan` (issue 26): runs a fleet of migrations, each item as a child `dcsMigration`.
 *
 *   validate (local activity) → loop: halt? cancel? → start what the pace allows (waves, ramp, maxConcurrency)
 *     → cutovers (`together`) → wait for a change (an item's report or end, an operator) → … → every item ended
 *
 * Failures count against the budget (`failureTolerance`): one more halts the plan (nothing new starts; running
 * items go on or are cancelled, `onHalt`); a failed canary halts it whatever the budget. The plan continues as new
 * with its state when its history grows long, so it stays bounded at thousands of items; items outlive its runs
 * (ParentClosePolicy ABANDON) and report to whichever run is current.
 */
import {
  CancellationScope,
  condition,
  makeContinueAsNewFunc,
  patched,
  isCancellation,
  log,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { PlanResult, PlanWorkflowInput } from '../../common/plan-contract.js';
import type { PlanPolicy } from '../../common/plan-input.js';
import { wavesOf } from '../../common/plan-policy.js';
import { DcsPlan } from '../../common/search-attributes.js';
import { validatePlan } from './activities.js';
import { driveCutovers } from './cutover.js';
import { setPlanHandlers } from './handlers.js';
import { cancelItems, reconcile, startItems, type PlanContext } from './items.js';
import { emitPlanMetrics } from './metrics.js';
import { planEtaOf } from './plan-eta.js';
import { readItemSizes } from './read-sizes.js';
import { itemStatus, reportOf } from './report.js';
import { haltReason, isOver, nextStarts } from './schedule.js';
import { initialPlanState, type PlanState } from './state.js';
import { Patch } from '../patches.js';
import { continueAsNewVersioning, newVersionCurrent } from '../version-upgrade.js';

/** What a run hands the next one at continue-as-new. */
export interface PlanCarried {
  state: PlanState;
  policy: PlanPolicy;
}

/** Continue as new past this many events: half Temporal's 10,000 warning, so a pass arriving late stays well under. */
const DEFAULT_HISTORY_LIMIT = 5_000;
/** The limit of runs that started before `plan-bounded-tasks`. */
const OLD_HISTORY_LIMIT = 10_000;
/** How often items no handle of this run watches (started by an earlier run) are read, in case a report was lost. */
const RECONCILE_EVERY_MS = 10 * 60_000;
/** Child starts per workflow task (`startBatch`). */
const STARTS_PER_TASK = 100;

const runningKeys = (state: PlanState) => state.order.filter((key) => state.items[key]?.state === 'running');

/** Halts the plan when its budget is spent (cancelling running items under `onHalt: cancel`), or lifts the halt. */
async function checkHalt(ctx: PlanContext): Promise<void> {
  const { state, policy } = ctx;
  const reason = haltReason(policy, state);
  if (!reason) {
    if (state.halted) log.info('plan halt lifted', { was: state.halted.reason });
    delete state.halted;
    return;
  }
  if (state.halted) return;
  state.halted = { reason, at: new Date().toISOString() };
  log.warn('plan halted', { reason, onHalt: policy.onHalt });
  if (policy.onHalt === 'cancel') await cancelItems(ctx, runningKeys(state), `plan ${ctx.planId} halted: ${reason}`);
}

/** History grew past its bound, or a newer worker version is current (the plan moves to it, as migrations do). */
function shouldContinueAsNew(ctx: PlanContext): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || pastHistoryLimit(ctx, info.historyLength) || newVersionCurrent();
}

/** The patch is asked only past the new, lower limit: shorter runs record no marker. */
function pastHistoryLimit(ctx: PlanContext, historyLength: number): boolean {
  if (ctx.input.historyLimit !== undefined) return historyLength >= ctx.input.historyLimit;
  if (historyLength < DEFAULT_HISTORY_LIMIT) return false;
  return historyLength >= OLD_HISTORY_LIMIT || patched(Patch.PlanBoundedTasks);
}

/**
 * The next run carries the plan's progress. Pinned to its version like a migration (docs/deploys.md), a plan
 * moves to the current version only here: `continueAsNewVersioning` upgrades the new run when one is current.
 */
async function continuePlanAsNew(ctx: PlanContext): Promise<never> {
  await condition(allHandlersFinished);
  ctx.state.continuedAsNew += 1;
  const versioning = continueAsNewVersioning();
  const why = versioning ? 'to move to the current worker version' : 'to keep history bounded';
  log.info(`plan continuing as new ${why}`, { historyLength: workflowInfo().historyLength });
  return makeContinueAsNewFunc<typeof dcsPlan>(versioning)(ctx.input, { state: ctx.state, policy: ctx.policy });
}

/**
 * The items one pass starts: at most 100 (`startsPerTask`), so one workflow task never carries a thousand child
 * starts (a 1,000-item wave took 7 s a task on 2 busy cores, past the SDK's 5 s deadlock limit). The rest start on
 * the next passes, one task each. Runs without the patch's marker start the whole wave at once, as they did.
 */
function startBatch(ctx: PlanContext, keys: string[]): string[] {
  const perTask = ctx.input.startsPerTask ?? STARTS_PER_TASK;
  if (keys.length <= perTask || !patched(Patch.PlanBoundedTasks)) return keys;
  return keys.slice(0, perTask);
}

/** One pass: act on what changed. Returns when to wake at the latest (ms), or `again` to pass once more at once. */
async function step(ctx: PlanContext, flags: { cancelSent: boolean }): Promise<number | 'again' | undefined> {
  const { state, policy } = ctx;
  await checkHalt(ctx);
  if (state.cancel && !flags.cancelSent) {
    flags.cancelSent = true;
    if (state.cancel.items === 'cancel')
      await cancelItems(ctx, runningKeys(state), `plan ${ctx.planId} cancelled: ${state.cancel.reason}`);
  }
  if (ctx.toReconcile.size > 0) {
    const keys = [...ctx.toReconcile];
    ctx.toReconcile.clear();
    await reconcile(ctx, keys);
    return 'again';
  }
  const starts = startBatch(ctx, nextStarts(policy, state));
  if (starts.length > 0) {
    await startItems(ctx, starts);
    return 'again';
  }
  return driveCutovers(ctx);
}

/** True when `test` held before `timeoutMs` (forever without one); false at the timeout. */
async function waitForChange(test: () => boolean, timeoutMs: number | undefined): Promise<boolean> {
  if (timeoutMs === undefined) {
    await condition(test);
    return true;
  }
  return condition(test, timeoutMs);
}

async function runLoop(ctx: PlanContext, version: () => number): Promise<void> {
  const flags = { cancelSent: false };
  for (;;) {
    const seen = version();
    const wakeAt = await step(ctx, flags);
    if (wakeAt === 'again') continue;
    emitPlanMetrics(ctx.planId, ctx.policy, ctx.state, isOver(ctx.state));
    if (isOver(ctx.state)) return;
    if (shouldContinueAsNew(ctx)) await continuePlanAsNew(ctx);
    const watching = [...ctx.unwatched].filter((key) => ctx.state.items[key]?.state === 'running');
    const waits = [
      wakeAt === undefined ? undefined : Math.max(1, wakeAt - Date.now()),
      watching.length > 0 ? RECONCILE_EVERY_MS : undefined,
    ];
    const timeout = waits.filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b)[0];
    const changed = await waitForChange(() => version() !== seen, timeout);
    if (!changed && watching.length > 0) await reconcile(ctx, watching);
  }
}

function resultOf(ctx: PlanContext): PlanResult {
  const { state } = ctx;
  const finishedAt = new Date().toISOString();
  for (const key of state.order) {
    const item = state.items[key]!;
    if (item.state === 'pending') Object.assign(item, { state: 'done', outcome: 'not-started' });
  }
  const eta = planEtaOf(ctx.policy, state, Date.parse(finishedAt));
  const report = reportOf(ctx.planId, ctx.policy, state, true, ctx.input.plan.description, eta.eta);
  const outcome = state.cancel ? 'cancelled' : state.halted ? 'halted' : 'completed';
  const items = state.order.map((key) => itemStatus(ctx.planId, state, key, eta.items.get(key)));
  return { ...report, outcome, items, finishedAt };
}

/** Runs the plan `input.plan` (validated first); `carried` is internal: the state handed over by continue-as-new. */
export async function dcsPlan(input: PlanWorkflowInput, carried?: PlanCarried): Promise<PlanResult> {
  const planId = workflowInfo().workflowId;
  const policy = carried?.policy ?? (await validatePlan(input.plan));
  const state =
    carried?.state ??
    initialPlanState(
      input.plan.items.map((item) => item.key),
      wavesOf({ ...policy, items: input.plan.items }),
      new Date(),
    );
  let version = 0;
  const ctx: PlanContext = {
    planId,
    input,
    policy,
    state,
    // Items started by an earlier run: this run has no handle on them; their reports still come here.
    unwatched: new Set(runningKeys(state)),
    toReconcile: new Set(),
    starting: 0,
    closing: [],
    touch: () => {
      version += 1;
    },
  };
  setPlanHandlers(ctx);
  if (workflowInfo().typedSearchAttributes.get(DcsPlan) !== planId)
    upsertSearchAttributes([{ key: DcsPlan, value: planId }]);
  if (!carried) await readItemSizes(ctx);
  try {
    await runLoop(ctx, () => version);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Temporal cancelled the plan: its running items are cancelled too (as `plan cancel` does), then it ends cancelled.
    state.cancel ??= { reason: 'the plan workflow was cancelled', at: new Date().toISOString(), items: 'cancel' };
    await CancellationScope.nonCancellable(() => cancelItems(ctx, runningKeys(state), `plan ${planId} cancelled`));
    emitPlanMetrics(planId, policy, state, true);
    throw error;
  }
  // An item reports its end just before its workflow closes: the plan closes after the items it started.
  if (state.cancel?.items !== 'leave') await Promise.all(ctx.closing);
  await condition(allHandlersFinished);
  const result = resultOf(ctx);
  emitPlanMetrics(planId, policy, state, true);
  return result;
}
