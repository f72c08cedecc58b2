/**
 * The `together` cutover, pure: a group (a wave, or the whole plan with `cutover.scope: plan`) is ready once every
 * item of it that has not ended holds in sync (`incremental-hold`); then every one of them is told to cut over at
 * once (each item's own gate and window still apply). Which items are not ready, and why, is what a refused
 * `plan cutover` says.
 */
import { windowState } from '../../common/cutover-window.js';
import type { PlanCutover } from '../../common/plan-input.js';
import type { PlanState } from './state.js';

/** The group an item's cutover belongs to: its wave, or `plan`. */
export function groupNames(cutover: PlanCutover, state: PlanState): string[] {
  return cutover.scope === 'plan' ? ['plan'] : state.waves.map((wave) => wave.name);
}

export function groupKeys(state: PlanState, group: string): string[] {
  return group === 'plan' ? state.order : state.order.filter((key) => state.items[key]?.wave === group);
}

/** Items of the group holding in sync now. */
export function holdingKeys(state: PlanState, keys: string[]): string[] {
  return keys.filter((key) => state.items[key]?.state === 'running' && state.items[key]?.phase === 'incremental-hold');
}

/** `sessions-us (migrating)`, `sessions-ap (not started)`: the items that keep the group from cutting over. */
export function notReady(state: PlanState, keys: string[]): string[] {
  return keys.flatMap((key) => {
    const item = state.items[key];
    if (!item || item.state === 'done') return [];
    if (item.state === 'pending') return [`${key} (not started)`];
    return item.phase === 'incremental-hold' ? [] : [`${key} (${item.phase ?? 'starting'})`];
  });
}

/** Ready: no item of the group keeps it back, and at least one holds in sync. */
export function isReady(state: PlanState, keys: string[]): boolean {
  return notReady(state, keys).length === 0 && holdingKeys(state, keys).length > 0;
}

/** When the plan's cutover window next opens (ms), or undefined when it is open now or there is none. */
export function windowOpensAt(cutover: PlanCutover, nowMs: number): number | undefined {
  if (!cutover.window) return undefined;
  const window = windowState(cutover.window, nowMs);
  return window.open ? undefined : window.opensAt;
}
