/**
 * The plan's pace, pure: which items start next (waves, the ramp's canary and growing concurrency,
 * `maxConcurrency`), the failure budget and when it halts the plan, and whether the plan is over. Computed from
 * the state alone, so a continued or resumed run decides the same.
 *
 * An item counts against the concurrency while it runs and has not reached its goal: an incremental migration
 * holding in sync for its cutover no longer copies, and a `together` cutover needs every item of its group there.
 */
import type { PlanHaltCause } from '../../common/migration-metrics.js';
import type { PlanBudget } from '../../common/plan-contract.js';
import type { PlanPolicy } from '../../common/plan-input.js';
import { toleratedFailures } from '../../common/plan-policy.js';
import type { ItemRecord, PlanState } from './state.js';

/** Reached its goal: in sync (incremental) or ended well; or ended otherwise (nothing more to wait for). */
function settled(item: ItemRecord | undefined): boolean {
  return item !== undefined && (item.state === 'done' || item.inSync === true);
}

function itemOf(state: PlanState, key: string): ItemRecord | undefined {
  return state.items[key];
}

export function failedKeys(state: PlanState): string[] {
  return state.order.filter((key) => itemOf(state, key)?.outcome === 'failed');
}

export function budgetOf(policy: PlanPolicy, state: PlanState): PlanBudget {
  const tolerated = toleratedFailures(policy.failureTolerance, state.order.length) + state.accepted.length;
  const failed = failedKeys(state).length;
  return { tolerated, failed, left: tolerated - failed };
}

/** The ramp's canary: the first `ramp.canary` items; empty without a ramp. */
export function canaryKeys(policy: PlanPolicy, state: PlanState): string[] {
  return policy.ramp ? state.order.slice(0, policy.ramp.canary) : [];
}

/** Canary items that failed, their failure not accepted by `plan resume`: one halts the plan whatever the budget. */
function failedCanary(policy: PlanPolicy, state: PlanState): string[] {
  return canaryKeys(policy, state).filter(
    (key) => itemOf(state, key)?.outcome === 'failed' && !state.accepted.includes(key),
  );
}

/** What halts the plan now, in a word (the metrics' `cause` label), or undefined; `haltReason` says it in full. */
export function haltCause(policy: PlanPolicy, state: PlanState): PlanHaltCause | undefined {
  if (failedCanary(policy, state).length > 0) return 'canary';
  return budgetOf(policy, state).left < 0 ? 'budget' : undefined;
}

/** Why the plan halts now, or undefined: a canary item failed, or more items failed than the budget tolerates. */
export function haltReason(policy: PlanPolicy, state: PlanState): string | undefined {
  const canaryFailed = failedCanary(policy, state);
  if (canaryFailed.length > 0) return `canary item ${canaryFailed.join(', ')} failed`;
  const budget = budgetOf(policy, state);
  if (budget.left >= 0) return undefined;
  const keys = failedKeys(state);
  const named = `${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`;
  return `${budget.failed} item(s) failed, more than the ${budget.tolerated} tolerated: ${named}`;
}

/** The first wave whose items have not all reached their goal (earlier waves have); undefined when all have. */
export function activeWave(state: PlanState): number | undefined {
  const index = state.waves.findIndex((wave) => !wave.keys.every((key) => settled(itemOf(state, key))));
  return index < 0 ? undefined : index;
}

/**
 * The ramp's concurrency after the canary: `canary × factor` at first, growing by `factor` each time as many items
 * as the current concurrency reached their goal, never above `maxConcurrency`.
 */
export function rampLimit(policy: Pick<PlanPolicy, 'ramp' | 'maxConcurrency'>, goalsAfterCanary: number): number {
  const ramp = policy.ramp;
  if (!ramp) return policy.maxConcurrency;
  let limit = Math.min(policy.maxConcurrency, Math.ceil(ramp.canary * ramp.factor));
  for (let goals = goalsAfterCanary; goals >= limit && limit < policy.maxConcurrency;) {
    goals -= limit;
    limit = Math.min(policy.maxConcurrency, Math.ceil(limit * ramp.factor));
  }
  return limit;
}

/** How many items may run (not yet at their goal) now, and which may start: the canary only, until it is through. */
function capacity(policy: PlanPolicy, state: PlanState): { limit: number; only?: Set<string> } {
  const canary = canaryKeys(policy, state);
  if (canary.length === 0) return { limit: policy.maxConcurrency };
  const canaryThrough = canary.every((key) => settled(itemOf(state, key)));
  if (!canaryThrough) return { limit: Math.min(canary.length, policy.maxConcurrency), only: new Set(canary) };
  const goals = state.order.slice(canary.length).filter((key) => itemOf(state, key)?.inSync === true).length;
  return { limit: rampLimit(policy, goals) };
}

/** Items running that have not reached their goal: what the concurrency limits. */
export function busyCount(state: PlanState): number {
  return state.order.filter((key) => {
    const item = itemOf(state, key);
    return item?.state === 'running' && item.inSync !== true;
  }).length;
}

/** Items an operator asked to retry (`plan retry`): they start even while the plan is paused or halted. */
function retries(state: PlanState): string[] {
  return state.order.filter((key) => itemOf(state, key)?.state === 'pending' && (itemOf(state, key)?.attempt ?? 1) > 1);
}

/** The items to start now, in order: none while paused, halted or cancelled, but for retries. */
export function nextStarts(policy: PlanPolicy, state: PlanState): string[] {
  if (state.cancel) return [];
  const free = (limit: number) => Math.max(0, limit - busyCount(state));
  if (state.paused || state.halted) return retries(state).slice(0, free(policy.maxConcurrency));
  const wave = activeWave(state);
  if (wave === undefined) return [];
  const { limit, only } = capacity(policy, state);
  const waiting = (state.waves[wave]?.keys ?? []).filter(
    (key) => itemOf(state, key)?.state === 'pending' && (!only || only.has(key)),
  );
  return waiting.slice(0, free(limit));
}

/**
 * Over: nothing runs and nothing is left to start (all ended, or the plan was halted or cancelled); or cancelled
 * leaving its items to run on their own.
 */
export function isOver(state: PlanState): boolean {
  // Cancelled with `items: leave`: the running items go on by themselves.
  if (state.cancel?.items === 'leave') return true;
  const items = state.order.map((key) => itemOf(state, key));
  if (items.some((item) => item?.state === 'running')) return false;
  if (items.every((item) => item?.state === 'done')) return true;
  if (state.cancel) return true;
  return state.halted !== undefined && retries(state).length === 0;
}
