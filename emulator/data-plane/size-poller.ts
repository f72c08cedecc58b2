import type { RedisConnections } from './connections.js';
import { keyspaceSizes, totalKeys } from './keyspace.js';

/**
 * Keeps `source_dbsize` / `target_dbsize` fresh for `stats()`, which must answer synchronously: polls both sides
 * once a second while the run is active. A failed poll keeps the last value; the run's own loop reports failures.
 */
export class SizePoller {
  sourceDbSize = 0;
  targetDbSize = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sides: () => { source?: RedisConnections | undefined; target: RedisConnections },
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
    void this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async refresh(): Promise<void> {
    const { source, target } = this.sides();
    const [sourceSize, targetSize] = await Promise.allSettled([
      source ? keyspaceSizes(source) : Promise.resolve(undefined),
      keyspaceSizes(target),
    ]);
    if (sourceSize.status === 'fulfilled' && sourceSize.value) this.sourceDbSize = totalKeys(sourceSize.value);
    if (targetSize.status === 'fulfilled') this.targetDbSize = totalKeys(targetSize.value);
  }
}
