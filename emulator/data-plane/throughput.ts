/**
 * Operations and bytes written to the target, averaged over the last few seconds: what DCS reports as
 * `target_ops` and `target_input_kbps`. Counts go into one-second buckets so that a read costs nothing.
 */
export class ThroughputMeter {
  private readonly buckets = new Map<number, { ops: number; bytes: number }>();
  /** Every operation recorded so far (one per key written or deleted). */
  totalOps = 0;

  constructor(private readonly windowSeconds = 3) {}

  record(ops: number, bytes: number): void {
    const second = Math.floor(Date.now() / 1000);
    const bucket = this.buckets.get(second) ?? { ops: 0, bytes: 0 };
    this.totalOps += ops;
    bucket.ops += ops;
    bucket.bytes += bytes;
    this.buckets.set(second, bucket);
    for (const key of this.buckets.keys()) if (key <= second - this.windowSeconds - 1) this.buckets.delete(key);
  }

  /** Averages over the last `windowSeconds` complete seconds plus the current one (so a burst shows at once). */
  rates(): { opsPerSecond: number; kbPerSecond: number } {
    const now = Math.floor(Date.now() / 1000);
    let ops = 0;
    let bytes = 0;
    for (const [second, bucket] of this.buckets) {
      if (second > now - this.windowSeconds) {
        ops += bucket.ops;
        bytes += bucket.bytes;
      }
    }
    return {
      opsPerSecond: Math.round(ops / this.windowSeconds),
      kbPerSecond: Math.round(bytes / 1024 / this.windowSeconds),
    };
  }
}
