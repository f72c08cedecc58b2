import { describe, expect, it } from 'vitest';
import { formatRateLimit, parseRateLimit, SlidingWindow } from './rate-limit.js';

describe('rate limit', () => {
  it('reads and writes calls/window', () => {
    expect(parseRateLimit('200/5m')).toEqual({ limit: 200, windowMs: 300_000 });
    expect(parseRateLimit(' 10 / 1s ')).toEqual({ limit: 10, windowMs: 1_000 });
    expect(parseRateLimit('5/500ms')).toEqual({ limit: 5, windowMs: 500 });
    expect(formatRateLimit({ limit: 200, windowMs: 300_000 })).toBe('200/5m');
    expect(formatRateLimit({ limit: 1000, windowMs: 3_600_000 })).toBe('1000/1h');
    expect(formatRateLimit({ limit: 5, windowMs: 1_500 })).toBe('5/1500ms');
    for (const bad of ['200', '200/5', '0/1m', '10/0s', 'ten/1m', ''])
      expect(() => parseRateLimit(bad), bad).toThrow(/not a rate limit/);
  });

  it('lets `limit` calls through in any window, the next one when the oldest leaves it', () => {
    const window = new SlidingWindow({ limit: 3, windowMs: 1_000 });
    expect([window.take(0), window.take(100), window.take(200)]).toEqual([0, 100, 200]);
    expect(window.nextSlot(300)).toBe(1_000);
    expect(window.used(300)).toBe(3);
    // Reserved ahead: two waiters get two slots, never the same one.
    expect(window.take(300)).toBe(1_000);
    expect(window.take(300)).toBe(1_100);
    expect(window.nextSlot(1_050)).toBe(1_200);
    expect(window.nextSlot(5_000)).toBe(5_000);
    expect(window.used(5_000)).toBe(0);
  });

  it('never lets more than `limit` calls into any window, however the callers come', () => {
    const window = new SlidingWindow({ limit: 7, windowMs: 1_000 });
    const taken: number[] = [];
    let now = 0;
    for (let call = 0; call < 200; call++) {
      now += (call * 7919) % 130;
      taken.push(window.take(now));
    }
    for (const start of taken)
      expect(taken.filter((at) => at >= start && at < start + 1_000).length).toBeLessThanOrEqual(7);
  });
});
