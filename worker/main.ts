/**
 * `dcs-migrate worker`: the long-running process that executes migration workflows and their DCS activities.
 *
 * - Temporal connection from `@temporalio/envconfig` (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key,
 *   profiles), the namespace passed explicitly.
 * - Graceful shutdown on SIGINT/SIGTERM (the SDK runtime's shutdown signals): polling stops, in-flight activities
 *   get `shutdownGraceTime` to finish, then the process exits 0.
 * - Prometheus metrics on `--metrics-port`, structured JSON logs without secrets.
 * - A prebuilt workflow bundle (`--workflow-bundle` / DCS_MIGRATE_WORKFLOW_BUNDLE) skips webpack at start.
 * - A Worker Deployment version (`--deployment-name` / `--build-id`, docs/deploys.md), or unversioned.
 */
import { existsSync, readFileSync } from 'node:fs';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { CodecConfigurationError } from '../codec/codec-keys.js';
import { bundleEncodesFailures, loadDataConverter } from '../codec/data-converter.js';
import { DcsClient } from '../dcs/client.js';
import { DcsConfigurationError } from '../dcs/errors/error-classes.js';
import type { DcsMigrationApi } from '../activities/index.js';
import { allocatorInUse, findJemalloc } from './allocator.js';
import { createMigrationWorker } from './create-worker.js';
import { dcsClientFromEnvironment } from './dcs-from-environment.js';
import { formatRateLimit } from '../common/rate-limit.js';
import type { ThrottleChange } from '../dcs/throttle.js';
import { createJsonLogger } from './logger.js';
import { versioningOf } from './deployment.js';
import { migrationMetricsRuntime, publishWorkerInfo } from './metrics.js';
import { currentPrebuiltBundle, prebuiltVariantFor } from './prebuilt-workflows.js';
import { installRuntime } from './runtime.js';
import { otlpTracesEndpoint } from './tracing-endpoint.js';
import { InvalidWorkerSettingsError, TemporalUnreachableError } from './worker-errors.js';
import type { WorkerSettings } from './worker-options.js';

/** Where the worker finds Temporal (the CLI resolves it from flags, profile and environment). */
export interface WorkerTemporalConnection {
  /** `host:port` of the frontend, for messages and logs. */
  address: string;
  namespace: string;
  connectionOptions: NativeConnectionOptions;
}

/**
 * Runs the worker until a shutdown signal; resolves once it has drained and disconnected. Throws
 * {@link InvalidWorkerSettingsError} or {@link TemporalUnreachableError} when it cannot start.
 */
