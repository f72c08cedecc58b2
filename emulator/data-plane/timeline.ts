/**
 * A data plane that moves no data: each run advances through its phases on a fixed schedule read from the clock,
 * with stats that grow with time. It exists so benchmarks can run thousands of migrations against the emulator and
 * measure the orchestration alone (issue 8); the schedule is deterministic and every phase change is recorded with
 * its time, so the lag until a client notices a change can be measured.
 */
import type { BackupImportOptions, DataPlane, DataPlaneRun, RunMethod, RunPhase, RunStats } from './contract.js';

export interface TimelineSettings {
  /** How long a run stays in full sync before it succeeds (full, backup import) or goes incremental. */
  fullSyncMs: number;
  /**
   * Spread end times: run k's full sync lasts `fullSyncMs + spread(k)`, spread(k) in [0, fullSyncSpreadMs) from a
   * low-discrepancy sequence over the run's index, so runs started together do not change status in lockstep with
   * their pollers (which would make notice lags look better or worse than they are). Default 0.
   */
  fullSyncSpreadMs?: number;
  /** Fail the run this long after it started (if before the end of its full sync). */
  failAfterMs?: number;
  /** How long a stop takes (`stopping` → `stopped`); default 200 ms. */
  stopMs?: number;
  /** Keys the pretend source holds (stats only); default 100,000. */
  keys?: number;
}

/** A phase change of a run and when it happened (epoch ms). */
export interface PhaseChange {
  phase: RunPhase;
  at: number;
}

/** A run that can tell when each of its phase changes happened. */
export interface RecordedRun extends DataPlaneRun {
  phaseChanges(): PhaseChange[];
}

export function isRecordedRun(run: DataPlaneRun): run is RecordedRun {
  return typeof (run as Partial<RecordedRun>).phaseChanges === 'function';
}

export function createTimelineDataPlane(settings: TimelineSettings, now: () => number = Date.now): DataPlane {
  let runs = 0;
  // Golden-ratio sequence: deterministic and evenly spread for any number of runs.
  const spreadOf = (index: number): number =>
    Math.floor(((index * 0.6180339887498949) % 1) * (settings.fullSyncSpreadMs ?? 0));
  return {
    startOnlineMigration: (options) => new TimelineRun(settings, options.method, now, spreadOf(runs++)),
    startBackupImport: (_options: BackupImportOptions) => new TimelineRun(settings, 'full', now, spreadOf(runs++)),
  };
}

const FAILURE_MESSAGE = 'the timeline failed the run on schedule';

class TimelineRun implements RecordedRun {
  private readonly startedAt: number;
  private readonly endOfFullSync: number;
  private readonly failAt: number | undefined;
  private readonly keys: number;
  private stopAt: number | undefined;
  private stoppedAt: number | undefined;
  private resolveEnded!: () => void;
  readonly ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly settings: TimelineSettings,
    private readonly method: RunMethod,
    private readonly now: () => number,
    spreadMs: number,
  ) {
    this.startedAt = now();
    this.endOfFullSync = this.startedAt + settings.fullSyncMs + spreadMs;
    const failAfter = settings.failAfterMs;
    this.failAt =
      failAfter !== undefined && this.startedAt + failAfter < this.endOfFullSync
        ? this.startedAt + failAfter
        : undefined;
    this.keys = settings.keys ?? 100_000;
    // `ended` must resolve by itself when the schedule ends a run (full sync done or failure).
    const selfEnd = this.failAt ?? (method === 'full' ? this.endOfFullSync : undefined);
    if (selfEnd !== undefined) this.schedule(selfEnd - this.startedAt, () => this.resolveEnded());
  }

  phaseChanges(): PhaseChange[] {
    const changes: PhaseChange[] = [{ phase: 'full-sync', at: this.startedAt }];
    const cut = this.stopAt ?? Infinity;
    const current = this.now();
    const push = (phase: RunPhase, at: number): void => {
      if (at <= current) changes.push({ phase, at });
    };
    if (this.failAt !== undefined && this.failAt < cut) push('failed', this.failAt);
    else if (this.endOfFullSync < cut) push(this.method === 'full' ? 'succeeded' : 'incremental', this.endOfFullSync);
    if (this.stopAt !== undefined && this.stoppedAt !== undefined) {
      push('stopping', this.stopAt);
      push('stopped', this.stoppedAt);
    }
    return changes;
  }

  phase(): RunPhase {
    return this.phaseChanges().at(-1)?.phase ?? 'full-sync';
  }

  error(): string | undefined {
    return this.phase() === 'failed' ? FAILURE_MESSAGE : undefined;
  }

  /** The timeline's failures stand for a lasting refusal, not a lost connection. */
  failedOnConnection(): boolean {
    return false;
  }

  stats(): RunStats {
    const phase = this.phase();
    const elapsed = Math.min(this.now(), this.stopAt ?? Infinity) - this.startedAt;
    const fraction = Math.min(1, Math.max(0, elapsed / Math.max(1, this.endOfFullSync - this.startedAt)));
    const keysCopied = Math.floor(this.keys * fraction);
    const copying = phase === 'full-sync';
    return {
      fullMigrationProgress: Math.floor(fraction * 100),
      offset: 0,
      sourceDbSize: this.keys,
      targetDbSize: keysCopied,
      targetOps: copying ? Math.round(this.keys / Math.max(1, this.settings.fullSyncMs / 1000)) : 0,
      targetInputKbps: copying ? Math.round(this.keys / Math.max(1, this.settings.fullSyncMs / 1000) / 10) : 0,
      isMigrating: copying || phase === 'incremental',
      keysCopied,
    };
  }

  stop(): Promise<void> {
    if (this.stopAt === undefined) {
      const phase = this.phase();
      if (phase !== 'full-sync' && phase !== 'incremental') return this.ended;
      const stopMs = this.settings.stopMs ?? 200;
      this.stopAt = this.now();
      this.stoppedAt = this.stopAt + stopMs;
      this.clearTimers();
      this.schedule(stopMs, () => this.resolveEnded());
    }
    return this.ended;
  }

  private schedule(ms: number, action: () => void): void {
    const timer = setTimeout(action, Math.max(0, ms));
    timer.unref();
    this.timers.push(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
  }
}
