import type { RedisConnections } from './connections.js';
import type { DataPlaneFaults, DataPlaneRun, RunPhase, RunStats, ShardStats } from './contract.js';
import { FaultSchedule } from './faults.js';
import { RunLifecycle } from './run-lifecycle.js';
import { SizePoller } from './size-poller.js';
import { ThroughputMeter } from './throughput.js';

/**
 * What every data-plane run shares, whatever it copies from (a live source, a loaded backup): its lifecycle, the
 * write meter, the size poller, the fault schedule, and the answers to `phase`, `error`, `stats` and `stop`. A
 * subclass sets up its connections, then calls {@link begin} at the end of its constructor, so the poller and the
 * run loop never see a half-built run.
 */
export abstract class RunBase implements DataPlaneRun {
  protected readonly lifecycle = new RunLifecycle();
  protected readonly meter = new ThroughputMeter();
  protected readonly faults: FaultSchedule;
  protected readonly poller: SizePoller;
  /** 0–100, as `stats().fullMigrationProgress`. */
  protected progress = 0;
  readonly ended: Promise<void>;

  protected constructor(
    faults: DataPlaneFaults | undefined,
    sides: () => { source?: RedisConnections | undefined; target: RedisConnections },
  ) {
    this.faults = new FaultSchedule(faults);
    this.poller = new SizePoller(sides);
    this.ended = this.lifecycle.ended;
  }

  /** Changes waiting to be applied to the target (`stats().offset`). */
  protected abstract pendingChanges(): number;
  /** The run loop; it ends the lifecycle whichever way it ends. */
  protected abstract run(): Promise<void>;

  /** Per-shard progress of a cluster source (`stats().shards`); none by default. */
  protected shardStats(): ShardStats[] | undefined {
    return undefined;
  }

  protected begin(): void {
    this.poller.start();
    void this.run();
  }

  phase(): RunPhase {
    return this.lifecycle.phase;
  }

  error(): string | undefined {
    return this.lifecycle.error;
  }

  failedOnConnection(): boolean {
    return this.lifecycle.failedOnConnection;
  }

  stats(): RunStats {
    const { opsPerSecond, kbPerSecond } = this.meter.rates();
    const shards = this.shardStats();
    return {
      ...(shards ? { shards } : {}),
      fullMigrationProgress: this.progress,
      offset: this.pendingChanges(),
      sourceDbSize: this.poller.sourceDbSize,
      targetDbSize: this.poller.targetDbSize,
      targetOps: opsPerSecond,
      targetInputKbps: kbPerSecond,
      isMigrating: this.lifecycle.isActive,
      keysCopied: this.meter.totalOps,
    };
  }

  async stop(): Promise<void> {
    if (this.lifecycle.isActive) {
      this.lifecycle.stopRequested = true;
      this.lifecycle.enter('stopping');
    }
    await this.ended;
  }
}
