/**
 * Predictive polling's pure parts: the estimate of the phase end from progress reads (`phase-estimate.ts`) and the
 * read schedule around it (`poll-interval.ts`).
 */
import { describe, expect, it } from 'vitest';
import {
  estimatePhaseEnd,
  estimateSampleDue,
  MAX_MISSES,
  noteProgress,
  progressFraction,
  type PhaseTrack,
} from './phase-estimate.js';
import {
  denseIntervalMs,
  denseLeadMs,
  estimateRefreshDue,
  missWindowMs,
  nextPollIntervalMs,
  nextReadDelayMs,
  refineLeadsMs,
  sparseIntervalMs,
} from './poll-interval.js';

const MIN = 60_000;
const WINDOW = 30_000;

function track(samples: Array<[number, number]>, status = 'FULLMIGRATING'): PhaseTrack {
  return samples.reduce<PhaseTrack | undefined>(
    (t, [at, fraction]) => noteProgress(t, status, { at, fraction }, WINDOW),
    undefined,
  )!;
}

describe('progress fraction', () => {
  it('prefers keys copied over keys to copy, falls back to the whole percent, and knows when it cannot tell', () => {
    expect(progressFraction({ fullMigrationProgress: 33, sourceDbSize: 1_000, targetDbSize: 337 })).toBeCloseTo(0.337);
    expect(progressFraction({ fullMigrationProgress: 33 })).toBeCloseTo(0.33);
    expect(progressFraction({ fullMigrationProgress: 33, sourceDbSize: 0, targetDbSize: 0 })).toBeCloseTo(0.33);
    expect(progressFraction({ offset: 0 })).toBeUndefined();
    expect(progressFraction(undefined)).toBeUndefined();
  });
});

describe('phase end estimate', () => {
  it('needs two reads with progress between them', () => {
    expect(estimatePhaseEnd(track([[0, 0]]))).toBeUndefined();
    expect(
      estimatePhaseEnd(
        track([
          [0, 0.2],
          [MIN, 0.2],
        ]),
      ),
    ).toBeUndefined();
    expect(estimatePhaseEnd(undefined)).toBeUndefined();
  });

  it('extrapolates a steady rate to the end: 10 % in 3 min leaves 27 min for the other 90 %', () => {
    expect(
      estimatePhaseEnd(
        track([
          [0, 0],
          [3 * MIN, 0.1],
        ]),
      ),
    ).toBe(30 * MIN);
  });

  it('follows a change of speed: the rate comes from the most recent reads spanning enough progress', () => {
    // 50 % in 15 min, then twice as slow: 10 % in the next 6 min leaves 40 % at that rate, 24 min.
    const slowed = track([
      [0, 0],
      [15 * MIN, 0.5],
      [18 * MIN, 0.55],
      [21 * MIN, 0.6],
    ]);
    expect(estimatePhaseEnd(slowed)).toBe(45 * MIN);
  });

  it('says "now" once everything is copied, and starts over for a new status or a copy that restarted', () => {
    expect(
      estimatePhaseEnd(
        track([
          [0, 0.4],
          [MIN, 1],
        ]),
      ),
    ).toBe(MIN);
    const moved = noteProgress(
      track([
        [0, 0],
        [MIN, 0.5],
      ]),
      'INCRMIGEATING',
      { at: 2 * MIN, fraction: 1 },
      WINDOW,
    );
    expect(moved.samples).toEqual([{ at: 2 * MIN, fraction: 1 }]);
    const restarted = noteProgress(
      track([
        [0, 0],
        [MIN, 0.5],
      ]),
      'FULLMIGRATING',
      { at: 2 * MIN, fraction: 0.1 },
      WINDOW,
    );
    expect(estimatePhaseEnd(restarted)).toBeUndefined();
  });

  it(`counts an estimate that passed without the change as missed, and gives up after ${MAX_MISSES}`, () => {
    let t = track([
      [0, 0],
      [10 * MIN, 0.5],
    ]); // expected at 20 min
    expect(estimatePhaseEnd(t)).toBe(20 * MIN);
    t = noteProgress(t, 'FULLMIGRATING', { at: 20 * MIN + WINDOW + 1, fraction: 0.9 }, WINDOW);
    expect(t.misses).toBe(1);
    const second = estimatePhaseEnd(t)!;
    expect(second).toBeGreaterThan(20 * MIN + WINDOW);
    t = noteProgress(t, 'FULLMIGRATING', { at: second + WINDOW + 1, fraction: 0.95 }, WINDOW);
    expect(t.misses).toBe(MAX_MISSES);
    expect(estimatePhaseEnd(t)).toBeUndefined();
  });
});

