/**
 * Installs the SDK runtime once per process, before any connection: JSON logs (the SDK's own and Core's,
 * forwarded) and, when asked, a Prometheus endpoint serving the worker's metrics on `/metrics`.
 */
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from '@temporalio/common';

export interface RuntimeSettings {
  logger: Logger;
  /** `host:port` of the Prometheus endpoint; none when omitted. */
  metricsBindAddress?: string | undefined;
  /** Core (Rust) log level forwarded to `logger`. */
  coreLogLevel?: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

export function installRuntime(settings: RuntimeSettings): Runtime {
  return Runtime.install({
    logger: settings.logger,
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: settings.coreLogLevel ?? 'WARN' }) },
      ...(settings.metricsBindAddress ? { metrics: { prometheus: { bindAddress: settings.metricsBindAddress } } } : {}),
    },
  });
}
