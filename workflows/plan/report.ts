/**
 * What the plan reports, built from its state by one function for the `planStatus` query and the result alike:
 * counts (by migration phase too), each wave's state, the failures with their reasons, the budget left, and the
 * next step in words.
 */
import type { MigrationPhase } from '../../common/migration-phases.js';
import type { PlanEta, PlanItemEta, PlanItemStatus, PlanReport, PlanWaveStatus } from '../../common/plan-contract.js';
import type { PlanPolicy } from '../../common/plan-input.js';
import { itemWorkflowId } from '../../common/plan-merge.js';
import { activeWave, budgetOf, busyCount, canaryKeys, nextStarts } from './schedule.js';
import type { ItemRecord, PlanState } from './state.js';
import { groupKeys, isReady, notReady } from './together.js';

type Counts = Omit<PlanReport['counts'], 'byPhase' | 'total'>;

function countOf(items: ItemRecord[], planOver: boolean): Counts {
  const count = (test: (item: ItemRecord) => boolean) => items.filter(test).length;
  return {
    pending: planOver ? 0 : count((item) => item.state === 'pending'),
    running: count((item) => item.state === 'running'),
    inSync: count((item) => item.state === 'running' && item.inSync === true),
    succeeded: count(
      (item) => item.outcome === 'succeeded' || item.outcome === 'cut-over' || item.outcome === 'rolled-back',
    ),
    failed: count((item) => item.outcome === 'failed'),
    cancelled: count((item) => item.outcome === 'cancelled'),
    notStarted: planOver ? count((item) => item.state === 'pending' || item.outcome === 'not-started') : 0,
  };
}

function waveStatus(state: PlanState, index: number, active: number | undefined, over: boolean): PlanWaveStatus {
  const wave = state.waves[index]!;
  const items = wave.keys.map((key) => state.items[key]!);
  const counts = countOf(items, over);
  const done = items.every((item) => item.state === 'done');
  const waveState = done
    ? 'done'
    : active === undefined || index < active
      ? 'in-sync'
      : index === active
        ? 'running'
        : 'waiting';
  const cutover = state.cutovers[wave.name];
  return { name: wave.name, state: waveState, total: items.length, ...counts, ...(cutover ? { cutover } : {}) };
}

export function itemStatus(planId: string, state: PlanState, key: string, eta?: PlanItemEta): PlanItemStatus {
  const item = state.items[key]!;
  return { key, workflowId: itemWorkflowId(planId, key, item.attempt), ...item, ...(eta ? { eta } : {}) };
}

/** The next step, for people: what starts, what it waits for. */
function nextStep(policy: PlanPolicy, state: PlanState, over: boolean): string {
  if (over) return 'nothing: the plan is over';
  const running = state.order.filter((key) => state.items[key]?.state === 'running').length;
  if (state.cancel) return `cancelled: waiting for ${running} running item(s) to end`;
  if (state.halted) {
    const waiting = `waiting for ${running} running item(s); \`plan resume\` accepts the failures and goes on`;
    return `halted (${state.halted.reason}): nothing new starts; ${waiting}`;
  }
  if (state.paused) return `paused (${state.paused.reason}): nothing new starts until \`plan resume\``;
  const starts = nextStarts(policy, state);
  if (starts.length > 0) return `starting ${starts.join(', ')}`;
  const canary = canaryKeys(policy, state).filter(
    (key) => state.items[key]?.inSync !== true && state.items[key]?.state !== 'done',
  );
  if (canary.length > 0) return `waiting for the canary (${canary.join(', ')}) to reach its goal`;
  const together = policy.cutover.mode === 'together' ? waitingCutover(policy, state) : undefined;
  if (together) return together;
  const active = activeWave(state);
  const wave = active === undefined ? undefined : state.waves[active];
  if (wave) return `wave ${wave.name}: ${busyCount(state)} item(s) running, waiting for them to reach their goal`;
  return `waiting for ${running} item(s) in sync to cut over and end`;
}

function waitingCutover(policy: PlanPolicy, state: PlanState): string | undefined {
  const groups = policy.cutover.scope === 'plan' ? ['plan'] : state.waves.map((wave) => wave.name);
  for (const group of groups) {
    const keys = groupKeys(state, group);
    if (state.cutovers[group]?.signalledAt || keys.every((key) => state.items[key]?.state === 'done')) continue;
    const record = state.cutovers[group];
    if (record?.deferredUntil) return `cutover of ${group} deferred to the window at ${record.deferredUntil}`;
    if (isReady(state, keys))
      return policy.cutover.trigger === 'auto'
        ? `cutting over ${group}`
        : `${group} is in sync: waiting for \`plan cutover\``;
    const missing = notReady(state, keys);
    const named = missing.slice(0, 5).join(', ');
    return `${group}: waiting for ${missing.length} item(s) to get in sync before the cutover: ${named}`;
  }
  return undefined;
}

/** The plan's state in one word (the report's `state`, the metrics' state set). */
export function planStateOf(state: PlanState, over: boolean): PlanReport['state'] {
  if (over) return state.cancel ? 'cancelled' : 'completed';
  if (state.cancel) return 'cancelling';
  if (state.halted) return 'halted';
  return state.paused ? 'paused' : 'running';
}

export function reportOf(
  planId: string,
  policy: PlanPolicy,
  state: PlanState,
  over: boolean,
  description?: string,
  eta?: PlanEta,
): PlanReport {
  const items = state.order.map((key) => state.items[key]!);
  const byPhase: Partial<Record<MigrationPhase, number>> = {};
  for (const item of items)
    if (item.state === 'running' && item.phase) byPhase[item.phase] = (byPhase[item.phase] ?? 0) + 1;
  const active = activeWave(state);
  const failures = state.order.flatMap((key) => {
    const item = state.items[key]!;
    return item.outcome === 'failed' ? [{ key, reason: item.reason ?? 'unknown', at: item.endedAt ?? '' }] : [];
  });
  return {
    planId,
    ...(description ? { description } : {}),
    state: planStateOf(state, over),
    counts: { total: items.length, ...countOf(items, over), byPhase },
    waves: state.waves.map((_, index) => waveStatus(state, index, active, over)),
    failures,
    budget: budgetOf(policy, state),
    ...(state.halted ? { halted: state.halted } : {}),
    ...(state.paused ? { paused: state.paused } : {}),
    ...(state.cancel ? { cancel: state.cancel } : {}),
    ...(state.cutovers.plan ? { cutover: state.cutovers.plan } : {}),
    next: nextStep(policy, state, over),
    startedAt: state.startedAt,
    continuedAsNew: state.continuedAsNew,
    ...(eta ? { eta } : {}),
  };
}
