/**
 * What the plan workflow `dcsPlan` promises its callers (issue 26): its type name, its input, the messages it
 * accepts (pause, resume, cutover, cancel, retry, add), its `planStatus` query and its result. Each item runs as
 * its own `dcsMigration` (`common/workflow-contract.ts`), a child with the workflow id `<plan id>.<key>` that
 * reports its phase changes to the plan with {@link itemReportSignal}.
 *
 * Nothing here touches I/O; `define*` from @temporalio/workflow is safe outside a workflow.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MigrationPhase } from './migration-phases.js';
import type { PlanInput } from './plan-input.js';
import type { PlanItemFile } from './plan-merge.js';

/** The registered workflow type (the exported function name in `workflows/index.ts`). */
export const PLAN_WORKFLOW_TYPE = 'dcsPlan';

/** What the plan workflow receives: the validated plan (the CLI's `validatePlan`, or as a file holds it). */
export interface PlanWorkflowInput {
  plan: PlanInput;
  /** Continue as new once the run's history has this many events (default 5,000); tests lower it. */
  historyLimit?: number;
  /** Child starts per workflow task (default 100); tests lower it. */
  startsPerTask?: number;
}

/** How an item ended; `not-started` when the plan ended (halted, cancelled) before starting it. */
export type ItemOutcome = 'succeeded' | 'cut-over' | 'rolled-back' | 'failed' | 'cancelled' | 'not-started';

/**
 * Where an item is: `pending` (not started yet), `running` (its migration runs; `phase` says where), `done`
 * (`outcome` says how it ended).
 */
export type ItemState = 'pending' | 'running' | 'done';

export interface PlanItemStatus {
  key: string;
  /** The item's migration workflow id (`<plan id>.<key>`, `.<attempt>` after a retry). */
  workflowId: string;
  wave: string;
  state: ItemState;
  /** The migration's phase, as it last reported it. */
  phase?: MigrationPhase;
  outcome?: ItemOutcome;
  /** Why it failed or was cancelled. */
  reason?: string;
  /** 1, then one more per `plan retry`. */
  attempt: number;
  /** It reached its goal: in sync (incremental), or done (full, backup import). */
  inSync?: boolean;
  startedAt?: string;
  endedAt?: string;
  /** What the source holds, read before the plan started its items (the ETA's input; absent when unreadable). */
  size?: PlanItemSize;
  /** When the item's full sync began and ended (its `migrating` phase; workflow time of the item). */
  syncStartedAt?: string;
  syncEndedAt?: string;
  /** When it first got in sync (incremental). */
  inSyncAt?: string;
  /** Its ETA (in the `planStatus` query's items list). */
  eta?: PlanItemEta;
}

/** A source's size as read before the start: INFO `used_memory` and the keys of every database (or master). */
export interface PlanItemSize {
  usedMemoryBytes?: number;
  keys?: number;
}

/** An item's ETA: the durations are from its start to its goal (in sync, or done). */
export interface PlanItemEta {
  /** Estimated before anything was measured (the plan's `eta` assumptions). */
  firstEstimateMs: number;
  /** Estimated now, with the rate learned so far. */
  estimateMs: number;
  /** When it is predicted to reach its goal (absent once it has, or when it will not start). */
  predictedGoalAt?: string;
  /** How long it took, once it reached its goal. */
  actualMs?: number;
}

/** The full-sync rate the ETA uses: the plan's assumptions until items finished, then what they measured. */
export interface PlanEtaRate {
  bytesPerSecond: number;
  keysPerSecond: number;
  /** A fixed part of every full sync (the time to notice its end, the machine's start), learned from the items. */
  fixedSyncMs: number;
  /** An item's time outside its full sync (checks, creating the task, the end). */
  overheadMs: number;
  /** Full syncs measured; 0: the plan's assumptions. */
  samples: number;
}

/**
 * When the plan is predicted to end (its last item reaching its goal), revised as items finish; and how far the first
 * estimates were off for the items that finished. Computed by `workflows/plan/eta.ts`.
 */
export interface PlanEta {
  /** Epoch ms when the last item is predicted to reach its goal; absent when nothing is left to predict. */
  predictedEndMs?: number;
  predictedEnd?: string;
  /** From now to the predicted end. */
  remainingMs?: number;
  /** Items that have not reached their goal yet and may still (pending ones only while the plan starts items). */
  itemsLeft: number;
  /** Items whose source size was read. */
  sized: number;
  learnedRate: PlanEtaRate;
  /** The end predicted before anything was measured. */
  firstPredictedEnd?: string;
  /** Items that reached their goal: how far their first estimates were off, in % of the actual duration. */
  firstEstimateErrorPct?: { items: number; medianPct: number; maxPct: number };
}

/**
 * A wave: `waiting` (an earlier wave has not reached its goal), `running`, `in-sync` (every item reached its goal,
 * some still hold for a cutover), `done` (every item ended).
 */
export interface PlanWaveStatus {
  name: string;
  state: 'waiting' | 'running' | 'in-sync' | 'done';
  total: number;
  pending: number;
  running: number;
  inSync: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** A cutover of the wave's items requested through the plan (`together`, or `plan cutover` in `each` mode). */
  cutover?: PlanCutoverRecord;
}

export interface PlanCutoverRecord {
  by: 'operator' | 'auto';
  requestedAt: string;
  note?: string;
  /** When the plan told the items (absent while it waits for the window). */
  signalledAt?: string;
  /** The items told to cut over. */
  items: string[];
  /** While the window is closed: when it opens. */
  deferredUntil?: string;
}

