import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

describe('retry delay', () => {
  const backoff = { initialMs: 1_000, factor: 2, maxMs: 30_000 };
  it('backs off exponentially with jitter between half and all of the step', () => {
    for (const [attempt, step] of [
      [1, 1_000],
      [2, 2_000],
      [4, 8_000],
      [20, 30_000],
    ] as const) {
      expect(retryDelayMs(attempt, undefined, backoff, () => 0)).toBe(step / 2);
      expect(retryDelayMs(attempt, undefined, backoff, () => 0.999999)).toBe(step);
    }
  });

  it('never retries sooner than the server asked (Retry-After)', () => {
    expect(retryDelayMs(1, 7_000, backoff, () => 0.5)).toBe(7_000);
    expect(retryDelayMs(5, 100, backoff, () => 0)).toBe(8_000);
  });

  it('spreads retries of many callers instead of retrying in lockstep', () => {
    const delays = new Set(Array.from({ length: 20 }, () => retryDelayMs(3, undefined, backoff)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
