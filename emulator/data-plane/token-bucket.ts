/**
 * Caps the bytes per second written to the target (`bandwidth_limit_mb`). A writer takes what it is about to
 * send; when that overdraws the bucket it waits until the debt is paid back. Letting a single take overdraw
 * (instead of refusing takes larger than the bucket) keeps big keys working at any limit while the long-run
 * rate stays at `bytesPerSecond`.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt = performance.now();

  constructor(
    private readonly bytesPerSecond: number,
    private readonly burstBytes = Math.max(64 * 1024, bytesPerSecond / 8),
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`bytesPerSecond must be positive, got ${bytesPerSecond}`);
    this.tokens = burstBytes;
  }

  /** Resolves once `bytes` may be sent. */
  async take(bytes: number): Promise<void> {
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens / this.bytesPerSecond) * 1000;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.burstBytes, this.tokens + ((now - this.refilledAt) / 1000) * this.bytesPerSecond);
    this.refilledAt = now;
  }
}

/** `bandwidth_limit_mb` (megabytes per second) as a bucket, or undefined for no limit. */
export function bandwidthLimiter(limitMb: number | undefined): TokenBucket | undefined {
  return limitMb === undefined ? undefined : new TokenBucket(limitMb * 1024 * 1024);
}