export async function runWorker(settings: WorkerSettings, temporal: WorkerTemporalConnection): Promise<void> {
  if (settings.workflowBundle !== undefined && !existsSync(settings.workflowBundle)) {
    throw new InvalidWorkerSettingsError(
      `--workflow-bundle: ${settings.workflowBundle} does not exist (build it with: npx tsx tools/bundle-workflows.ts ${settings.workflowBundle})`,
    );
  }
  // The DCS configuration is checked first: a missing endpoint or credential is named before anything connects.
  const logger = createJsonLogger(settings.logLevel);
  let dcs: DcsMigrationApi;
  try {
    dcs = await dcsClientFromEnvironment(process.env, (change) => logThrottleChange(logger, change));
  } catch (error) {
    if (error instanceof DcsConfigurationError) throw new InvalidWorkerSettingsError(error.message, { cause: error });
    throw error;
  }
  // Payload encryption keys (DCS_MIGRATE_CODEC_*) are checked before connecting too.
  let dataConverter: DataConverter | undefined;
  try {
    dataConverter = loadDataConverter(process.env);
  } catch (error) {
    if (error instanceof CodecConfigurationError) throw new InvalidWorkerSettingsError(error.message, { cause: error });
    throw error;
  }
  const metricsBindAddress =
    settings.metricsPort !== undefined ? `${settings.metricsHost}:${settings.metricsPort}` : undefined;
  installRuntime({
    logger,
    metricsBindAddress,
    migrationMetrics: migrationMetricsRuntime(dcs instanceof DcsClient ? dcs.projectId : undefined),
  });

  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(temporal.connectionOptions);
  } catch (error) {
    throw new TemporalUnreachableError(
      temporal.address,
      `cannot reach Temporal at ${temporal.address}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  // Traces only when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT); flushed on the way out.
  const tracing =
    otlpTracesEndpoint() !== undefined ? (await import('./tracing.js')).tracingFromEnvironment() : undefined;
  try {
    const worker = await createMigrationWorker({
      connection,
      tracing,
      dcs,
      namespace: temporal.namespace,
      taskQueue: settings.taskQueue,
      shutdownGraceTime: settings.shutdownGraceMs,
      statusWatcher: { roundIntervalMs: settings.watchIntervalMs, maxRoundIntervalMs: settings.watchMaxIntervalMs },
      deployment: settings.deployment,
      ...(settings.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: settings.maxCachedWorkflows } : {}),
      ...(settings.maxConcurrentActivities !== undefined
        ? { maxConcurrentActivityTaskExecutions: settings.maxConcurrentActivities }
        : {}),
      ...(settings.workflowBundle !== undefined ? { workflowBundle: { codePath: settings.workflowBundle } } : {}),
      ...(dataConverter ? { dataConverter } : {}),
    });
    if (
      dataConverter &&
      settings.workflowBundle !== undefined &&
      !bundleEncodesFailures(readFileSync(settings.workflowBundle, 'utf8'))
    ) {
      // Payloads are still encrypted; only the messages of workflow failures would be stored in clear.
      logger.warn(
        'payload encryption is on, but the workflow bundle was built without the encoding failure converter: workflow failure messages are stored in plain text',
        {
          workflowBundle: settings.workflowBundle,
          fix: 'build the bundle with failureConverterPath (codec/data-converter.ts FAILURE_CONVERTER_PATH)',
        },
      );
    }
    // The same choice createMigrationWorker made, for the log.
    const variant =
      settings.workflowBundle === undefined && !tracing
        ? prebuiltVariantFor(dataConverter ? { dataConverter } : {})
        : undefined;
    const prebuilt = variant && currentPrebuiltBundle(variant);
    const allocator = allocatorInUse();
    publishWorkerInfo(settings.deployment);
    logger.info('worker started', {
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue: settings.taskQueue,
      // Which Worker Deployment version this is: what `temporal worker deployment set-current-version` names.
      versioning: versioningOf(settings.deployment),
      ...(settings.deployment ?? {}),
      metrics: metricsBindAddress ? `http://${metricsBindAddress}/metrics` : 'off',
      workflowCode: settings.workflowBundle ?? (prebuilt ? `${prebuilt} (prebuilt, current)` : 'bundled at start'),
      payloadEncryption: dataConverter ? 'on' : 'off',
      traces: tracing
        ? `${tracing.destination}${settings.workflowBundle !== undefined ? ' (activities and DCS requests: the prebuilt bundle has no workflow spans)' : ''}`
        : 'off',
      statusWatcherInterval: `${settings.watchIntervalMs}ms, backing off to ${settings.watchMaxIntervalMs}ms while nothing changes`,
      allocator,
    });
    const jemalloc = findJemalloc();
    if (allocator === 'glibc malloc' && jemalloc !== undefined) {
      logger.info(`for 25–40% less memory per running migration, start the worker with LD_PRELOAD=${jemalloc}`, {
        allocator: 'glibc malloc',
      });
    }
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await tracing
      ?.shutdown()
      .catch((error: unknown) => logger.warn('traces not all exported', { error: String(error) }));
    await connection.close();
  }
}

/** One log line when the DCS throttle starts holding calls, when DCS answers again, and when it starts pacing. */
function logThrottleChange(logger: ReturnType<typeof createJsonLogger>, change: ThrottleChange): void {
  switch (change.kind) {
    case 'held':
      logger.warn(
        `DCS ${change.reason === 'throttled' ? 'throttles this worker' : 'does not answer'}: holding every DCS call`,
        {
          holdMs: Math.round(change.holdMs),
          error: change.error,
        },
      );
      break;
    case 'recovered':
      logger.info('DCS answers again: calls resume', {
        reason: change.reason,
        heldForMs: change.heldForMs,
        refusedWhileHeld: change.refused,
      });
      break;
    case 'pacing':
      logger.info(`pacing DCS calls under ${formatRateLimit(change.pacedAt)}`, {
        rateLimit: formatRateLimit(change.rateLimit),
      });
      break;
  }
}
