/**
 * The cutover policy as a pure decision (input `cutover`, `common/migration-input.ts`): given the policy, the
 * gate's count, an operator's request and the time, may the incremental hold end now, and if not, what does it
 * wait for. No Temporal calls here: the step that acts on it is `steps/cutover-gate.ts`; the `status` query, the
 * `cutover` update's answer and the UI's current details all describe the same {@link CutoverPolicyStatus}.
 */
import { describeWindow, formatWait, windowState, type CutoverWindow } from '../common/cutover-window.js';
import type { CutoverSettings, MigrationInput } from '../common/migration-input.js';
import type { CutoverPolicyStatus, MigrationCutover, MigrationTimings } from '../common/workflow-contract.js';

/** The parts of the workflow state (`state.ts`) the policy reads; named here so the state can import this module. */
export interface CutoverStateView {
  timings: MigrationTimings;
  cutover?: MigrationCutover | undefined;
  cutoverGate?: CutoverGateState | undefined;
}

/** The policy with its defaults: what an input without a `cutover` block means (today's manual cutover). */
export interface CutoverPolicy {
  mode: 'manual' | 'auto';
  gate?: { maxOffset: number; consecutiveReads: number };
  window?: CutoverWindow;
  onDeadline: 'cutover' | 'fail' | 'hold';
}

/**
 * What the gate remembers between reads (part of the workflow state, so carried across continue-as-new). Plain
 * data, all fields optional: a state from before the policy has none of it.
 */
export interface CutoverGateState {
  /** Consecutive progress reads, in the hold, with the offset at or below `gate.maxOffset`. */
  reads?: number;
  lastOffset?: number;
  /** The watch loop has seen the operator's request, so the wait between reads no longer wakes on it. */
  requestSeen?: boolean;
  /** `onDeadline: hold`: when `hold.maxDuration` passed (the hold goes on; the deadline no longer caps waits). */
  deadlinePassedAt?: string;
}

/** The policy of an incremental input, defaults applied; undefined for inputs that never hold. */
export function cutoverPolicyOf(input: MigrationInput): CutoverPolicy | undefined {
  if (input.kind === 'backup_import' || input.method !== 'incremental') return undefined;
  const settings: Partial<CutoverSettings> = input.cutover ?? {};
  return {
    mode: settings.mode ?? 'manual',
    ...(settings.gate ? { gate: settings.gate } : {}),
    ...(settings.window ? { window: settings.window } : {}),
    onDeadline: settings.onDeadline ?? 'cutover',
  };
}

/** When `hold.maxDuration` passes (ms since epoch), once the hold has begun; undefined without a deadline. */
export function holdDeadlineMs(input: MigrationInput, state: Pick<CutoverStateView, 'timings'>): number | undefined {
  const maxDuration = input.kind === 'backup_import' ? undefined : input.hold?.maxDuration;
  if (maxDuration === undefined || state.timings.holdStartedAt === undefined) return undefined;
  return Date.parse(state.timings.holdStartedAt) + maxDuration;
}

/** The policy's state for `input` at `nowMs` (workflow time); undefined for inputs that never hold. */
export function cutoverStatusOf(
  input: MigrationInput,
  state: CutoverStateView,
  nowMs: number,
): CutoverPolicyStatus | undefined {
  const policy = cutoverPolicyOf(input);
  if (!policy) return undefined;
  return evaluateCutover(policy, {
    gate: state.cutoverGate,
    request: state.cutover,
    nowMs,
    deadlineMs: holdDeadlineMs(input, state),
  });
}

/** `offset 0` / `offset ≤ 100`. */
function offsetBound(maxOffset: number): string {
  return maxOffset === 0 ? 'offset 0' : `offset ≤ ${maxOffset}`;
}

/** The gate's condition in words: `offset 0 for 3 consecutive reads`. */
export function gateCondition(gate: NonNullable<CutoverPolicy['gate']>): string {
  return `${offsetBound(gate.maxOffset)} for ${gate.consecutiveReads} consecutive read${gate.consecutiveReads === 1 ? '' : 's'}`;
}

