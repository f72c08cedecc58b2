/**
 * When the task's current phase is expected to end, estimated from the progress the workflow has read
 * (ShowMigrationTaskStats results in its history) and the workflow time of each read: the full sync ends when its
 * copied fraction reaches 1, at the rate of the recent reads. Pure and deterministic (workflow code calls it); the
 * poll schedule around the estimate is `poll-interval.ts`'s.
 *
 * The estimate is only a hint: the workflow still reads the status, and an estimate that passed without the
 * change ({@link MAX_MISSES} times in one phase) is dropped, leaving the plain backoff.
 */
import type { MigrationProgress } from '../common/workflow-contract.js';

/** One progress read: the copied fraction (0..1) at a workflow time (ms). */
export interface ProgressSample {
  at: number;
  fraction: number;
}

/** The progress reads of the current remote status (reset when it changes), carried in the workflow state. */
export interface PhaseTrack {
  /** The remote status these samples belong to. */
  status: string;
  /** Oldest first; at most {@link MAX_SAMPLES}. */
  samples: ProgressSample[];
  /** Estimates of this phase that passed (by more than the schedule's window) without the change. */
  misses: number;
}

/** Reads spanning at least this much progress make the rate; fewer and rounding (1 % steps) would dominate it. */
const MIN_RATE_SPAN = 0.05;
const MAX_SAMPLES = 3;
/** After this many estimates that proved wrong, the phase is polled on the plain backoff. */
export const MAX_MISSES = 2;

/**
 * The copied fraction a stats read shows: keys copied over keys to copy when DCS gives both (fine-grained), else
 * `full_migration_progress` (whole percent). Undefined when it shows neither.
 */
export function progressFraction(progress: MigrationProgress | undefined): number | undefined {
  if (!progress) return undefined;
  const { sourceDbSize, targetDbSize, fullMigrationProgress } = progress;
  if (sourceDbSize !== undefined && sourceDbSize > 0 && targetDbSize !== undefined && targetDbSize >= 0)
    return Math.min(1, targetDbSize / sourceDbSize);
  if (fullMigrationProgress !== undefined && fullMigrationProgress >= 0)
    return Math.min(1, fullMigrationProgress / 100);
  return undefined;
}

/**
 * Adds a progress read of `status` at `at` to the track (a new status starts a new track). `missWindowMs`: how
 * long after an estimate a read still counts as around it; a read later than that, with the status unchanged,
 * counts the estimate as missed.
 */
export function noteProgress(
  track: PhaseTrack | undefined,
  status: string,
  sample: ProgressSample | undefined,
  missWindowMs: number,
): PhaseTrack {
  const current: PhaseTrack =
    track?.status === status ? { ...track, samples: [...track.samples] } : { status, samples: [], misses: 0 };
  if (sample === undefined) return current;
  const estimated = estimatePhaseEnd(current);
  if (estimated !== undefined && sample.at > estimated + missWindowMs) current.misses += 1;
  const previous = current.samples.at(-1);
  // Progress going backwards means a restarted copy: the rate so far says nothing about the rest.
  if (previous !== undefined && sample.fraction < previous.fraction) current.samples = [];
  current.samples.push(sample);
  // Keep the most recent span that still covers MIN_RATE_SPAN: the rate follows a change of speed within a read or two.
  while (current.samples.length > 2 && sample.fraction - current.samples[1]!.fraction >= MIN_RATE_SPAN)
    current.samples.shift();
  while (current.samples.length > MAX_SAMPLES) current.samples.shift();
  return current;
}

/**
 * When the phase of `track` is expected to end (workflow time, ms), or undefined: fewer than two reads, no
 * progress between them, or too many misses. A complete copy (fraction 1) is expected to end at that read.
 */
export function estimatePhaseEnd(track: PhaseTrack | undefined): number | undefined {
  if (!track || track.misses >= MAX_MISSES) return undefined;
  const last = track.samples.at(-1);
  if (last === undefined) return undefined;
  // Everything copied but the status not moved on yet: the change is due now.
  if (last.fraction >= 1) return last.at;
  const first = track.samples[0]!;
  if (track.samples.length < 2) return undefined;
  if (last.fraction <= first.fraction || last.at <= first.at) return undefined;
  const rate = (last.fraction - first.fraction) / (last.at - first.at);
  return Math.round(last.at + (1 - last.fraction) / rate);
}

/**
 * A phase without an estimate yet (a single progress read, or no progress between its reads) gets another progress
 * read once the last is `afterMs` old, rather than on the minutes-long regular cadence: the first estimate then
 * comes seconds into the phase.
 */
export function estimateSampleDue(
  track: PhaseTrack | undefined,
  status: string,
  now: number,
  afterMs: number,
): boolean {
  if (track?.status !== status || track.misses >= MAX_MISSES || estimatePhaseEnd(track) !== undefined) return false;
  const last = track.samples.at(-1);
  return last !== undefined && now - last.at >= afterMs;
}
