/**
 * Installs the SDK runtime once per process, before any connection: JSON logs (the SDK's own and Core's,
 * forwarded) and, when asked, a Prometheus endpoint serving the worker's metrics on `/metrics`.
 */
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import type { MigrationMetricsRuntime } from './metrics.js';

export interface RuntimeSettings {
  logger: Logger;
  /** `host:port` of the Prometheus endpoint; none when omitted. */
  metricsBindAddress?: string | undefined;
  /** Core (Rust) log level forwarded to `logger`. */
  coreLogLevel?: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Tags and histogram buckets of the migration metrics (`worker/metrics.ts`). */
  migrationMetrics?: MigrationMetricsRuntime;
}

export function installRuntime(settings: RuntimeSettings): Runtime {
  return Runtime.install({
    logger: settings.logger,
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: settings.coreLogLevel ?? 'WARN' }) },
      ...(settings.metricsBindAddress
        ? {
            metrics: {
              ...(settings.migrationMetrics ? { globalTags: settings.migrationMetrics.globalTags } : {}),
              prometheus: {
                bindAddress: settings.metricsBindAddress,
                ...(settings.migrationMetrics
                  ? { histogramBucketOverrides: settings.migrationMetrics.histogramBucketOverrides }
                  : {}),
              },
            },
          }
        : {}),
    },
  });
}
