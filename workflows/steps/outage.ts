/**
 * DCS down or throttling for a while (`Patch.DcsOutageTolerance`): a read that failed because DCS could not be
 * reached (no answer, 5xx, 429 — the activity says so in its failure's details, `dcsUnavailable`) starts, or
 * continues, an outage; any read that gets an answer ends it. While it lasts less than `polling.dcsOutageTolerance`
 * the migration keeps reading (its failed polls do not count against `maxFailedPolls`); then it fails as
 * `DcsUnavailable`, not as a timeout. Its start is kept in the state (`dcsUnreachableSince`), so a continue-as-new
 * does not reset the clock.
 *
 * The worker's DCS client throttle (`dcs/throttle.ts`) keeps the calls themselves few meanwhile: the reads'
 * retries are refused on the worker without reaching DCS, except about one probe per hold.
 */
import { ApplicationFailure, type ActivityOptions } from '@temporalio/common';
import { isCancellation, patched } from '@temporalio/workflow';
import type { DcsFailureDetails } from '../../activities/results.js';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import type { MigrationContext } from '../context.js';
import { Patch } from '../patches.js';
import { READ_OPTIONS, READ_RETRY_SPAN_MS } from '../retry-policy.js';
import { recordError } from '../state.js';

/** Whether `error` (an activity's failure) says DCS was unavailable: no answer, 5xx or 429, after its retries. */
export function isDcsOutage(error: unknown): boolean {
  // ActivityFailure → ApplicationFailure; a schedule-to-close timeout may put a TimeoutFailure in between.
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current instanceof ApplicationFailure) {
      return (current.details ?? []).some(
        (detail) => (detail as Partial<DcsFailureDetails> | null)?.dcsUnavailable === true,
      );
    }
    current = current.cause;
  }
  return false;
}

/**
 * Whether a failed read counts against the outage tolerance: it failed for DCS being unavailable, in a run that
 * has the rule (asked only then, so runs that never saw DCS fail carry no marker). Notes when the outage began.
 */
export function countsAsOutage(ctx: MigrationContext, error: unknown, readStartedAt: number): boolean {
  if (!isDcsOutage(error) || !patched(Patch.DcsOutageTolerance)) return false;
  ctx.state.dcsUnreachableSince ??= new Date(readStartedAt).toISOString();
  return true;
}

/** A read got an answer: the outage, if any, is over. */
export function noteDcsReachable(ctx: MigrationContext): void {
  if (ctx.state.dcsUnreachableSince !== undefined) ctx.state.dcsUnreachableSince = undefined;
}

/** Fails as `DcsUnavailable` once the outage has lasted `polling.dcsOutageTolerance`. */
export function checkOutageTolerance(ctx: MigrationContext): void {
  const since = ctx.state.dcsUnreachableSince;
  if (since === undefined) return;
  const toleranceMs = ctx.input.polling.dcsOutageTolerance;
  const forMs = Date.now() - Date.parse(since);
  if (forMs < toleranceMs) return;
  const lastError = ctx.state.lastError;
  // Built here rather than with failures.ts's workflowFailure: failures.ts imports read-task.ts, which imports this.
  throw ApplicationFailure.nonRetryable(
    `DCS could not be reached for ${minutes(forMs)} (since ${since}), longer than polling.dcsOutageTolerance ` +
      `(${minutes(toleranceMs)}); last error: ${lastError ? `${lastError.type}: ${lastError.message}` : 'unknown'}`,
    MigrationFailureType.DcsUnavailable,
    { unreachableSince: since, toleranceMs, lastError },
  );
}

/**
 * The options of a read during an outage: its retries end by the time the tolerance runs out (at least a minute
 * from now), so the migration fails on time rather than up to one read's ten minutes late.
 */
export function readOptions(ctx: MigrationContext): ActivityOptions {
  const since = ctx.state.dcsUnreachableSince;
  if (since === undefined) return READ_OPTIONS;
  const leftMs = ctx.input.polling.dcsOutageTolerance - (Date.now() - Date.parse(since));
  return { ...READ_OPTIONS, scheduleToCloseTimeout: Math.min(READ_RETRY_SPAN_MS, Math.max(60_000, leftMs)) };
}

/**
 * A DCS read outside the poll loop (the lookup before creating) that failed with `error`: tried again while it
 * fails for an outage within the tolerance, then `DcsUnavailable`; any other failure is thrown as it is. Called
 * only once the first try failed, so a read that succeeds awaits exactly what it did before this rule.
 */
export async function retryThroughOutage<T>(
  ctx: MigrationContext,
  error: unknown,
  startedAt: number,
  read: (options: ActivityOptions) => Promise<T>,
): Promise<T> {
  let failure = error;
  let readStartedAt = startedAt;
  for (;;) {
    if (isCancellation(failure) || !countsAsOutage(ctx, failure, readStartedAt)) throw failure;
    recordError(ctx.state, failure, new Date());
    checkOutageTolerance(ctx);
    readStartedAt = Date.now();
    try {
      const value = await read(readOptions(ctx));
      noteDcsReachable(ctx);
      return value;
    } catch (next) {
      failure = next;
    }
  }
}

function minutes(ms: number): string {
  const total = Math.round(ms / 60_000);
  if (total < 60) return `${total} min`;
  return `${Math.floor(total / 60)} h${total % 60 ? ` ${total % 60} min` : ''}`;
}