export interface CutoverFacts {
  gate: CutoverGateState | undefined;
  /** The operator's request (or the decision already made), as the state records it. */
  request: MigrationCutover | undefined;
  nowMs: number;
  /** When `hold.maxDuration` passes (ms since epoch); undefined without a deadline or before the hold began. */
  deadlineMs: number | undefined;
}

/** Where the policy stands: ready to cut over, or what it waits for. */
export function evaluateCutover(policy: CutoverPolicy, facts: CutoverFacts): CutoverPolicyStatus {
  const { gate: gateState, request, nowMs, deadlineMs } = facts;
  const waitingFor: string[] = [];
  const status: Omit<CutoverPolicyStatus, 'ready' | 'waitingFor' | 'summary'> = {
    mode: policy.mode,
    requested: request !== undefined,
  };

  if (policy.mode === 'manual' && request === undefined) waitingFor.push("an operator's cutover (dcs-migrate cutover)");
  if (policy.gate) {
    const reads = Math.min(gateState?.reads ?? 0, policy.gate.consecutiveReads);
    const holds = reads >= policy.gate.consecutiveReads;
    status.gate = {
      ...policy.gate,
      reads,
      holds,
      ...(gateState?.lastOffset !== undefined ? { lastOffset: gateState.lastOffset } : {}),
    };
    if (!holds) {
      const last = gateState?.lastOffset !== undefined ? `, last offset ${gateState.lastOffset}` : '';
      waitingFor.push(`${gateCondition(policy.gate)} (${reads} of ${policy.gate.consecutiveReads} so far${last})`);
    }
  }
  if (policy.window) {
    const state = windowState(policy.window, nowMs);
    status.window = {
      description: describeWindow(policy.window),
      open: state.open,
      ...(state.opensAt !== undefined ? { opensAt: new Date(state.opensAt).toISOString() } : {}),
      ...(state.closesAt !== undefined ? { closesAt: new Date(state.closesAt).toISOString() } : {}),
    };
    if (!state.open && state.opensAt !== undefined)
      waitingFor.push(
        `the window at ${policy.window.start} ${policy.window.timeZone} (in ${formatWait(state.opensAt - nowMs)})`,
      );
  }
  if (deadlineMs !== undefined)
    status.deadline = {
      at: new Date(deadlineMs).toISOString(),
      onDeadline: policy.onDeadline,
      passed: deadlineMs <= nowMs,
    };

  const ready = waitingFor.length === 0;
  return { ...status, ready, waitingFor, summary: ready ? 'cutting over now' : summaryOf(waitingFor, status.deadline) };
}

/**
 * `waiting for offset 0 for 3 consecutive reads (1 of 3 so far)`; a wait that is only the window reads
 * `deferred to the window at 02:00 Asia/Shanghai (in 3 h 12 min)`.
 */
function summaryOf(waitingFor: string[], deadline: CutoverPolicyStatus['deadline']): string {
  const [first, ...rest] = waitingFor;
  const windowWait = first!.startsWith('the window at ');
  const text = windowWait && rest.length === 0 ? `deferred to ${first}` : `waiting for ${waitingFor.join('; and ')}`;
  if (!deadline) return text;
  if (deadline.passed) return `${text}; hold.maxDuration passed at ${deadline.at}, holding on`;
  const then = { cutover: 'cuts over regardless', fail: 'fails the migration', hold: 'holds on' }[deadline.onDeadline];
  return `${text}; the deadline at ${deadline.at} ${then}`;
}

/** Why the hold ends now, for `MigrationCutover.reason`. */
export function readyReason(policy: CutoverPolicy, request: MigrationCutover | undefined): string {
  const parts = [request ? 'operator request' : 'auto'];
  if (policy.gate) parts.push(gateCondition(policy.gate));
  if (policy.window) parts.push(`inside the window ${describeWindow(policy.window)}`);
  return parts.join(', ');
}
