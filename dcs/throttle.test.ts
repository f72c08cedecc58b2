import { describe, expect, it } from 'vitest';
import { DcsNetworkError, DcsRateLimitedError, DcsServerError } from './errors/index.js';
import { DcsThrottle, type ThrottleChange } from './throttle.js';

// The client's own throttle on a hand-driven clock: holds, probes, pacing. Over real HTTP against the emulator's
// outage and rate limit: dcs/throttle-emulator.test.ts.

const throttledAnswer = (retryAfterMs?: number) =>
  new DcsRateLimitedError('ListMigrationTask failed: HTTP 429 APIGW.0308: …limit:10,time:1 minute', retryAfterMs, {
    httpStatus: 429,
    errorCode: 'APIGW.0308',
    rateLimit: { limit: 10, windowMs: 60_000 },
  });
const refused = () =>
  new DcsNetworkError('ListMigrationTask to http://x failed: could not reach the endpoint (ECONNREFUSED)');

function harness(options: ConstructorParameters<typeof DcsThrottle>[0] = {}) {
  let now = 1_000_000;
  const changes: ThrottleChange[] = [];
  const throttle = new DcsThrottle({
    now: () => now,
    random: () => 0.5,
    onChange: (change) => changes.push(change),
    ...options,
  });
  let sent = 0;
  const call = async (answer: 'ok' | Error, operation: string): Promise<unknown> =>
    throttle.run(operation, async () => {
      sent += 1;
      if (answer !== 'ok') throw answer;
      return 'ok';
    });
  /** What a call does now: sent (its answer) or refused without being sent (the refusal). */
  const attempt = async (answer: 'ok' | Error, operation = 'ListMigrationTask') => {
    const before = sent;
    try {
      const result = await call(answer, operation);
      return { sent: sent > before, result };
    } catch (error) {
      return { sent: sent > before, error: error as Error & { retryAfterMs?: number; local?: boolean } };
    }
  };
  return { throttle, changes, attempt, advance: (ms: number) => (now += ms), sent: () => sent };
}

