import { describe, expect, it } from 'vitest';
import { nextPollIntervalMs } from '../workflows/poll-interval.js';
import { retryDelayMs } from '../common/backoff.js';
import { deriveTaskName } from '../workflows/task-name.js';

describe('task name derived from the workflow id', () => {
  it('is stable, prefixed and keeps a plain id readable', () => {
    expect(deriveTaskName('nightly-import-42')).toBe('dcsm-nightly-import-42');
    expect(deriveTaskName('nightly-import-42')).toBe(deriveTaskName('nightly-import-42'));
  });

  it('sanitizes characters DCS names do not allow and tells apart ids that sanitize alike', () => {
    const a = deriveTaskName('ops/import:1');
    const b = deriveTaskName('ops-import-1');
    expect(a).toMatch(/^[A-Za-z][A-Za-z0-9_-]{3,63}$/);
    expect(a).not.toBe(b);
  });

  it('bounds the length and keeps long ids distinct', () => {
    const long = 'x'.repeat(200);
    const name = deriveTaskName(long);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(deriveTaskName(`${long}y`)).not.toBe(name);
  });
});

describe('poll interval', () => {
  const polling = { initialInterval: 1_000, maxInterval: 10_000, backoffFactor: 2 };
  it('starts quick, grows while nothing changes, and stops at the cap', () => {
    expect(nextPollIntervalMs(0, polling)).toBe(1_000);
    expect(nextPollIntervalMs(1, polling)).toBe(2_000);
    expect(nextPollIntervalMs(3, polling)).toBe(8_000);
    expect(nextPollIntervalMs(50, polling)).toBe(10_000);
  });
});

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