export interface PlanFailure {
  key: string;
  reason: string;
  at: string;
}

export interface PlanBudget {
  /** Failed items the plan tolerates (the file's `failureTolerance`, plus failures accepted by `plan resume`). */
  tolerated: number;
  failed: number;
  /** Failures that may still happen before the plan halts; negative once halted. */
  left: number;
}

export interface PlanHalt {
  reason: string;
  at: string;
}

/** What the `planStatus` query and the result share. */
export interface PlanReport {
  planId: string;
  description?: string;
  /** `running`, `paused` (operator), `halted` (failures beyond the budget), `cancelling`, or how it ended. */
  state: 'running' | 'paused' | 'halted' | 'cancelling' | 'completed' | 'cancelled';
  counts: {
    total: number;
    pending: number;
    running: number;
    inSync: number;
    succeeded: number;
    failed: number;
    cancelled: number;
    notStarted: number;
    /** Running items by migration phase. */
    byPhase: Partial<Record<MigrationPhase, number>>;
  };
  waves: PlanWaveStatus[];
  failures: PlanFailure[];
  budget: PlanBudget;
  halted?: PlanHalt;
  paused?: { reason: string; at: string };
  cancel?: { reason: string; at: string; items: 'cancel' | 'leave' };
  /** A cutover of the whole plan (`cutover.scope: plan`, or `plan cutover` without a wave); waves show their own. */
  cutover?: PlanCutoverRecord;
  /** What happens next, in words. */
  next: string;
  startedAt: string;
  continuedAsNew: number;
  /** The ETA (absent in plans started before it existed, which read no sizes). */
  eta?: PlanEta;
}

export interface PlanStatus extends PlanReport {
  /** Every item (only when the query asks for them: `{ items: true }`). */
  items?: PlanItemStatus[];
}

export interface PlanResult extends PlanReport {
  /** `completed`: every item ended; `halted`: the budget was spent and the running items ended; `cancelled`. */
  outcome: 'completed' | 'halted' | 'cancelled';
  items: PlanItemStatus[];
  finishedAt: string;
}

/** What an item's migration tells its plan at each phase change (`workflows/plan/report-to-plan.ts`). */
export interface ItemReport {
  workflowId: string;
  phase: MigrationPhase;
  /** Workflow time of the item. */
  at: string;
  /** Why it failed or was cancelled (its last error, or the cancel reason). */
  reason?: string;
}

export interface PlanPauseRequest {
  reason?: string;
}
export interface PlanCancelRequest {
  reason?: string;
  /** `cancel` (default) the running items too, or `leave` them running on their own. */
  items?: 'cancel' | 'leave';
}
export interface PlanCutoverRequest {
  /** The wave to cut over (`cutover.scope: wave`); every in-sync item of the plan when omitted. */
  wave?: string;
  note?: string;
}
export interface PlanCutoverAccepted {
  acceptedAt: string;
  /** The items told to cut over now (or once the window opens). */
  items: string[];
  deferredUntil?: string;
}
export interface PlanRetryRequest {
  key: string;
}
export interface PlanRetryAccepted {
  key: string;
  workflowId: string;
  attempt: number;
}
export interface PlanAddRequest {
  /** Items as a plan file holds them (merged with the plan's defaults), validated like the file's. */
  items: PlanItemFile[];
  /** The wave they join; the last one when omitted. */
  wave?: string;
}
export interface PlanAddAccepted {
  added: string[];
  wave: string;
}
export interface PlanStatusRequest {
  items?: boolean;
}

/** Failure types the plan raises (update refusals, an invalid plan). */
export const PlanFailureType = {
  InvalidInput: 'InvalidPlanInput',
  CutoverRejected: 'PlanCutoverRejected',
  RetryRejected: 'PlanRetryRejected',
  AddRejected: 'PlanAddRejected',
} as const;

export const PLAN_STATUS_QUERY_NAME = 'planStatus';

export const itemReportSignal = defineSignal<[ItemReport]>('planItemReport');
/** Start no new item until `resume`; running items go on. */
export const planPauseSignal = defineSignal<[PlanPauseRequest]>('pause');
/** Lift a pause, and a halt: the failures so far are accepted (the budget grows by them). */
export const planResumeSignal = defineSignal<[PlanPauseRequest]>('resume');
/** Stop the plan: nothing new starts; running items are cancelled unless `items: 'leave'`. */
export const planCancelSignal = defineSignal<[PlanCancelRequest]>('cancel');
/**
 * `together`: tell every item of the group to cut over; refused (naming them) while one is not in sync. `each`:
 * tell every item in sync (of the wave, if given) to cut over now.
 */
export const planCutoverUpdate = defineUpdate<PlanCutoverAccepted, [PlanCutoverRequest]>('cutover');
/** Start a failed (or cancelled) item again as a new attempt (`<plan id>.<key>.<attempt>`). */
export const planRetryUpdate = defineUpdate<PlanRetryAccepted, [PlanRetryRequest]>('retry');
/** Add items to a running plan. */
export const planAddUpdate = defineUpdate<PlanAddAccepted, [PlanAddRequest]>('add');
export const planStatusQuery = defineQuery<PlanStatus, [PlanStatusRequest?]>(PLAN_STATUS_QUERY_NAME);
