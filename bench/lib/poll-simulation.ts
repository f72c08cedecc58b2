/**
 * The notice lag of each polling client, simulated: a seeded set of remote timelines (creation, full sync,
 * incremental hold, stop, each with some spread) played against the call sequence of each client, in virtual time,
 * so hundreds of migrations give a median and a p99 in milliseconds. The clients' waits come from the workflow's own
 * pure decisions (`workflows/poll-interval.ts`, `workflows/phase-estimate.ts`, `common/dcs-status.ts`); the loop
 * around them mirrors `workflows/steps/{provision,watch,stop}.ts` (one lookup, create, job polls, configure, watch,
 * progress reads, stop), and bench/api-economy.ts checks it against the real workflow on the time-skipping server.
 */
import { classifyStatus, TaskStatus } from '../../common/dcs-status.js';
import { seededRandom } from '../../common/seeded-random.js';
import {
  estimatePhaseEnd,
  noteProgress,
  progressFraction,
  estimateSampleDue,
  type PhaseTrack,
} from '../../workflows/phase-estimate.js';
import {
  estimateRefreshDue,
  missWindowMs,
  nextPollIntervalMs,
  nextReadDelayMs,
  estimateSampleAfterMs,
} from '../../workflows/poll-interval.js';

/** One remote timeline, relative to the create call (ms). */
export interface SimTimeline {
  method: 'full' | 'incremental';
  creatingMs: number;
  fullSyncMs: number;
  /** Fraction of the keys copied at the first rate (the rest at the second): 0.5 and a slower second half. */
  rateChange?: { atFraction: number; firstShareOfTime: number };
  /**
   * The copy's speed wobbles by ±`amplitude` around its mean, `cycles` times over the sync, from `phase` (radians):
   * no real copy runs at one rate, and an estimate from a perfectly straight line would look better than it is.
   */
  wobble?: { amplitude: number; cycles: number; phase: number };
  /** Incremental: how long the hold lasts before the cutover (the workflow's `hold.maxDuration`). */
  holdMs?: number;
  stopMs: number;
}

export interface SimScenario {
  name: string;
  base: SimTimeline;
  /** Uniform spread added to each duration, per sample (ms). */
  spread: { creatingMs: number; fullSyncMs: number; stopMs: number };
  /** Speed wobble of every sample's copy (its phase drawn per sample). */
  wobble?: { amplitude: number; cycles: number };
  /** The transition whose notice lag is reported: the end of the full sync, or the end of the stop after cutover. */
  measured: 'SUCCESS' | 'TERMINATED';
}

export type SimClient = 'terraform' | 'backoff' | 'predictive';

export interface SimOutcome {
  calls: number;
  /** Calls from the configure call to the notice of the end of the full sync (the phase the estimate is about). */
  syncCalls: number;
  byOperation: Record<string, number>;
  /** Remote transition → the client's read that saw it (ms). */
  lagMs: number;
}

/** Default polling of `common/migration-input.ts`. */
const POLLING = { initialInterval: 5_000, maxInterval: 60_000, backoffFactor: 1.5 };
const PROGRESS_INTERVAL_MS = 300_000;
/** A DCS call's round trip: its answer reflects the task when it starts, the client goes on when it returns. */
const CALL_MS = 150;
const KEYS = 100_000;

/** The remote task on a timeline, once configured at `configuredAt` and stopped at `stoppedAt`. */
class Remote {
  configuredAt: number | undefined;
  stoppedAt: number | undefined;
  constructor(readonly timeline: SimTimeline) {}

  endOfSync(): number | undefined {
    return this.configuredAt === undefined ? undefined : this.configuredAt + this.timeline.fullSyncMs;
  }

  endOfStop(): number | undefined {
    return this.stoppedAt === undefined ? undefined : this.stoppedAt + this.timeline.stopMs;
  }

  jobDone(t: number): boolean {
    return t >= this.timeline.creatingMs;
  }

  fraction(t: number): number {
    const { configuredAt, timeline } = this;
    if (configuredAt === undefined) return 0;
    const linear = Math.min(
      1,
      Math.max(0, (Math.min(t, this.stoppedAt ?? Infinity) - configuredAt) / timeline.fullSyncMs),
    );
    const w = timeline.wobble;
    // Speed 1 + a·cos(2πkx + φ): the offset keeps the curve at 0 and 1 at both ends, and monotone for a < 1.
    const x = w
      ? Math.min(
          1,
          Math.max(
            0,
            linear +
              (w.amplitude / (2 * Math.PI * w.cycles)) *
                (Math.sin(2 * Math.PI * w.cycles * linear + w.phase) -
                  Math.sin(w.phase) -
                  linear * (Math.sin(2 * Math.PI * w.cycles + w.phase) - Math.sin(w.phase))),
          ),
        )
      : linear;
    const change = timeline.rateChange;
    if (!change) return x;
    return x <= change.firstShareOfTime
      ? (x / change.firstShareOfTime) * change.atFraction
      : change.atFraction + ((x - change.firstShareOfTime) / (1 - change.firstShareOfTime)) * (1 - change.atFraction);
  }

