/**
 * The client's own throttle: one per DCS client (a worker has one client, shared by all its migrations and the
 * status watcher), so N migrations that hit a sick DCS back off together instead of each retrying on its own.
 *
 * - **Throttled** (HTTP 429, Huawei's `APIGW.0308`): every call is held for the server's `Retry-After`, or, as
 *   Huawei documents none, for a backoff that starts at 2 s (Huawei's FAQs advise retrying "after 2 to 5 seconds")
 *   and doubles per 429 in a row up to a minute. The limit the message names (`limit:200,time:5 minute`) is
 *   learned: from then on calls are paced under `share` of it (a sliding window, `common/rate-limit.ts`), so the
 *   client stops running into it. A limit can also be configured from the start (`DCS_RATE_LIMIT`). Paced calls
 *   wait in priority lanes (`paced-lanes.ts`): control (stop, delete, IP switch) before writes before reads.
 * - **Unreachable** (no answer: refused, reset, timeouts) `downAfter` times in a row: held the same way.
 * - While held, a call is not sent: it fails at once with the error that caused the hold (`DcsRateLimitedError`
 *   or `DcsNetworkError`, `local: true`) and `retryAfterMs` = the rest of the hold plus a random spread of up to one
 *   hold, which the activity turns into Temporal's next retry delay. When the hold is over one call goes through
 *   as a probe (the others wait for its outcome); an answer ends the hold, another failure renews it.
 *
 * So while DCS is down or throttling, the endpoint sees about one call per hold from each worker, however many
 * migrations run; the migrations' reads keep retrying (refused locally, at no cost to DCS) and resume within a
 * hold of DCS coming back. A 5xx is an answer: it is retried per call (Temporal's backoff), not held.
 */
import { retryDelayMs, type Backoff } from '../common/backoff.js';
import { formatRateLimit, type RateLimit } from '../common/rate-limit.js';
import { DcsError } from './errors/dcs-error.js';
import { DcsAbortedError, DcsNetworkError, DcsRateLimitedError, DcsTimeoutError } from './errors/error-classes.js';
import { laneOf } from './operations.js';
import { PacedLanes } from './paced-lanes.js';

export interface DcsThrottleOptions {
  /** Pace under this limit from the start (the tenant's known quota, a budget); otherwise learned from a 429. */
  rateLimit?: RateLimit | undefined;
  /** Share of the limit this client uses (default 0.8): the tenant's quota also serves the console and other tools. */
  share?: number;
  /** Hold while throttled or unreachable, per failure in a row (default 2 s, ×2, up to 60 s; jittered). */
  hold?: Backoff;
  /** Calls in a row without an answer before the endpoint counts as unreachable (default 3). */
  downAfter?: number;
  /** Longest a paced call waits in the process for its slot (default 5 s); beyond it the call is refused. */
  maxQueueMs?: number;
  now?: () => number;
  random?: () => number;
  /** Told when calls start being held, and when DCS answers again (for the worker's log). */
  onChange?: (change: ThrottleChange) => void;
}

export type ThrottleChange =
  | { kind: 'held'; reason: HoldReason; holdMs: number; error: string }
  | { kind: 'recovered'; reason: HoldReason; heldForMs: number; refused: number }
  | { kind: 'pacing'; rateLimit: RateLimit; pacedAt: RateLimit };

export type HoldReason = 'throttled' | 'unreachable';

export interface ThrottleStats {
  /** Calls sent to DCS. */
  sent: number;
  /** Calls refused without being sent (held or over the pace). */
  refused: number;
  /** Calls that waited in the process for their paced slot. */
  queued: number;
  /** 429 answers, and calls that got no answer. */
  throttled: number;
  unanswered: number;
  /** The limit calls are paced under (after `share`), if any. */
  pacedAt: RateLimit | undefined;
  held: { reason: HoldReason; untilMs: number } | undefined;
}

/** The default hold: Huawei's "retry after 2 to 5 seconds" at first, doubling up to a minute. */
export const THROTTLE_HOLD: Backoff = { initialMs: 2_000, factor: 2, maxMs: 60_000 };

