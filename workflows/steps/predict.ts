/**
 * Predictive polling in the watch loop: the progress reads of the full sync are tracked (`phase-estimate.ts`) and
 * the reads are scheduled around the expected end (`poll-interval.ts`). New behaviour behind the
 * `predictive-polling` patch: runs recorded before it poll on the plain backoff when replayed.
 */
import { patched } from '@temporalio/workflow';
import type { MigrationContext } from '../context.js';
import { estimatePhaseEnd, noteProgress, progressFraction, estimateSampleDue } from '../phase-estimate.js';
import { Patch } from '../patches.js';
import { estimateRefreshDue, missWindowMs, estimateSampleAfterMs } from '../poll-interval.js';
import { gateArmed } from './cutover-gate.js';
import type { PauseOptions } from './pause.js';
import { remoteStatusOf } from './read-task.js';

/** Only a copy that moves on by itself is estimated; the hold ends by cutover, not by progress. */
function estimable(ctx: MigrationContext): boolean {
  return ctx.input.kind !== 'backup_import' && remoteStatusOf(ctx)?.statusClass === 'pending';
}

/** Records the progress just read (workflow time) for the estimate of the current status. */
export function trackProgress(ctx: MigrationContext): void {
  const { state, input } = ctx;
  if (!estimable(ctx) || !patched(Patch.PredictivePolling)) return;
  const fraction = progressFraction(state.progress);
  state.phaseTrack = noteProgress(
    state.phaseTrack,
    state.remoteStatus!,
    fraction === undefined ? undefined : { at: Date.now(), fraction },
    missWindowMs(input.polling),
  );
}

/** When the current status is expected to change (workflow time, ms), if the reads so far tell. */
export function expectedChangeAt(ctx: MigrationContext): number | undefined {
  const { state } = ctx;
  if (!estimable(ctx) || state.phaseTrack?.status !== state.remoteStatus) return undefined;
  return estimatePhaseEnd(state.phaseTrack);
}

/** A read now should refresh progress to correct the estimate. */
export function refineDue(ctx: MigrationContext): boolean {
  const { state, input } = ctx;
  const now = Date.now();
  const expectedAt = expectedChangeAt(ctx);
  const readAt = state.progressReadAt === undefined ? undefined : Date.parse(state.progressReadAt);
  const due =
    expectedAt === undefined
      ? estimable(ctx) &&
        estimateSampleDue(state.phaseTrack, state.remoteStatus!, now, estimateSampleAfterMs(input.polling))
      : estimateRefreshDue(now, expectedAt, readAt, input.polling);
  return due && patched(Patch.PredictivePolling);
}

/**
 * What the next wait should plan around: the expected change, or the quiet of the incremental hold. The hold is
 * quiet only until a cutover is requested or the cutover gate is armed (`auto`): counting the gate's reads is not.
 */
export function readPlan(ctx: MigrationContext): Pick<PauseOptions, 'expectedAt' | 'quiet'> {
  const { state } = ctx;
  const expectedAt = expectedChangeAt(ctx);
  const quiet =
    state.phase === 'incremental-hold' &&
    state.cutover === undefined &&
    !gateArmed(ctx) &&
    remoteStatusOf(ctx)?.statusClass === 'incremental';
  if ((expectedAt === undefined && !quiet) || !patched(Patch.PredictivePolling)) return {};
  return expectedAt === undefined ? { quiet } : { expectedAt };
}
