/**
 * The end of the incremental hold, by policy (input `cutover`; the decision itself is `../cutover-policy.ts`):
 * the watch loop hands each progress read to the gate, asks after each incremental read whether the hold ends,
 * and asks how long it may wait before the next read (the deadline, the window's opening) and what wakes it.
 *
 * Runs recorded before the policy existed replay the old rule (an operator's request or `hold.maxDuration` ends
 * the hold at the next read) behind the `cutover-policy` patch. With no `cutover` block the new rule decides the
 * same, so a migration upgraded mid-hold carries on as it started.
 */
import { log, patched } from '@temporalio/workflow';
import { MigrationFailureType, type CutoverPolicyStatus } from '../../common/workflow-contract.js';
import { publish, type MigrationContext } from '../context.js';
import { emitCutoverWindowEnd } from '../metrics.js';
import { Patch } from '../patches.js';
import {
  cutoverPolicyOf,
  cutoverStatusOf,
  evaluateCutover,
  holdDeadlineMs,
  readyReason,
  type CutoverGateState,
} from '../cutover-policy.js';
import { workflowFailure } from './failures.js';
import { taskLabel } from './read-task.js';

/** What the poll read of progress: an offset (maybe none reported), a failed read, or no read this poll. */
export type GateReading = { offset: number | undefined } | 'failed' | undefined;

function gateOf(ctx: MigrationContext): CutoverGateState {
  return (ctx.state.cutoverGate ??= {});
}

/**
 * True while the gate needs a fresh offset at every poll: it has a gate, and the cutover is wanted (`auto`, or an
 * operator asked). Otherwise progress is read at `progressInterval`, and those reads count too.
 */
export function gateArmed(ctx: MigrationContext): boolean {
  const policy = cutoverPolicyOf(ctx.input);
  return (
    ctx.state.phase === 'incremental-hold' &&
    policy?.gate !== undefined &&
    (policy.mode === 'auto' || ctx.state.cutover !== undefined)
  );
}

/** Counts a read into the gate: at or below `maxOffset` extends the run, anything else (or a failed read) ends it. */
function noteReading(ctx: MigrationContext, reading: GateReading): void {
  const gate = cutoverPolicyOf(ctx.input)?.gate;
  if (!gate || reading === undefined) return;
  const state = gateOf(ctx);
  const offset = reading === 'failed' ? undefined : reading.offset;
  if (reading !== 'failed' && offset !== undefined) state.lastOffset = offset;
  state.reads = offset !== undefined && offset <= gate.maxOffset ? (state.reads ?? 0) + 1 : 0;
}

/** A read in the hold whose status is not the incremental steady state: the gate counts from zero again. */
export function breakGateRun(ctx: MigrationContext): void {
  if (ctx.state.cutoverGate?.reads) ctx.state.cutoverGate.reads = 0;
}

/** The policy's state now, for the `status` query, the update's answer and the UI; undefined outside a hold-to-be. */
export function cutoverPolicyStatus(ctx: MigrationContext | undefined): CutoverPolicyStatus | undefined {
  if (!ctx || (ctx.state.phase !== 'migrating' && ctx.state.phase !== 'incremental-hold')) return undefined;
  return cutoverStatusOf(ctx.input, ctx.state, Date.now());
}

/**
 * After an incremental read: does the hold end now? It ends when the policy is ready (an operator's request or
 * `auto`, the gate held, inside the window), or at the deadline as `onDeadline` says (`fail` throws).
 */