interface Hold {
  reason: HoldReason;
  since: number;
  /** When this hold (the latest step) was set: a call sent before it failed with the others, not after it. */
  setAt: number;
  until: number;
  /** The length of the current hold: the spread given to refused calls. */
  stepMs: number;
  error: DcsError;
  refused: number;
}

export class DcsThrottle {
  readonly #share: number;
  readonly #hold: Backoff;
  readonly #downAfter: number;
  readonly #maxQueueMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #onChange: ((change: ThrottleChange) => void) | undefined;
  #lanes: PacedLanes | undefined;
  #rateLimit: RateLimit | undefined;
  #held: Hold | undefined;
  #probing = false;
  /** Holds in a row without an answer in between: each one longer (the backoff's attempt). */
  #strikes = 0;
  #unansweredInARow = 0;
  /** When recent calls were let through by DCS (answered, not throttled): what a newly learned limit counts first. */
  #passedAt: number[] = [];
  readonly #stats = { sent: 0, refused: 0, queued: 0, throttled: 0, unanswered: 0 };

  constructor(options: DcsThrottleOptions = {}) {
    this.#share = Math.min(1, Math.max(0.01, options.share ?? 0.8));
    this.#hold = options.hold ?? THROTTLE_HOLD;
    this.#downAfter = Math.max(1, options.downAfter ?? 3);
    this.#maxQueueMs = Math.max(0, options.maxQueueMs ?? 5_000);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#onChange = options.onChange;
    if (options.rateLimit) this.#pace(options.rateLimit);
  }

  stats(): ThrottleStats {
    return {
      ...this.#stats,
      pacedAt: this.#lanes?.rate,
      held: this.#held ? { reason: this.#held.reason, untilMs: this.#held.until } : undefined,
    };
  }

  /** Sends `call` when its turn comes, or throws the refusal; learns from how it ended. */
  async run<T>(operation: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const probe = await this.#admit(operation, signal);
    const sentAt = this.#now();
    try {
      this.#stats.sent += 1;
      const result = await call();
      this.#answered(sentAt);
      return result;
    } catch (error) {
      this.#failed(error, sentAt);
      throw error;
    } finally {
      if (probe) this.#probing = false;
    }
  }

