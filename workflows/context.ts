/**
 * What every step of the migration shares: the validated input, the state, and `publish()`, which mirrors the
 * state into the Temporal UI (search attributes when they change, current details on every call).
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { log, setCurrentDetails, upsertSearchAttributes, type CancellationScope } from '@temporalio/workflow';
import type { StatusReading } from '../common/dcs-status.js';
import type { MigrationInput } from '../common/migration-input.js';
import { DcsMigrationType, DcsPhase, DcsRemoteStatus, DcsTaskId } from '../common/search-attributes.js';
import type { MigrationPhase, VerificationResult } from '../common/workflow-contract.js';
import { emitMigrationMetrics, notePhaseChange } from './metrics.js';
import { migrationTypeOf } from './migration-type.js';
import { cutoverStatusOf } from './cutover-policy.js';
import { reverseSyncLine } from '../common/reverse-sync.js';
import type { MigrationState } from './state.js';
import { notifyPhaseChange } from './steps/notify.js';
import { reportToPlan } from './plan/report-to-plan.js';

export interface MigrationContext {
  readonly input: MigrationInput;
  readonly state: MigrationState;
  /** The DCS task name: the input's `taskName`, or derived from the workflow id. */
  readonly taskName: string;
  /** The workflow's root scope: cancelled when Temporal cancels the run. */
  readonly root: CancellationScope;
  /** Search attribute values already upserted in this run. */
  readonly published: { phase: string; taskId: string; remoteStatus: string; migrationType: string };
  /** Polls made in this run (the continue-as-new threshold counts these). */
  pollsThisRun: number;
  /** Waits for running handlers, then continues as new with the same input and the current state. */
  continueAsNew(): Promise<never>;
  /** The verify step's result (`steps/verify.ts`); `verifying` while it runs. */
  verification?: VerificationResult;
  verifying?: boolean;
  /** Shared polling: the watcher failed or is missing, so the next wait is a per-task timer (`steps/next-read.ts`). */
  sharedWatcherUnusable?: boolean;
  /** What the remote status means, classified once per status read (`steps/read-task.ts`, `remoteStatusOf`). */
  statusReading?: StatusReading;
}

export { migrationTypeOf };

/** Moves to `phase`, logs the change, publishes it, (input `notify`) queues its notification and tells its plan, if any. */
export function enterPhase(ctx: MigrationContext, phase: MigrationPhase): void {
  const from = ctx.state.phase;
  if (from !== phase) {
    log.info('migration phase', { from, to: phase, taskId: ctx.state.taskId });
    notePhaseChange(ctx, from);
  }
  ctx.state.phase = phase;
  publish(ctx);
  if (from !== phase) notifyPhaseChange(ctx, from);
  if (from !== phase) reportToPlan(ctx.state);
}

/**
 * Upserts the search attributes that changed (each upsert is a history event, so unchanged values are skipped)
 * and refreshes the current details shown on the workflow page.
 */
export function publish(ctx: MigrationContext): void {
  const { state, published } = ctx;
  const updates: SearchAttributeUpdatePair[] = [];
  const migrationType = migrationTypeOf(ctx.input);
  if (published.migrationType !== migrationType) {
    updates.push({ key: DcsMigrationType, value: migrationType });
    published.migrationType = migrationType;
  }
  if (published.phase !== state.phase) {
    updates.push({ key: DcsPhase, value: state.phase });
    published.phase = state.phase;
  }
  if (state.taskId && published.taskId !== state.taskId) {
    updates.push({ key: DcsTaskId, value: state.taskId });
    published.taskId = state.taskId;
  }
  if (state.remoteStatus && published.remoteStatus !== state.remoteStatus) {
    updates.push({ key: DcsRemoteStatus, value: state.remoteStatus });
    published.remoteStatus = state.remoteStatus;
  }
  if (updates.length > 0) upsertSearchAttributes(updates);
  refreshCurrentDetails(ctx);
  emitMigrationMetrics(ctx);
}

/** The verify step's result once it has ended, for the status and the result. */
export function verificationOf(ctx: MigrationContext | undefined): VerificationResult | undefined {
  return ctx?.verifying ? undefined : ctx?.verification;
}

/** Refreshes only the current details (not a command: safe from a handler, and on replay). */
export function refreshCurrentDetails(ctx: MigrationContext): void {
  setCurrentDetails(currentDetails(ctx));
}

function currentDetails(ctx: MigrationContext): string {
  const { state, taskName, verification, verifying } = ctx;
  const lines = [`**Phase:** ${state.phase}`, `**Task:** ${taskName}${state.taskId ? ` (${state.taskId})` : ''}`];
  if (state.remoteStatus) lines.push(`**Remote status:** ${state.remoteStatus}`);
  const progress = state.progress;
  if (progress?.fullMigrationProgress !== undefined) lines.push(`**Full sync:** ${progress.fullMigrationProgress}%`);
  if (progress?.offset !== undefined) lines.push(`**Sync offset:** ${progress.offset}`);
  if (progress?.sourceDbSize !== undefined)
    lines.push(`**Keys:** source ${progress.sourceDbSize}, target ${progress.targetDbSize ?? '?'}`);
  const cutover = state.phase === 'incremental-hold' ? cutoverLine(ctx) : undefined;
  if (cutover) lines.push(`**Cutover:** ${cutover}`);
  const reverse = state.switch?.reverse;
  if (reverse && (state.phase === 'switched' || state.phase === 'rolling-back')) {
    lines.push(`**Reverse sync:** ${reverseSyncLine(reverse, Date.now())}`);
  }
  lines.push(`**Polls:** ${state.polls} · **API calls:** ${Object.values(state.apiCalls).reduce((a, b) => a + b, 0)}`);
  if (state.lastError) lines.push(`**Last error:** ${state.lastError.type}: ${state.lastError.message}`);
  if (verifying) lines.push(`**Verification:** running (${verification?.mode ?? 'full'})`);
  else if (verification) lines.push(`**Verification:** ${verificationLine(verification)}`);
  return lines.join('\n');
}

/** `auto · gate 1/3 (offset 12) · window 02:00–04:00 Asia/Shanghai closed · waiting for …`. */
function cutoverLine(ctx: MigrationContext): string | undefined {
  const status = cutoverStatusOf(ctx.input, ctx.state, Date.now());
  if (!status) return undefined;
  const parts: string[] = [status.mode + (status.requested ? ', requested' : '')];
  if (status.gate)
    parts.push(
      `gate ${status.gate.reads}/${status.gate.consecutiveReads} reads at offset ≤ ${status.gate.maxOffset}${status.gate.lastOffset !== undefined ? ` (last ${status.gate.lastOffset})` : ''}`,
    );
  if (status.window) parts.push(`window ${status.window.description} ${status.window.open ? 'open' : 'closed'}`);
  parts.push(status.summary);
  return parts.join(' · ');
}

function verificationLine(result: VerificationResult): string {
  if (result.outcome === 'error') return `could not finish: ${result.error ?? 'unknown error'}`;
  const kinds = Object.entries(result.byKind ?? {}).map(([kind, count]) => `${kind} ${count}`);
  return `${result.totalDifferences ?? 0} differences${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''} in ${result.keysCompared ?? 0} keys (${result.mode ?? 'full'})`;
}
