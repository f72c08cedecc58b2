import { describe, expect, it } from 'vitest';
import { nextPollIntervalMs } from './poll-interval.js';

describe('poll interval', () => {
  const polling = { initialInterval: 1_000, maxInterval: 10_000, backoffFactor: 2 };
  it('starts quick, grows while nothing changes, and stops at the cap', () => {
    expect(nextPollIntervalMs(0, polling)).toBe(1_000);
    expect(nextPollIntervalMs(1, polling)).toBe(2_000);
    expect(nextPollIntervalMs(3, polling)).toBe(8_000);
    expect(nextPollIntervalMs(50, polling)).toBe(10_000);
  });
});