  status(t: number): string {
    if (this.stoppedAt !== undefined && t >= this.stoppedAt)
      return t >= this.endOfStop()! ? 'TERMINATED' : 'TERMINATING';
    if (!this.jobDone(t)) return 'CREATING';
    const end = this.endOfSync();
    if (end === undefined) return 'RUNNING';
    if (t < end) return 'FULLMIGRATING';
    return this.timeline.method === 'full' ? TaskStatus.Success : TaskStatus.Incremental;
  }

  stats(t: number) {
    const fraction = this.fraction(t);
    return {
      fullMigrationProgress: Math.floor(fraction * 100),
      sourceDbSize: KEYS,
      targetDbSize: Math.floor(fraction * KEYS),
    };
  }
}

class Calls {
  t = 0;
  readonly byOperation: Record<string, number> = {};
  readonly times: number[] = [];
  call(operation: string): number {
    const at = this.t;
    this.times.push(at);
    this.byOperation[operation] = (this.byOperation[operation] ?? 0) + 1;
    this.t += CALL_MS;
    return at;
  }
  wait(ms: number): void {
    this.t += Math.max(1, ms);
  }
  get total(): number {
    return Object.values(this.byOperation).reduce((a, b) => a + b, 0);
  }
}

/** The Terraform provider's sequence (docs/dcs-api.md §3.1), watching the hold at its 10 s poll. */
function terraform(remote: Remote): { calls: Calls; noticed: Map<string, number> } {
  const calls = new Calls();
  const noticed = new Map<string, number>();
  const pollUntil = (wanted: string): void => {
    calls.wait(10_000);
    for (;;) {
      const status = remote.status(calls.call('ShowMigrationTask'));
      if (status === wanted) {
        noticed.set(wanted, calls.t);
        return;
      }
      calls.wait(10_000);
    }
  };
  calls.call('CreateOnlineMigrationTask');
  calls.wait(2_000);
  while (!remote.jobDone(calls.call('ShowJobInfo'))) calls.wait(10_000);
  remote.configuredAt = calls.call('SetOnlineMigrationTask');
  if (remote.timeline.method === 'full') {
    pollUntil('SUCCESS');
  } else {
    pollUntil(TaskStatus.Incremental);
    const holdEnds = calls.t + (remote.timeline.holdMs ?? 0);
    while (calls.t < holdEnds) {
      calls.wait(10_000);
      calls.call('ShowMigrationTask');
    }
    remote.stoppedAt = calls.call('StopMigrationTask');
    pollUntil('TERMINATED');
  }
  return { calls, noticed };
}

/** The dcs-migrate workflow, per-task polling with default settings: today's backoff, or predictive. */
function workflow(remote: Remote, predictive: boolean): { calls: Calls; noticed: Map<string, number> } {
  const calls = new Calls();
  const noticed = new Map<string, number>();
  let status: string | undefined;
  let unchanged = 0;
  let progressReadAt: number | undefined;
  let track: PhaseTrack | undefined;
  const observe = (next: string): void => {
    if (next !== status) {
      status = next;
      unchanged = 0;
      noticed.set(next, calls.t);
    } else unchanged += 1;
  };
  const read = (): void => observe(remote.status(calls.call('ListMigrationTask')));
  const expectedAt = (): number | undefined =>
    predictive && classifyStatus(status ?? '') === 'pending' && track?.status === status
      ? estimatePhaseEnd(track)
      : undefined;

  calls.call('ListMigrationTask'); // the lookup by name before creating
  calls.call('CreateOnlineMigrationTask');
  // Provisioning: the job, then the task's RUNNING, then configure (steps/provision.ts).
  for (;;) {
    if (remote.jobDone(calls.call('ShowJobInfo'))) break;
    unchanged += 1;
    calls.wait(nextPollIntervalMs(unchanged, POLLING));
  }
  read();
  remote.configuredAt = calls.call('SetOnlineMigrationTask');
  observe('MIGRATING');
  // Watch (steps/watch.ts), then the stop (steps/stop.ts).
  let holdStartedAt: number | undefined;
  for (;;) {
    read();
    const statusClass = classifyStatus(status ?? '');
    if (statusClass === 'succeeded') break;
    if (statusClass === 'pending' || statusClass === 'incremental') {
      const now = calls.t;
      const due = unchanged === 0 || progressReadAt === undefined || now - progressReadAt >= PROGRESS_INTERVAL_MS;
      const expected = expectedAt();
      const refine =
        predictive &&
        (expected === undefined
          ? statusClass === 'pending' && estimateSampleDue(track, status!, now, estimateSampleAfterMs(POLLING))
          : estimateRefreshDue(now, expected, progressReadAt, POLLING));
      if (due || refine) {
        progressReadAt = now;
        const progress = remote.stats(calls.call('ShowMigrationTaskStats'));
        if (predictive && statusClass === 'pending') {
          const fraction = progressFraction(progress);
          track = noteProgress(
            track,
            status!,
            fraction === undefined ? undefined : { at: now, fraction },
            missWindowMs(POLLING),
          );
        }
      }
    }
    let capMs = Infinity;
    if (statusClass === 'incremental') {
      holdStartedAt ??= calls.t;
      capMs = holdStartedAt + (remote.timeline.holdMs ?? Infinity) - calls.t;
      if (capMs <= 0) break;
    }
    const quiet = predictive && statusClass === 'incremental';
    const planned = predictive
      ? nextReadDelayMs({ now: calls.t, unchangedPolls: unchanged, polling: POLLING, expectedAt: expectedAt(), quiet })
      : nextPollIntervalMs(unchanged, POLLING);
    calls.wait(Math.min(planned, capMs));
  }
  if (remote.timeline.method === 'incremental') {
    for (let stopped = false; ;) {
      read();
      if (status === 'TERMINATED') break;
      if (!stopped) {
        remote.stoppedAt = calls.call('StopMigrationTask');
        stopped = true;
        observe('TERMINATING');
      }
      calls.wait(nextPollIntervalMs(unchanged, POLLING));
    }
  }
  return { calls, noticed };
}

