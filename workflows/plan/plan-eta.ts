/**
 * The plan's state as the ETA (`eta.ts`) reads it: each item's wave, where it is, its size and its measured times.
 * Shared by the `planStatus` query and the result.
 */
import type { PlanEta, PlanItemEta } from '../../common/plan-contract.js';
import type { PlanPolicy } from '../../common/plan-input.js';
import { computeEta, priorOf, type EtaItem } from './eta.js';
import { isSuccess, type ItemRecord, type PlanState } from './state.js';

const msOf = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

function etaItem(item: ItemRecord, wave: number): EtaItem {
  const settled = item.state === 'done' || item.inSync === true;
  const fields: Record<string, number | undefined> = {
    startedAtMs: msOf(item.startedAt),
    // Its goal: in sync (incremental), else its end.
    goalAtMs: settled ? msOf(item.inSyncAt ?? item.endedAt) : undefined,
    syncStartedAtMs: msOf(item.syncStartedAt),
    syncEndedAtMs: msOf(item.syncEndedAt),
  };
  return {
    wave,
    state: item.state,
    settled,
    ...(item.state === 'done' && !isSuccess(item.outcome) ? { failed: true } : {}),
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && !Number.isNaN(value))),
    ...(item.size ? { size: item.size } : {}),
  };
}

/** The plan's ETA, and each item's (by key), at `nowMs`. */
export function planEtaOf(
  policy: PlanPolicy,
  state: PlanState,
  nowMs: number,
): { eta: PlanEta; items: Map<string, PlanItemEta> } {
  const waveIndex = new Map(state.waves.map((wave, index) => [wave.name, index]));
  const result = computeEta({
    items: state.order.map((key) => {
      const item = state.items[key]!;
      return etaItem(item, waveIndex.get(item.wave) ?? state.waves.length - 1);
    }),
    maxConcurrency: policy.maxConcurrency,
    ramp: policy.ramp,
    prior: priorOf((policy as Partial<PlanPolicy>).eta),
    startedAtMs: Date.parse(state.startedAt),
    nowMs,
    startsPending: !state.paused && !state.halted && !state.cancel,
  });
  return { eta: result.eta, items: new Map(state.order.map((key, index) => [key, result.items[index]!])) };
}