describe('read schedule around an estimate', () => {
  const polling = { initialInterval: 5_000, maxInterval: 60_000, backoffFactor: 1.5 };
  const dense = denseIntervalMs(polling);
  const [early, late] = refineLeadsMs(polling);

  it('is the backoff without an estimate, and sparse in a quiet phase', () => {
    for (const unchanged of [0, 3, 20])
      expect(nextReadDelayMs({ now: 0, unchangedPolls: unchanged, polling })).toBe(
        nextPollIntervalMs(unchanged, polling),
      );
    expect(nextReadDelayMs({ now: 0, unchangedPolls: 0, polling, quiet: true })).toBe(sparseIntervalMs(polling));
  });

  /** The read times after `now` until `until`, following the schedule. */
  function readsFrom(now: number, expectedAt: number, until: number): number[] {
    const reads: number[] = [];
    for (let t = now; t <= until;) {
      t += nextReadDelayMs({ now: t, unchangedPolls: 10, polling, expectedAt });
      reads.push(t);
    }
    return reads;
  }

  it('reads sparsely while the change is far, at each refining lead, then densely around the estimate', () => {
    const expectedAt = 30 * MIN;
    const reads = readsFrom(MIN, expectedAt, expectedAt + 10_000);
    expect(reads).toContain(expectedAt - early);
    expect(reads).toContain(expectedAt - late);
    expect(reads).toContain(expectedAt - denseLeadMs(polling));
    const far = reads.filter((at) => at <= expectedAt - early);
    far.forEach((at, i) => expect(at - (far[i - 1] ?? MIN)).toBeLessThanOrEqual(sparseIntervalMs(polling)));
    expect(far.length).toBe(Math.ceil((29 * MIN - early) / sparseIntervalMs(polling)));
    // From the first dense read on, one every dense interval: a change near the estimate is seen within it.
    const around = reads.filter((at) => at >= expectedAt - denseLeadMs(polling));
    around.slice(1).forEach((at, i) => expect(at - around[i]!).toBe(dense));
    // 29 minutes ahead: 9 sparse reads (the last at the early refining lead), the late refining read, and 8 dense
    // ones from 6 s before to 10 s past the estimate; the backoff's 60 s would make 29, and notice up to 60 s late.
    expect(reads).toHaveLength(18);
  });

  it('returns to the backoff once the estimate is past its window', () => {
    expect(nextReadDelayMs({ now: missWindowMs(polling) + 1, unchangedPolls: 10, polling, expectedAt: 0 })).toBe(
      nextPollIntervalMs(10, polling),
    );
  });

  it('refreshes progress once at each refining read, and again only after the window passed', () => {
    const expectedAt = 30 * MIN;
    expect(estimateRefreshDue(expectedAt - early - dense - 1, expectedAt, 0, polling)).toBe(false);
    expect(estimateRefreshDue(expectedAt - early, expectedAt, 25 * MIN, polling)).toBe(true);
    expect(estimateRefreshDue(expectedAt - early + 10_000, expectedAt, expectedAt - early, polling)).toBe(false);
    expect(estimateRefreshDue(expectedAt - late, expectedAt, expectedAt - early, polling)).toBe(true);
    expect(estimateRefreshDue(expectedAt, expectedAt, expectedAt - late, polling)).toBe(false);
    expect(estimateRefreshDue(expectedAt + missWindowMs(polling) + 1, expectedAt, expectedAt - late, polling)).toBe(
      true,
    );
    expect(
      estimateRefreshDue(
        expectedAt + missWindowMs(polling) + 5_000,
        expectedAt,
        expectedAt + missWindowMs(polling) + 1,
        polling,
      ),
    ).toBe(false);
    expect(estimateRefreshDue(0, undefined, undefined, polling)).toBe(false);
  });
});

describe('progress reads for a first estimate', () => {
  it('are due every initialInterval until the reads show a rate, then not', () => {
    const one = track([[0, 0]]);
    expect(estimateSampleDue(one, 'FULLMIGRATING', 4_999, 5_000)).toBe(false);
    expect(estimateSampleDue(one, 'FULLMIGRATING', 5_000, 5_000)).toBe(true);
    expect(estimateSampleDue(one, 'INCRMIGEATING', 5_000, 5_000)).toBe(false);
    const flat = track([
      [0, 0],
      [5_000, 0],
    ]);
    expect(estimateSampleDue(flat, 'FULLMIGRATING', 10_000, 5_000)).toBe(true);
    expect(
      estimateSampleDue(
        track([
          [0, 0],
          [5_000, 0.01],
        ]),
        'FULLMIGRATING',
        60_000,
        5_000,
      ),
    ).toBe(false);
  });
});