export function holdEnds(ctx: MigrationContext, reading: GateReading): boolean {
  if (!patched(Patch.CutoverPolicy)) return legacyHoldEnds(ctx);
  const { state } = ctx;
  const policy = cutoverPolicyOf(ctx.input)!;
  noteReading(ctx, reading);
  if (state.cutover) gateOf(ctx).requestSeen = true;
  const now = Date.now();
  const deadline = holdDeadlineMs(ctx.input, state);
  const status = evaluateCutover(policy, {
    gate: state.cutoverGate,
    request: state.cutover,
    nowMs: now,
    deadlineMs: deadline,
  });
  noteWindowForAlerts(ctx, now);
  if (status.ready) {
    const at = new Date(now).toISOString();
    state.cutover = {
      ...(state.cutover ?? { requestedAt: at, by: 'auto' }),
      decidedAt: at,
      reason: readyReason(policy, state.cutover),
    };
    log.info('cutover policy ready: ending the hold', { taskId: state.taskId, reason: state.cutover.reason });
    return true;
  }
  if (deadline !== undefined && deadline <= now && state.cutoverGate?.deadlinePassedAt === undefined) {
    const waiting = status.waitingFor.join('; ');
    switch (policy.onDeadline) {
      case 'cutover': {
        const at = new Date(now).toISOString();
        log.info('hold deadline reached: stopping the incremental migration', {
          taskId: state.taskId,
          waitingFor: waiting,
        });
        const note = state.cutover?.note;
        state.cutover = {
          requestedAt: at,
          by: 'deadline',
          ...(note !== undefined ? { note } : {}),
          decidedAt: at,
          reason: `hold.maxDuration passed (was waiting for ${waiting})`,
        };
        return true;
      }
      case 'fail':
        throw workflowFailure(
          `hold.maxDuration passed before the cutover of ${taskLabel(ctx)} could run (waiting for ${waiting}); cutover.onDeadline is "fail"`,
          MigrationFailureType.HoldDeadlinePassed,
          { taskId: state.taskId, offset: state.cutoverGate?.lastOffset },
        );
      case 'hold':
        log.warn('hold deadline passed: holding on until the cutover policy is met', {
          taskId: state.taskId,
          waitingFor: waiting,
        });
        gateOf(ctx).deadlinePassedAt = new Date(now).toISOString();
        publish(ctx);
        return false;
    }
  }
  publish(ctx);
  return false;
}

/** The rule before the policy: a request, or the deadline, ends the hold at the next read. */
function legacyHoldEnds(ctx: MigrationContext): boolean {
  const { state } = ctx;
  if (state.cutover) return true;
  const deadline = holdDeadlineMs(ctx.input, state);
  if (deadline !== undefined && deadline - Date.now() <= 0) {
    log.info('hold deadline reached: stopping the incremental migration', { taskId: state.taskId });
    state.cutover = { requestedAt: new Date().toISOString(), by: 'deadline' };
    return true;
  }
  return false;
}

/** Wakes the wait between reads when an operator's request arrives that the loop has not seen yet. */
export function wakesOnRequest(ctx: MigrationContext): () => boolean {
  const { state } = ctx;
  return () =>
    state.phase === 'incremental-hold' && state.cutover !== undefined && state.cutoverGate?.requestSeen !== true;
}

/**
 * The longest wait before the next read in the hold: until the deadline (unless it passed under `onDeadline:
 * hold`); while a wanted cutover waits for a closed window, until the window opens; and, in shared polling while
 * the gate is armed, `polling.maxInterval`.
 */
export function holdWaitCapMs(ctx: MigrationContext): number | undefined {
  const { state } = ctx;
  if (state.phase !== 'incremental-hold') return undefined;
  const now = Date.now();
  const caps: number[] = [];
  const deadline = holdDeadlineMs(ctx.input, state);
  if (deadline !== undefined && state.cutoverGate?.deadlinePassedAt === undefined) caps.push(deadline - now);
  const status = cutoverPolicyStatus(ctx);
  if (
    status &&
    (status.mode === 'auto' || status.requested) &&
    status.window &&
    !status.window.open &&
    status.window.opensAt
  )
    caps.push(Date.parse(status.window.opensAt) - now);
  // Shared polling reads an unchanged task only every `confirmInterval`: an armed gate needs its reads sooner.
  if (ctx.input.polling.mode === 'shared' && gateArmed(ctx)) caps.push(ctx.input.polling.maxInterval);
  return caps.length > 0 ? Math.min(...caps) : undefined;
}

/**
 * While a cutover is wanted (`auto`, or an operator's request) inside an open window, publishes when that window
 * closes: the `DcsMigrationCutoverWindowMissed` alert fires when the gauge is in the past and the migration still
 * holds. A cutover nobody asked for cannot miss its window.
 */
function noteWindowForAlerts(ctx: MigrationContext, now: number): void {
  const status = cutoverStatusOf(ctx.input, ctx.state, now);
  const closesAt = status?.window?.open ? status.window.closesAt : undefined;
  if (closesAt !== undefined && (status?.mode === 'auto' || status?.requested))
    emitCutoverWindowEnd(ctx, Date.parse(closesAt));
}