  /** Resolves when the call may go (true: it is the probe of an ended hold); throws the refusal otherwise. */
  async #admit(operation: string, signal: AbortSignal | undefined): Promise<boolean> {
    const now = this.#now();
    let probe = false;
    const held = this.#held;
    if (held) {
      if (now < held.until) throw this.#refuse(operation, held, held.until - now + this.#random() * held.stepMs);
      // The hold is over: one call finds out whether DCS answers again; the others come back a little later.
      if (this.#probing) throw this.#refuse(operation, held, (0.25 + this.#random()) * held.stepMs);
      this.#probing = probe = true;
    }
    if (this.#lanes) {
      const lanes = this.#lanes;
      const refusal = (waitMs: number) => {
        this.#stats.refused += 1;
        return new DcsRateLimitedError(
          `${operation} not sent: paced under ${formatRateLimit(lanes.rate)} (${Math.round(waitMs / 1000)} s until a slot)`,
          Math.round(waitMs + this.#random() * waitMs),
          { operation, local: true, rateLimit: this.#rateLimit },
        );
      };
      const aborted = () =>
        new DcsAbortedError(`${operation} was aborted while waiting for its paced slot`, { operation });
      try {
        if ((await lanes.acquire(laneOf(operation), refusal, aborted, signal)) === 'queued') this.#stats.queued += 1;
      } catch (error) {
        if (probe) this.#probing = false;
        throw error;
      }
    }
    return probe;
  }

  #refuse(operation: string, held: Hold, retryAfterMs: number): DcsError {
    this.#stats.refused += 1;
    held.refused += 1;
    const wait = Math.round(retryAfterMs);
    const context = { operation, local: true, errorCode: held.error.errorCode, retryAfterMs: wait };
    const next = `next try in ${Math.ceil(wait / 1000)} s`;
    if (held.reason === 'throttled') {
      const rateLimit = held.error instanceof DcsRateLimitedError ? held.error.rateLimit : undefined;
      return new DcsRateLimitedError(
        `${operation} not sent: DCS is throttling this client (${held.error.message}); ${next}`,
        wait,
        {
          ...context,
          rateLimit,
        },
      );
    }
    return new DcsNetworkError(
      `${operation} not sent: DCS did not answer the last ${this.#unansweredInARow} calls (${held.error.message}); ${next}`,
      context,
    );
  }

  #answered(sentAt: number): void {
    this.#passedAt.push(sentAt);
    if (this.#passedAt.length > MAX_REMEMBERED_CALLS)
      this.#passedAt.splice(0, this.#passedAt.length - MAX_REMEMBERED_CALLS);
    this.#strikes = 0;
    this.#unansweredInARow = 0;
    const held = this.#held;
    if (!held) return;
    this.#held = undefined;
    this.#onChange?.({
      kind: 'recovered',
      reason: held.reason,
      heldForMs: this.#now() - held.since,
      refused: held.refused,
    });
  }

  #failed(error: unknown, sentAt: number): void {
    if (!(error instanceof DcsError) || error.local || error instanceof DcsAbortedError) return;
    if (error instanceof DcsRateLimitedError) {
      this.#stats.throttled += 1;
      this.#unansweredInARow = 0;
      if (error.rateLimit && !sameRate(error.rateLimit, this.#rateLimit)) this.#pace(error.rateLimit);
      this.#holdFor('throttled', sentAt, error, error.retryAfterMs);
      return;
    }
    if (error instanceof DcsNetworkError || error instanceof DcsTimeoutError) {
      this.#stats.unanswered += 1;
      this.#unansweredInARow += 1;
      if (this.#unansweredInARow >= this.#downAfter) this.#holdFor('unreachable', sentAt, error, undefined);
      return;
    }
    // Any other answer (a 5xx, a refusal) shows DCS is there.
    this.#answered(sentAt);
  }

  /**
   * Holds every call for the server's `retryAfterMs`, or for the next step of the backoff. A failure of a call sent
   * before the current hold was set is one of the burst that caused it: it does not make the hold longer.
   */
  #holdFor(reason: HoldReason, sentAt: number, error: DcsError, retryAfterMs: number | undefined): void {
    const now = this.#now();
    const held = this.#held;
    if (held && sentAt < held.setAt) {
      if (retryAfterMs !== undefined && now + retryAfterMs > held.until) held.until = now + retryAfterMs;
      return;
    }
    this.#strikes += 1;
    const stepMs = retryAfterMs ?? retryDelayMs(this.#strikes, undefined, this.#hold, this.#random);
    this.#held = {
      reason,
      since: held?.since ?? now,
      setAt: now,
      until: now + stepMs,
      stepMs,
      error,
      refused: held?.refused ?? 0,
    };
    if (!held) this.#onChange?.({ kind: 'held', reason, holdMs: stepMs, error: error.message });
  }

  #pace(rateLimit: RateLimit): void {
    this.#rateLimit = rateLimit;
    const pacedAt = { limit: Math.max(1, Math.floor(rateLimit.limit * this.#share)), windowMs: rateLimit.windowMs };
    const lanes = new PacedLanes(pacedAt, { now: this.#now, maxQueueMs: this.#maxQueueMs });
    this.#lanes = lanes;
    // The calls DCS let through lately count: the server's window holds them too.
    const horizon = this.#now() - rateLimit.windowMs;
    for (const at of [...this.#passedAt].sort((a, b) => a - b)) if (at > horizon) lanes.record(at);
    this.#onChange?.({ kind: 'pacing', rateLimit, pacedAt });
  }
}

/** Recent calls remembered for a limit learned later (a window of more calls than this is paced from scratch). */
const MAX_REMEMBERED_CALLS = 10_000;

function sameRate(a: RateLimit, b: RateLimit | undefined): boolean {
  return b !== undefined && a.limit === b.limit && a.windowMs === b.windowMs;
}
