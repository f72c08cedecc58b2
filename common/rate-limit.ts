/**
 * The project's one model of a rate limit: at most `limit` calls in any `windowMs` (a sliding window), written
 * `200/5m`. The emulator enforces it per tenant (`--rate-limit`), the DCS client paces its calls under it
 * (`dcs/throttle.ts`, learned from Huawei's `APIGW.0308` answer or configured), and a budget for plans can use it
 * the same way. Pure and clock-free (callers pass the time), so workflow code may use it too.
 */

/** At most `limit` calls in any window of `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

const UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `200/5m`, `10/1s`, `1000/1h`, `5/500ms` (a bare number of seconds is refused: say the unit). */
export function parseRateLimit(text: string): RateLimit {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a rate limit: write calls/window, e.g. 200/5m, 10/1s`);
  const limit = Number(match[1]);
  const windowMs = Math.round(Number(match[2]) * UNITS_MS[match[3] as keyof typeof UNITS_MS]);
  if (limit < 1 || windowMs < 1)
    throw new RangeError(`"${text}" is not a rate limit: calls and window must be above 0`);
  return { limit, windowMs };
}

/** `200/5m`: the largest unit that divides the window. */
export function formatRateLimit({ limit, windowMs }: RateLimit): string {
  for (const unit of ['h', 'm', 's'] as const)
    if (windowMs % UNITS_MS[unit] === 0) return `${limit}/${windowMs / UNITS_MS[unit]}${unit}`;
  return `${limit}/${windowMs}ms`;
}

/**
 * The calls of one sliding window: when the next call may go, and taking it. Times are epoch ms from the caller's
 * clock. A slot can be reserved ahead (a paced caller that waits for its turn), so two waiters never take one slot.
 */
export class SlidingWindow {
  /** Times of the calls taken (past, or reserved ahead), oldest first. */
  #times: number[] = [];

  constructor(readonly rate: RateLimit) {}

  /**
   * The earliest time at or after `now` a call fits under the limit, or under `cap` calls of it (a caller that must
   * leave room for others counts every call in the window against its smaller cap).
   */
  nextSlot(now: number, cap = this.rate.limit): number {
    this.#forget(now);
    const limit = Math.max(1, Math.min(cap, this.rate.limit));
    const { windowMs } = this.rate;
    if (this.#times.length < limit) return Math.max(now, this.#times.at(-1) ?? now);
    // The call `limit` places back must have left the window.
    return Math.max(now, this.#times[this.#times.length - limit]! + windowMs);
  }

  /** Takes the next slot (now, or reserved ahead); returns when it is. */
  take(now: number): number {
    const at = this.nextSlot(now);
    this.#times.push(at);
    return at;
  }

  /** Counts a call already made at `at` (not later than the calls counted before it), e.g. one made before pacing began. */
  record(at: number): void {
    this.#times.push(at);
  }

  /** Calls taken in the window that ends at `now` (reservations ahead included). */
  used(now: number): number {
    this.#forget(now);
    return this.#times.length;
  }

  #forget(now: number): void {
    const horizon = now - this.rate.windowMs;
    let drop = 0;
    while (drop < this.#times.length && this.#times[drop]! <= horizon) drop++;
    if (drop > 0) this.#times.splice(0, drop);
  }
}
