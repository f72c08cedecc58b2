/**
 * The DCS client's pace under a rate limit, with priority lanes (`laneOf` in `operations.ts`): a call that finds
 * no slot waits in its lane's queue, and each freed slot goes to the first waiter of the highest lane, so a stop or
 * a cutover never waits behind the status reads of thousands of migrations. Each lane may also fill only its share
 * of the window (reads 70 %, writes 90 %, control all of it): a burst of reads or creates leaves room for control
 * calls arriving just after it, instead of their waiting a whole window for a slot.
 *
 * A call that would wait longer than `maxQueueMs` for its slot (at once, or once queued, as higher lanes go first)
 * is refused, and its activity retries later (Temporal's backoff, `retryAfterMs`).
 */
import { SlidingWindow, type RateLimit } from '../common/rate-limit.js';
import type { CallLane } from './operations.js';

/** Share of the paced limit each lane may fill. */
export const LANE_SHARE: Readonly<Record<CallLane, number>> = { control: 1, write: 0.9, read: 0.7 };
const LANES: readonly CallLane[] = ['control', 'write', 'read'];

interface Waiter {
  deadline: number;
  go: () => void;
  refuse: (waitMs: number) => void;
}

export class PacedLanes {
  readonly #window: SlidingWindow;
  readonly #now: () => number;
  readonly #maxQueueMs: number;
  readonly #queues: Record<CallLane, Waiter[]> = { control: [], write: [], read: [] };
  #timer: NodeJS.Timeout | undefined;

  constructor(rate: RateLimit, options: { now: () => number; maxQueueMs: number }) {
    this.#window = new SlidingWindow(rate);
    this.#now = options.now;
    this.#maxQueueMs = options.maxQueueMs;
  }

  get rate(): RateLimit {
    return this.#window.rate;
  }

  /** Counts a call made before pacing began. */
  record(at: number): void {
    this.#window.record(at);
  }

  /** Calls waiting for a slot, by lane. */
  waiting(): Record<CallLane, number> {
    return { control: this.#queues.control.length, write: this.#queues.write.length, read: this.#queues.read.length };
  }

  /**
   * Resolves `now` when the call may go at once, or `queued` once it got its slot after waiting; rejects with
   * `refusal(waitMs)` when its slot is more than `maxQueueMs` away, or with `aborted()` when `signal` aborts.
   */
  acquire(
    lane: CallLane,
    refusal: (waitMs: number) => Error,
    aborted: () => Error,
    signal?: AbortSignal,
  ): Promise<'now' | 'queued'> {
    const now = this.#now();
    const slot = this.#window.nextSlot(now, this.#cap(lane));
    if (slot <= now && !this.#queuedAtOrAbove(lane)) {
      this.#window.record(now);
      return Promise.resolve('now');
    }
    if (slot - now > this.#maxQueueMs) return Promise.reject(refusal(slot - now));
    return new Promise((resolve, reject) => {
      const queue = this.#queues[lane];
      const leave = () => {
        queue.splice(queue.indexOf(waiter), 1);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        reject(aborted());
        this.#pump();
      };
      const waiter: Waiter = {
        deadline: now + this.#maxQueueMs,
        go: () => {
          leave();
          resolve('queued');
        },
        refuse: (waitMs) => {
          leave();
          reject(refusal(waitMs));
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pump();
    });
  }

  #cap(lane: CallLane): number {
    return Math.max(1, Math.floor(this.#window.rate.limit * LANE_SHARE[lane]));
  }

  #queuedAtOrAbove(lane: CallLane): boolean {
    return LANES.slice(0, LANES.indexOf(lane) + 1).some((above) => this.#queues[above].length > 0);
  }

  /**
   * Hands out the slots free now, highest lane first; refuses waiters past their deadline; then sleeps until the
   * next slot or deadline. A lower lane's cap is smaller, so once the head of a lane must wait, the lanes below do.
   */
  #pump(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.#now();
    let wakeAt = Infinity;
    let blocked = false;
    for (const lane of LANES) {
      const queue = this.#queues[lane];
      for (const waiter of [...queue]) {
        const slot = this.#window.nextSlot(now, this.#cap(lane));
        if (!blocked && slot <= now) {
          this.#window.record(now);
          waiter.go();
          continue;
        }
        blocked = true;
        // Its slot comes after its deadline: it cannot make it (higher lanes only push it later).
        if (slot > waiter.deadline) waiter.refuse(slot - now);
        else wakeAt = Math.min(wakeAt, slot, waiter.deadline);
      }
    }
    if (wakeAt === Infinity) return;
    this.#timer = setTimeout(() => this.#pump(), Math.max(1, wakeAt - now));
  }
}