describe('DCS client throttle', () => {
  it('after a 429, holds every call (refused unsent, with the rest of the hold to wait), then probes once', async () => {
    const h = harness();
    expect((await h.attempt(throttledAnswer())).sent).toBe(true);
    // No Retry-After: the first hold is 2 s, jittered between 1 and 2 s (random 0.5: 1.5 s).
    const held = await h.attempt('ok');
    expect(held.sent).toBe(false);
    expect(held.error).toBeInstanceOf(DcsRateLimitedError);
    expect(held.error).toMatchObject({ local: true, errorCode: 'APIGW.0308' });
    expect(held.error!.message).toMatch(/^ListMigrationTask not sent: DCS is throttling this client/);
    // The rest of the hold plus up to one hold of spread, so refused callers do not come back in lockstep.
    expect(held.error!.retryAfterMs).toBe(1_500 + 750);
    h.advance(1_499);
    expect((await h.attempt('ok')).sent).toBe(false);
    h.advance(1);
    // Hold over: the next call is the probe; an answer ends the hold.
    expect(await h.attempt('ok')).toEqual({ sent: true, result: 'ok' });
    expect((await h.attempt('ok')).sent).toBe(true);
    expect(h.changes.map((change) => change.kind)).toEqual(['pacing', 'held', 'recovered']);
    expect(h.throttle.stats()).toMatchObject({ sent: 3, refused: 2, throttled: 1 });
  });

  it('honours Retry-After, and doubles the hold per 429 in a row up to a minute', async () => {
    const h = harness({ random: () => 0.999999 });
    await h.attempt(throttledAnswer(7_000));
    expect((await h.attempt('ok')).error!.retryAfterMs).toBeGreaterThanOrEqual(7_000);
    const holds: number[] = [];
    for (let i = 0; i < 8; i++) {
      const until = h.throttle.stats().held!.untilMs;
      h.advance(Math.max(0, until - nowOf(h)));
      expect((await h.attempt(throttledAnswer())).sent).toBe(true);
      holds.push(h.throttle.stats().held!.untilMs - nowOf(h));
    }
    // 429s in a row: 2 (the Retry-After one), then 4, 8, … capped at 60 s.
    expect(holds.map((ms) => Math.round(ms / 1000))).toEqual([4, 8, 16, 32, 60, 60, 60, 60]);
  });

  it('holds after `downAfter` calls without an answer; a 5xx is an answer, not an outage', async () => {
    const h = harness();
    await h.attempt(refused());
    await h.attempt(new DcsServerError('HTTP 500'));
    await h.attempt(refused());
    await h.attempt(refused());
    expect((await h.attempt('ok')).sent).toBe(true);
    for (let i = 0; i < 3; i++) await h.attempt(refused());
    const held = await h.attempt('ok');
    expect(held.sent).toBe(false);
    expect(held.error).toBeInstanceOf(DcsNetworkError);
    expect(held.error!.message).toMatch(/not sent: DCS did not answer the last 3 calls .*ECONNREFUSED/);
    expect(h.changes.at(-1)).toMatchObject({ kind: 'held', reason: 'unreachable' });
  });

  it('while down, sends about one call per hold however many callers knock', async () => {
    const h = harness({ random: Math.random });
    for (let i = 0; i < 3; i++) await h.attempt(refused());
    // 50 callers, each coming back when told (retryAfterMs), for 5 minutes of an endpoint that refuses.
    const due = Array.from({ length: 50 }, (_, i) => nowOf(h) + i * 100);
    const end = nowOf(h) + 300_000;
    let attempts = 0;
    while (Math.min(...due) < end) {
      const next = Math.min(...due);
      const caller = due.indexOf(next);
      h.advance(next - nowOf(h));
      attempts += 1;
      const outcome = await h.attempt(refused());
      due[caller] = nowOf(h) + Math.max(1_000, outcome.error?.retryAfterMs ?? 0);
    }
    // Holds of 2, 4, 8, … 60 s: about a dozen calls reach the endpoint in 5 minutes, out of hundreds of attempts.
    expect(h.sent()).toBeGreaterThanOrEqual(5);
    expect(h.sent()).toBeLessThanOrEqual(15);
    expect(attempts).toBeGreaterThan(h.sent() * 10);
  });

  it('paces under the share of a learned limit: reads fill 70 % of it, control calls the rest; refuses beyond maxQueueMs', async () => {
    const h = harness({ share: 0.5, maxQueueMs: 0 });
    await h.attempt(throttledAnswer(1));
    h.advance(10);
    expect(h.throttle.stats().pacedAt).toEqual({ limit: 5, windowMs: 60_000 });
    const reads = [];
    for (let i = 0; i < 5; i++) reads.push(await h.attempt('ok'));
    // floor(5 × 0.7) = 3 reads, leaving the rest of the window to stops.
    expect(reads.map((outcome) => outcome.sent)).toEqual([true, true, true, false, false]);
    expect(reads[3]!.error).toMatchObject({ local: true });
    expect(reads[3]!.error!.message).toMatch(/^ListMigrationTask not sent: paced under 5\/1m/);
    expect(reads[3]!.error!.retryAfterMs).toBeGreaterThanOrEqual(59_000);
    const stops = [];
    for (let i = 0; i < 3; i++) stops.push((await h.attempt('ok', 'StopMigrationTask')).sent);
    expect(stops).toEqual([true, true, false]);
    h.advance(60_000);
    expect((await h.attempt('ok')).sent).toBe(true);
  });

  it('paces from the start under a configured limit', async () => {
    const h = harness({ rateLimit: { limit: 4, windowMs: 1_000 }, share: 1, maxQueueMs: 0 });
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push((await h.attempt('ok', 'StopMigrationTask')).sent);
    expect(sent).toEqual([true, true, true, true, false, false]);
  });
});

function nowOf(h: ReturnType<typeof harness>): number {
  return h.advance(0);
}
