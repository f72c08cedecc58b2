/**
 * The plan metrics' values (issue 26), pure: what `workflows/plan/metrics.ts` sets on each series from a plan's
 * state. That the series reach Prometheus, and that `DcsMigratePlanHalted` fires on them, is
 * test/monitoring-stack.test.ts's; the rule's shipped thresholds are promtool's (test/monitoring.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { PLAN_ITEM_PHASES } from '../common/migration-metrics.js';
import { parsePlanInput, type PlanPolicy } from '../common/plan-input.js';
import { wavesOf } from '../common/plan-policy.js';
import { planEtaTimestamp, planGaugeValues } from '../workflows/plan/metrics.js';
import { haltReason } from '../workflows/plan/schedule.js';
import { endItem, initialPlanState, notePhase, type PlanState } from '../workflows/plan/state.js';

const KEYS = ['a', 'b', 'c', 'd', 'e'];

function planOf(extra: object): { policy: PlanPolicy; state: PlanState } {
  const {
    defaults: _defaults,
    items,
    ...policy
  } = parsePlanInput({
    defaults: { kind: 'backup_import', backup: { source: 'backup_record', backupId: 'b-1' } },
    items: KEYS.map((key) => ({ key, target: { instanceId: `t-${key}` } })),
    ...extra,
  });
  return { policy, state: initialPlanState(KEYS, wavesOf({ ...policy, items }), new Date(0)) };
}

const at = new Date(0).toISOString();
const nonZero = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).filter(([, v]) => v));

describe('plan metrics', () => {
  it('count items by phase (every phase a series, summing to the items), budget left, no halt', () => {
    const { policy, state } = planOf({ failureTolerance: 1 });
    state.items.b!.state = 'running';
    notePhase(state.items.c!, 'migrating', at);
    notePhase(state.items.d!, 'succeeded', at);
    endItem(state.items.e!, 'failed', at, 'boom');
    const values = planGaugeValues(policy, state, false);
    expect(Object.keys(values.items)).toEqual([...PLAN_ITEM_PHASES]);
    expect(nonZero(values.items)).toEqual({ pending: 1, starting: 1, migrating: 1, succeeded: 1, failed: 1 });
    expect(values.failureBudgetLeft).toBe(0);
    expect(values.halted).toEqual({ canary: 0, budget: 0 });
    expect(nonZero(values.state)).toEqual({ running: 1 });
  });

  it('a halt sets its cause (budget or canary), and stays set when the plan ends halted', () => {
    const { policy, state } = planOf({ failureTolerance: 0 });
    endItem(state.items.c!, 'failed', at, 'boom');
    state.halted = { reason: haltReason(policy, state)!, at };
    const halted = planGaugeValues(policy, state, false);
    expect(halted.halted).toEqual({ canary: 0, budget: 1 });
    // Spent: 0, not -1 (the SDK refuses a negative gauge value, failing the workflow task).
    expect(halted.failureBudgetLeft).toBe(0);
    expect(nonZero(halted.state)).toEqual({ halted: 1 });
    const ended = planGaugeValues(policy, state, true);
    expect(ended.halted).toEqual({ canary: 0, budget: 1 });
    expect(nonZero(ended.state)).toEqual({ completed: 1 });
    const all = [ended.failureBudgetLeft, ...Object.values(ended.items), ...Object.values(ended.halted)];
    expect(all.every((value) => Number.isInteger(value) && value >= 0)).toBe(true);

    const ramp = planOf({ failureTolerance: 3, ramp: { canary: 1, factor: 2 } });
    endItem(ramp.state.items.a!, 'failed', at, 'boom');
    ramp.state.halted = { reason: haltReason(ramp.policy, ramp.state)!, at };
    expect(planGaugeValues(ramp.policy, ramp.state, false).halted).toEqual({ canary: 1, budget: 0 });
    expect(planGaugeValues(ramp.policy, ramp.state, false).failureBudgetLeft).toBe(2);
  });

  it('the ETA is a timestamp (it stays true between two computations) that grows with the sources', () => {
    const { policy, state } = planOf({ maxConcurrency: 2 });
    const startMs = Date.parse(state.startedAt);
    const unsized = planEtaTimestamp(policy, state, startMs)!;
    for (const key of KEYS) state.items[key]!.size = { usedMemoryBytes: 64 * 2 ** 20, keys: 100_000 };
    const eta = planEtaTimestamp(policy, state, startMs)!;
    // 64 MiB sources take longer than the overhead alone.
    expect(eta).toBeGreaterThan(unsized);
    // Five items, two at a time, each some seconds of sync at the default rate: later than now, within a day.
    expect(eta).toBeGreaterThan(startMs / 1000);
    expect(eta).toBeLessThan(startMs / 1000 + 86_400);
    expect(Number.isInteger(eta)).toBe(true);
  });
});