function transitionAt(remote: Remote, measured: SimScenario['measured']): number {
  return measured === 'SUCCESS' ? remote.endOfSync()! : remote.endOfStop()!;
}

/** Plays `samples` timelines of the scenario against the client (same seed, same timelines for every client). */
export function simulate(scenario: SimScenario, client: SimClient, samples: number, seed = 1): SimOutcome[] {
  const random = seededRandom(seed);
  const outcomes: SimOutcome[] = [];
  for (let i = 0; i < samples; i++) {
    const { base, spread } = scenario;
    const timeline: SimTimeline = {
      ...base,
      creatingMs: base.creatingMs + random() * spread.creatingMs,
      fullSyncMs: base.fullSyncMs + random() * spread.fullSyncMs,
      stopMs: base.stopMs + random() * spread.stopMs,
      ...(scenario.wobble ? { wobble: { ...scenario.wobble, phase: random() * 2 * Math.PI } } : {}),
    };
    const remote = new Remote(timeline);
    const { calls, noticed } = client === 'terraform' ? terraform(remote) : workflow(remote, client === 'predictive');
    const seen = noticed.get(scenario.measured);
    if (seen === undefined) throw new Error(`${client} never saw ${scenario.measured} in ${scenario.name}`);
    const syncEnd = noticed.get(timeline.method === 'full' ? TaskStatus.Success : TaskStatus.Incremental) ?? Infinity;
    const syncCalls = calls.times.filter((at) => at >= remote.configuredAt! && at < syncEnd).length;
    outcomes.push({
      calls: calls.total,
      syncCalls,
      byOperation: calls.byOperation,
      lagMs: seen - transitionAt(remote, scenario.measured),
    });
  }
  return outcomes;
}

const MIN = 60_000;
const SPREAD = { creatingMs: 20_000, fullSyncMs: 2 * MIN, stopMs: 10_000 };
/** Every copy's speed wobbles ±20 % (three swings over the sync): real copies never run at one rate. */
const WOBBLE = { amplitude: 0.2, cycles: 3 };

/** The timelines of bench/api-economy.ts: machine creation 2 min, full sync 30 min (+ up to 2 min), stop 10–20 s. */
export const SIM_SCENARIOS: Record<string, SimScenario> = {
  full30m: {
    name: 'full30m',
    base: { method: 'full', creatingMs: 2 * MIN, fullSyncMs: 30 * MIN, stopMs: 10_000 },
    spread: SPREAD,
    wobble: WOBBLE,
    measured: 'SUCCESS',
  },
  hold24h: {
    name: 'hold24h',
    base: { method: 'incremental', creatingMs: 2 * MIN, fullSyncMs: 30 * MIN, holdMs: 24 * 60 * MIN, stopMs: 10_000 },
    spread: SPREAD,
    wobble: WOBBLE,
    measured: 'TERMINATED',
  },
  rateChange30m: {
    name: 'rateChange30m',
    // Half the keys in the first 10 min, the other half in 20: the copy slows to half speed half-way.
    base: {
      method: 'full',
      creatingMs: 2 * MIN,
      fullSyncMs: 30 * MIN,
      stopMs: 10_000,
      rateChange: { atFraction: 0.5, firstShareOfTime: 1 / 3 },
    },
    spread: SPREAD,
    wobble: WOBBLE,
    measured: 'SUCCESS',
  },
};

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
