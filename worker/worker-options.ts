/**
 * The `dcs-migrate worker` settings: flags first, then environment variables, then defaults. Validated with zod
 * so a bad value is refused with the flag's name before anything connects.
 */
import { z } from 'zod';
import { intFlagSchema } from '../common/int-flag-schema.js';
import { parseDurationMs } from '../common/migration-input.js';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue.js';
import type { WorkerDeployment } from './deployment.js';
import { InvalidWorkerSettingsError } from './worker-errors.js';

/** Environment variables the worker reads besides Temporal's own (TEMPORAL_*) and the DCS ones (DCS_*). */
export const WORKER_ENV = {
  taskQueue: 'DCS_MIGRATE_TASK_QUEUE',
  metricsPort: 'DCS_MIGRATE_METRICS_PORT',
  workflowBundle: 'DCS_MIGRATE_WORKFLOW_BUNDLE',
  logLevel: 'DCS_MIGRATE_LOG_LEVEL',
  watchInterval: 'DCS_MIGRATE_WATCH_INTERVAL',
  watchMaxInterval: 'DCS_MIGRATE_WATCH_MAX_INTERVAL',
  deploymentName: 'DCS_MIGRATE_DEPLOYMENT_NAME',
  buildId: 'DCS_MIGRATE_BUILD_ID',
} as const;

/** The flags as commander hands them over (all strings). */
export interface WorkerFlags {
  taskQueue?: string;
  metricsPort?: string;
  metricsHost?: string;
  maxCachedWorkflows?: string;
  maxConcurrentActivities?: string;
  shutdownGrace?: string;
  workflowBundle?: string;
  logLevel?: string;
  watchInterval?: string;
  watchMaxInterval?: string;
  deploymentName?: string;
  buildId?: string;
}

const workerSettingsSchema = z.object({
  taskQueue: z.string().trim().min(1, '--task-queue: must not be empty'),
  metricsPort: intFlagSchema('--metrics-port', 1, 65_535).optional(),
  metricsHost: z.string().trim().min(1, '--metrics-host: must not be empty'),
  maxCachedWorkflows: intFlagSchema('--max-cached-workflows', 0, 100_000).optional(),
  maxConcurrentActivities: intFlagSchema('--max-concurrent-activities', 1, 10_000).optional(),
  shutdownGraceMs: z.number({ error: '--shutdown-grace: expected a duration such as "30s"' }),
  watchIntervalMs: z
    .number({ error: `--watch-interval (or ${WORKER_ENV.watchInterval}): expected a duration such as "5s"` })
    .min(100, `--watch-interval (or ${WORKER_ENV.watchInterval}): at least 100ms`),
  watchMaxIntervalMs: z
    .number({ error: `--watch-max-interval (or ${WORKER_ENV.watchMaxInterval}): expected a duration such as "60s"` })
    .min(100, `--watch-max-interval (or ${WORKER_ENV.watchMaxInterval}): at least 100ms`),
  workflowBundle: z.string().trim().min(1).optional(),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error'], {
    error: '--log-level: expected trace, debug, info, warn or error',
  }),
  deploymentName: versionPart('--deployment-name', WORKER_ENV.deploymentName)
    // Temporal spells a version `<deployment>.<build id>`, so its server refuses a dot in the name.
    .refine((name) => !name.includes('.'), `--deployment-name (or ${WORKER_ENV.deploymentName}): must not contain "."`)
    .optional(),
  buildId: versionPart('--build-id', WORKER_ENV.buildId).optional(),
});

/** A deployment name or build id: what Temporal accepts, checked here so a typo is refused before anything starts. */
function versionPart(flag: string, env: string) {
  const named = `${flag} (or ${env})`;
  return z
    .string()
    .trim()
    .min(1, `${named}: must not be empty`)
    .max(255, `${named}: at most 255 characters`)
    .regex(/^[^\s]+$/, `${named}: must not contain spaces`);
}

export type WorkerSettings = Omit<z.output<typeof workerSettingsSchema>, 'deploymentName' | 'buildId'> & {
  /** The Worker Deployment version this worker runs as; unversioned when undefined. */
  deployment?: WorkerDeployment | undefined;
};

/** Merges flags, environment and defaults; throws {@link InvalidWorkerSettingsError} naming the bad flag. */
export function resolveWorkerSettings(flags: WorkerFlags, env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const pick = (flag: string | undefined, name: string) => flag ?? (env[name]?.trim() || undefined);
  const result = workerSettingsSchema.safeParse({
    taskQueue: pick(flags.taskQueue, WORKER_ENV.taskQueue) ?? DEFAULT_TASK_QUEUE,
    metricsPort: pick(flags.metricsPort, WORKER_ENV.metricsPort),
    metricsHost: flags.metricsHost ?? '0.0.0.0',
    maxCachedWorkflows: flags.maxCachedWorkflows,
    maxConcurrentActivities: flags.maxConcurrentActivities,
    shutdownGraceMs: parseDurationMs(flags.shutdownGrace ?? '30s'),
    watchIntervalMs: durationOrMs(pick(flags.watchInterval, WORKER_ENV.watchInterval) ?? '5s'),
    watchMaxIntervalMs: durationOrMs(pick(flags.watchMaxInterval, WORKER_ENV.watchMaxInterval) ?? '60s'),
    workflowBundle: pick(flags.workflowBundle, WORKER_ENV.workflowBundle),
    logLevel: pick(flags.logLevel, WORKER_ENV.logLevel) ?? 'info',
    deploymentName: pick(flags.deploymentName, WORKER_ENV.deploymentName),
    buildId: pick(flags.buildId, WORKER_ENV.buildId),
  });
  if (!result.success)
    throw new InvalidWorkerSettingsError(result.error.issues.map((issue) => issue.message).join('; '));
  if (result.data.watchMaxIntervalMs < result.data.watchIntervalMs) {
    throw new InvalidWorkerSettingsError(
      `--watch-max-interval (or ${WORKER_ENV.watchMaxInterval}): must not be shorter than --watch-interval`,
    );
  }
  const { deploymentName, buildId, ...settings } = result.data;
  return { ...settings, deployment: deploymentOf(deploymentName, buildId) };
}

/** Both or neither: a version is a deployment name and a build id together. */
function deploymentOf(deploymentName: string | undefined, buildId: string | undefined): WorkerDeployment | undefined {
  if (deploymentName === undefined && buildId === undefined) return undefined;
  const name = `--deployment-name (or ${WORKER_ENV.deploymentName})`;
  const build = `--build-id (or ${WORKER_ENV.buildId})`;
  const both = 'a Worker Deployment version is both (docs/deploys.md)';
  if (buildId === undefined) throw new InvalidWorkerSettingsError(`${build}: required with ${name}: ${both}`);
  if (deploymentName === undefined) throw new InvalidWorkerSettingsError(`${name}: required with ${build}: ${both}`);
  return { deploymentName, buildId };
}

/** A duration (`5s`) or a bare number of milliseconds (`5000`, as environment variables often carry). */
function durationOrMs(value: string): number | undefined {
  return parseDurationMs(/^\d+$/.test(value.trim()) ? Number(value) : value);
}
