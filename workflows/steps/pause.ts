/**
 * The wait between two polls. Every poll loop goes through here, which is where history is kept bounded: after
 * `pollsPerRun` polls in this run, when the server suggests it, or when a newer worker version is current, the
 * workflow continues as new with its state.
 */
import { condition, sleep, workflowInfo } from '@temporalio/workflow';
import type { MigrationContext } from '../context.js';
import { nextReadDelayMs, type ReadPlanInput } from '../poll-interval.js';
import { newVersionCurrent } from '../version-upgrade.js';

export interface PauseOptions extends Pick<ReadPlanInput, 'expectedAt' | 'quiet'> {
  /** Wake up early when this turns true (e.g. a cutover request). */
  wakeOn?: () => boolean;
  /** Never wait longer than this (e.g. until the hold deadline). */
  capMs?: number;
  /** Stop loops (cutover, cancel cleanup) are short and must finish in this run. */
  allowContinueAsNew?: boolean;
}

export async function pauseBeforeNextPoll(ctx: MigrationContext, options: PauseOptions = {}): Promise<void> {
  await countPoll(ctx, options);
  const planned = nextReadDelayMs({
    now: Date.now(),
    unchangedPolls: ctx.state.unchangedPolls,
    polling: ctx.input.polling,
    expectedAt: options.expectedAt,
    quiet: options.quiet,
  });
  const intervalMs = Math.max(1, Math.min(planned, options.capMs ?? Infinity));
  if (options.wakeOn) await condition(options.wakeOn, intervalMs);
  else await sleep(intervalMs);
}

/**
 * Counts one poll, and continues as new when this run has polled enough, when the server suggests it, or when a
 * newer worker version is current (`version-upgrade.ts`: a pinned run moves there at its next poll).
 */
export async function countPoll(
  ctx: MigrationContext,
  options: Pick<PauseOptions, 'allowContinueAsNew'>,
): Promise<void> {
  const { state, input } = ctx;
  state.polls += 1;
  ctx.pollsThisRun += 1;
  if (!(options.allowContinueAsNew ?? true)) return;
  if (ctx.pollsThisRun >= input.polling.pollsPerRun || workflowInfo().continueAsNewSuggested || newVersionCurrent()) {
    await ctx.continueAsNew();
  }
}
