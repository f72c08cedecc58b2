/**
 * The plan's metrics (names and meanings: `PLAN_METRICS` in `common/migration-metrics.ts`), emitted from the plan
 * workflow through its `metricMeter`, as the migration's are (`workflows/metrics.ts`): the SDK drops metric calls
 * made while a workflow replays and they add no commands to history, so no `patched()` is needed and nothing
 * changes what replays.
 *
 * Every series is computed from the plan's state, which continue-as-new carries, and set after each pass of the
 * main loop and once at the end; after a worker restart they reappear with the plan's next change. State sets
 * (`phase`, `cause`, `state`) set every value, 0 for the others, so a value left reads 0 rather than a stale 1.
 *
 * The SDK's gauges refuse negative values (the workflow task fails), so every value is 0 or more: the budget left
 * stops at 0 and the halt is a gauge of its own. A metric that cannot be set is logged, never a plan's failure.
 */
import { log, metricMeter, workflowInfo } from '@temporalio/workflow';
import {
  PLAN_HALT_CAUSES,
  PLAN_ITEM_PHASES,
  PLAN_METRICS as P,
  PLAN_STATES,
  type PlanItemPhase,
  type PlanLabels,
} from '../../common/migration-metrics.js';
import type { PlanPolicy } from '../../common/plan-input.js';
import { planEtaOf } from './plan-eta.js';
import { planStateOf } from './report.js';
import { budgetOf, haltCause } from './schedule.js';
import type { ItemRecord, PlanState } from './state.js';

/** The value of every per-plan series, by metric and label value. */
export interface PlanGaugeValues {
  items: Record<PlanItemPhase, number>;
  failureBudgetLeft: number;
  halted: Record<(typeof PLAN_HALT_CAUSES)[number], number>;
  state: Record<(typeof PLAN_STATES)[number], number>;
}

/** Where an item is, as the `phase` label says it: its migration's phase while it runs, its outcome once done. */
function itemPhaseOf(item: ItemRecord): PlanItemPhase {
  if (item.state === 'pending') return 'pending';
  if (item.state === 'running') return item.phase ?? 'starting';
  return item.outcome ?? 'failed';
}

const oneHot = <K extends string>(keys: readonly K[], current: K | undefined) =>
  Object.fromEntries(keys.map((key) => [key, key === current ? 1 : 0])) as Record<K, number>;

/** Pure: the series' values from the plan's state (`over`: the plan has ended). */
export function planGaugeValues(policy: PlanPolicy, state: PlanState, over: boolean): PlanGaugeValues {
  const items = oneHot(PLAN_ITEM_PHASES, undefined);
  for (const key of state.order) {
    const item = state.items[key];
    if (item) items[itemPhaseOf(item)] += 1;
  }
  // A plan that ended halted keeps its cause at 1: its outcome is `halted` (the alert says so until handled).
  const cause = state.halted ? (haltCause(policy, state) ?? 'budget') : undefined;
  return {
    items,
    failureBudgetLeft: Math.max(0, budgetOf(policy, state).left),
    halted: oneHot(PLAN_HALT_CAUSES, cause),
    state: oneHot(PLAN_STATES, planStateOf(state, over)),
  };
}

/** The predicted end in Unix seconds, or undefined while the plan cannot tell (no item sized yet). */
export function planEtaTimestamp(policy: PlanPolicy, state: PlanState, nowMs: number): number | undefined {
  const endMs = planEtaOf(policy, state, nowMs).eta.predictedEndMs;
  return endMs === undefined ? undefined : Math.round(endMs / 1000);
}

/** When each plan's ETA was last computed (workflow time): a plan woken by every report redoes it every 15 s at most. */
const etaComputedAt = new Map<string, number>();
const ETA_EVERY_MS = 15_000;

/** The ETA when it is due (a timestamp stays true between two computations, as a time left would not). */
function dueEta(planId: string, policy: PlanPolicy, state: PlanState, over: boolean): number | undefined {
  const nowMs = Date.now();
  if (!over && nowMs - (etaComputedAt.get(planId) ?? -Infinity) < ETA_EVERY_MS) return undefined;
  etaComputedAt.set(planId, nowMs);
  return planEtaTimestamp(policy, state, nowMs);
}

/** Sets every per-plan series on this worker (not while replaying: the values were sent when it first ran). */
export function emitPlanMetrics(planId: string, policy: PlanPolicy, state: PlanState, over: boolean): void {
  if (workflowInfo().unsafe.isReplaying) return;
  try {
    // The ETA plays the whole plan forward: not on every pass of a plan of thousands of items.
    setPlanGauges(planId, planGaugeValues(policy, state, over), dueEta(planId, policy, state, over));
  } catch (error) {
    log.warn('plan metrics not set', { error: error instanceof Error ? error.message : String(error) });
  }
}

/** `eta`: the predicted end (Unix seconds), when it was computed this time and the plan can tell. */
function setPlanGauges(planId: string, values: PlanGaugeValues, eta: number | undefined): void {
  const labels: PlanLabels = { plan_id: planId };
  const meter = metricMeter.withTags({ ...labels });
  const gauge = (spec: (typeof P)[keyof typeof P]) => meter.createGauge(spec.name, 'int', spec.unit, spec.help);
  const items = gauge(P.items);
  for (const [phase, count] of Object.entries(values.items)) items.set(count, { phase });
  gauge(P.failureBudgetLeft).set(values.failureBudgetLeft);
  const halted = gauge(P.halted);
  for (const [cause, value] of Object.entries(values.halted)) halted.set(value, { cause });
  const states = gauge(P.state);
  for (const [name, value] of Object.entries(values.state)) states.set(value, { state: name });
  if (eta !== undefined) gauge(P.eta).set(eta);
}
