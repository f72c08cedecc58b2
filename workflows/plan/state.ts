/**
 * The plan workflow's memory, carried across continue-as-new as its second argument: plain data only, one record
 * per item (where it is, how it ended), the waves, and what operators asked (pause, cancel, cutovers, accepted
 * failures). Every answer the plan gives (status, result) is computed from it (`report.ts`).
 *
 * Add fields only as optional ones: a state written by an older version arrives after a continue-as-new.
 */
import type { ItemOutcome, PlanCutoverRecord, PlanHalt, PlanItemStatus } from '../../common/plan-contract.js';
import type { PlanItemFile } from '../../common/plan-merge.js';
import type { Wave } from '../../common/plan-policy.js';
import type { MigrationPhase } from '../../common/migration-phases.js';

export type ItemRecord = Omit<PlanItemStatus, 'key' | 'workflowId'>;

export interface PlanState {
  /** Items by key, in the order they were listed (the file's, then added ones). */
  items: Record<string, ItemRecord>;
  /** Item keys in order. */
  order: string[];
  /** Items added by the `add` update (the input holds the file's). */
  added: PlanItemFile[];
  waves: Wave[];
  /** The ramp's current concurrency and the goals reached since it last grew; absent without a ramp. */
  ramp?: { limit: number; goalsSinceGrowth: number };
  paused?: { reason: string; at: string };
  cancel?: { reason: string; at: string; items: 'cancel' | 'leave' };
  halted?: PlanHalt;
  /** Failed items whose failure `resume` accepted: they no longer halt the plan (the budget grows by them). */
  accepted: string[];
  /** Cutovers requested through the plan, by group (a wave name, or `plan`). */
  cutovers: Record<string, PlanCutoverRecord>;
  startedAt: string;
  continuedAsNew: number;
}

export function initialPlanState(keys: string[], waves: Wave[], now: Date): PlanState {
  const waveOf = new Map(waves.flatMap((wave) => wave.keys.map((key) => [key, wave.name] as const)));
  return {
    items: Object.fromEntries(
      keys.map((key) => [key, { wave: waveOf.get(key) ?? waves.at(-1)?.name ?? 'all', state: 'pending', attempt: 1 }]),
    ),
    order: [...keys],
    added: [],
    waves,
    accepted: [],
    cutovers: {},
    startedAt: now.toISOString(),
    continuedAsNew: 0,
  };
}

const SUCCESS: readonly ItemOutcome[] = ['succeeded', 'cut-over', 'rolled-back'];
const TERMINAL: Partial<Record<MigrationPhase, ItemOutcome>> = {
  succeeded: 'succeeded',
  'cut-over': 'cut-over',
  'rolled-back': 'rolled-back',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function isSuccess(outcome: ItemOutcome | undefined): boolean {
  return outcome !== undefined && SUCCESS.includes(outcome);
}

/** The outcome a terminal phase means; undefined for a phase the migration passes through. */
export function outcomeOfPhase(phase: MigrationPhase): ItemOutcome | undefined {
  return TERMINAL[phase];
}

/** The item ended. Idempotent: the first end recorded wins (a report and the child's result may both arrive). */
export function endItem(item: ItemRecord, outcome: ItemOutcome, at: string, reason?: string): boolean {
  if (item.state === 'done') return false;
  item.state = 'done';
  item.outcome = outcome;
  item.endedAt = at;
  if (reason !== undefined) item.reason = reason.slice(0, 500);
  else delete item.reason;
  if (isSuccess(outcome)) item.inSync = true;
  return true;
}

/**
 * The full sync's start and end, for the ETA (`eta.ts`): it starts at the first `migrating` and ends when the
 * item leaves `migrating` for anything but a failure; `inSyncAt` is its first `incremental-hold`.
 */
function noteSyncTimes(item: ItemRecord, phase: MigrationPhase, at: string): void {
  if (phase === 'migrating') item.syncStartedAt ??= at;
  else if (
    item.phase === 'migrating' &&
    item.syncStartedAt &&
    !item.syncEndedAt &&
    !outcomeOfPhase(phase)?.match(/failed|cancelled/)
  )
    item.syncEndedAt = at;
  if (phase === 'incremental-hold') item.inSyncAt ??= at;
}

/** The item's migration moved to `phase`: recorded (an end when terminal). True when anything changed. */
export function notePhase(item: ItemRecord, phase: MigrationPhase, at: string, reason?: string): boolean {
  if (item.state === 'done') return false;
  const outcome = outcomeOfPhase(phase);
  noteSyncTimes(item, phase, at);
  item.state = 'running';
  item.phase = phase;
  if (phase === 'incremental-hold') item.inSync = true;
  return outcome ? endItem(item, outcome, at, reason) : true;
}

/** `<plan id>.<key>[.<attempt>]` → key and attempt, or undefined for an id that is not one of this plan's items. */
export function parseItemWorkflowId(planId: string, workflowId: string): { key: string; attempt: number } | undefined {
  if (!workflowId.startsWith(`${planId}.`)) return undefined;
  const [key, attempt, ...rest] = workflowId.slice(planId.length + 1).split('.');
  if (!key || rest.length > 0) return undefined;
  const number = attempt === undefined ? 1 : Number(attempt);
  return Number.isInteger(number) && number >= 2 === (attempt !== undefined) ? { key, attempt: number } : undefined;
}

export function itemsIn(state: PlanState, wave: string | undefined): string[] {
  return wave === undefined ? state.order : state.order.filter((key) => state.items[key]?.wave === wave);
}
