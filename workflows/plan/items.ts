/**
 * The plan's hands on its items: start each as a child `dcsMigration` (stable id `<plan id>.<key>`, ParentClosePolicy
 * ABANDON so it stays controllable on its own and outlives the plan's runs), learn how it ended (its result while
 * this run started it; its reports, `report-to-plan.ts`; or, when neither can tell, a read of its workflow), and
 * signal it (cancel, cutover). Starting an item that is already there (`WorkflowExecutionAlreadyStarted`: a resumed
 * plan) never starts it twice: the plan reads what became of it instead.
 */
import {
  ChildWorkflowFailure,
  CancelledFailure,
  TerminatedFailure,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { getExternalWorkflowHandle, log, startChild } from '@temporalio/workflow';
import type { ItemSighting } from '../../activities/plan-items.js';
import { describePlanItems } from './activities.js';
import type { MigrationPhase } from '../../common/migration-phases.js';
import type { PlanWorkflowInput } from '../../common/plan-contract.js';
import type { PlanPolicy } from '../../common/plan-input.js';
import { itemWorkflowId, mergeItem, type PlanItemFile } from '../../common/plan-merge.js';
import { DcsPhase, DcsPlan } from '../../common/search-attributes.js';
import {
  cancelSignal,
  cutoverSignal,
  MIGRATION_WORKFLOW_TYPE,
  MIGRATION_PHASES,
  type MigrationResult,
} from '../../common/workflow-contract.js';
import { endItem, notePhase, type PlanState } from './state.js';

/** What the plan's steps share. */
export interface PlanContext {
  readonly planId: string;
  readonly input: PlanWorkflowInput;
  readonly policy: PlanPolicy;
  readonly state: PlanState;
  /** Items whose end no handle of this run will tell: read them now and then (`reconcile`). */
  readonly unwatched: Set<string>;
  /** Items found already started: read them at once. */
  readonly toReconcile: Set<string>;
  /** Starts in flight (continue-as-new waits for them). */
  starting: number;
  /** The results of the items this run started, once recorded: the plan ends only after its items closed. */
  readonly closing: Array<Promise<void>>;
  /** Something changed: the main loop decides again. */
  touch(): void;
}

const now = () => new Date().toISOString();

/** The plan's items as written (the file's and the added ones), by key; built once per run. */
const itemFiles = new WeakMap<PlanContext, Map<string, PlanItemFile>>();

export function itemFileOf(ctx: PlanContext, key: string): PlanItemFile {
  let files = itemFiles.get(ctx);
  if (!files || !files.has(key)) {
    files = new Map([...ctx.input.plan.items, ...ctx.state.added].map((item) => [item.key, item]));
    itemFiles.set(ctx, files);
  }
  const file = files.get(key);
  if (!file) throw new Error(`plan item ${key} is not in the plan`);
  return file;
}

export function workflowIdOf(ctx: PlanContext, key: string): string {
  return itemWorkflowId(ctx.planId, key, ctx.state.items[key]?.attempt ?? 1);
}

/** How a child that this run started ended, from its result or its failure. */
function endOf(error: unknown): { outcome: 'failed' | 'cancelled'; reason: string } {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
  if (cause instanceof CancelledFailure) return { outcome: 'cancelled', reason: cause.message || 'cancelled' };
  if (cause instanceof TerminatedFailure) return { outcome: 'failed', reason: 'the workflow was terminated' };
  return { outcome: 'failed', reason: cause instanceof Error ? cause.message : String(cause) };
}

function ended(
  ctx: PlanContext,
  key: string,
  attempt: number,
  outcome: 'succeeded' | 'cut-over' | 'rolled-back' | 'failed' | 'cancelled',
  reason?: string,
): void {
  const item = ctx.state.items[key];
  if (!item || item.attempt !== attempt) return;
  if (endItem(item, outcome, now(), reason)) ctx.touch();
}

async function startItem(ctx: PlanContext, key: string): Promise<void> {
  const item = ctx.state.items[key]!;
  const attempt = item.attempt;
  const workflowId = itemWorkflowId(ctx.planId, key, attempt);
  Object.assign(item, { state: 'running', startedAt: now(), phase: 'validating' });
  for (const field of ['outcome', 'reason', 'endedAt', 'inSync', 'inSyncAt', 'syncStartedAt', 'syncEndedAt'] as const)
    delete item[field];
  try {
    const handle = await startChild(MIGRATION_WORKFLOW_TYPE, {
      workflowId,
      args: [mergeItem(ctx.input.plan.defaults, itemFileOf(ctx, key))],
      parentClosePolicy: 'ABANDON',
      cancellationType: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: DcsPlan, value: ctx.planId },
        { key: DcsPhase, value: 'validating' },
      ],
      staticSummary: `Plan ${ctx.planId}: item ${key}`,
    });
    ctx.closing.push(
      handle.result().then(
        (result) => ended(ctx, key, attempt, (result as MigrationResult).outcome),
        (error: unknown) => {
          const end = endOf(error);
          ended(ctx, key, attempt, end.outcome, end.reason);
        },
      ),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      log.info('plan item already started: reading what became of it', { key, workflowId });
      ctx.toReconcile.add(key);
    } else {
      endItem(
        item,
        'failed',
        now(),
        `could not start its migration: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** Starts `keys` (all at once: one command each). */
export async function startItems(ctx: PlanContext, keys: string[]): Promise<void> {
  ctx.starting += 1;
  try {
    await Promise.all(keys.map((key) => startItem(ctx, key)));
  } finally {
    ctx.starting -= 1;
    ctx.touch();
  }
}

/** Signals `keys`' migrations; an item that already ended cannot be signalled, which is fine. */
async function signalItems(ctx: PlanContext, keys: string[], send: (id: string) => Promise<void>): Promise<void> {
  await Promise.all(
    keys.map((key) =>
      send(workflowIdOf(ctx, key)).catch((error: unknown) =>
        log.info('plan item not signalled', { key, error: String(error) }),
      ),
    ),
  );
}

export function cancelItems(ctx: PlanContext, keys: string[], reason: string): Promise<void> {
  return signalItems(ctx, keys, (id) => getExternalWorkflowHandle(id).signal(cancelSignal, { reason }));
}

export function cutOverItems(ctx: PlanContext, keys: string[], note: string): Promise<void> {
  return signalItems(ctx, keys, (id) => getExternalWorkflowHandle(id).signal(cutoverSignal, { note }));
}

function applySighting(ctx: PlanContext, key: string, sighting: ItemSighting): void {
  const item = ctx.state.items[key];
  if (!item || item.state === 'done') return;
  if (sighting.state === 'done') {
    endItem(item, sighting.outcome ?? 'failed', now(), sighting.reason);
    ctx.unwatched.delete(key);
  } else if (sighting.state === 'absent') {
    endItem(item, 'failed', now(), 'its migration workflow is gone');
    ctx.unwatched.delete(key);
  } else {
    const phase = MIGRATION_PHASES.find((known) => known === sighting.phase) as MigrationPhase | undefined;
    if (phase) notePhase(item, phase, now());
    ctx.unwatched.add(key);
  }
}

/** Reads the workflows of `keys` and records what became of each. */
export async function reconcile(ctx: PlanContext, keys: string[]): Promise<void> {
  const open = keys.filter((key) => ctx.state.items[key]?.state !== 'done');
  if (open.length === 0) return;
  const sightings = await describePlanItems(open.map((key) => workflowIdOf(ctx, key)));
  sightings.forEach((sighting, index) => applySighting(ctx, open[index]!, sighting));
  ctx.touch();
}
