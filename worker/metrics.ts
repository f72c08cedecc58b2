/**
 * What the worker's runtime needs for the migration metrics (`common/migration-metrics.ts`) on its Prometheus
 * endpoint: the DCS project as a tag of every series (the workflow does not know it; the worker's DCS settings
 * do), and buckets in seconds for the phase-duration histogram (the SDK's defaults are millisecond latencies).
 */
import { Runtime } from '@temporalio/worker';
import type { MetricMeter } from '@temporalio/common';
import { MIGRATION_METRICS, PHASE_DURATION_BUCKETS_S } from '../common/migration-metrics.js';
import { versioningOf, type WorkerDeployment } from './deployment.js';

export interface MigrationMetricsRuntime {
  globalTags: Record<string, string>;
  histogramBucketOverrides: Record<string, number[]>;
}

export function migrationMetricsRuntime(projectId: string | undefined): MigrationMetricsRuntime {
  return {
    globalTags: projectId ? { project: projectId } : {},
    histogramBucketOverrides: { [MIGRATION_METRICS.phaseDuration.name]: PHASE_DURATION_BUCKETS_S },
  };
}

/** The runtime's meter, for what runs outside workflows and activities (the shared status watcher). */
export function workerMetricMeter(): MetricMeter {
  return Runtime.instance().metricMeter;
}

/**
 * `dcs_migrate_worker_info`: which Worker Deployment version this worker is, so a board or an alert can tell the
 * old version's workers (still draining pinned migrations) from the new one's.
 */
export function publishWorkerInfo(deployment: WorkerDeployment | undefined): void {
  const spec = MIGRATION_METRICS.workerInfo;
  const tags: Record<string, string> = { versioning: versioningOf(deployment) };
  if (deployment) Object.assign(tags, { deployment_name: deployment.deploymentName, build_id: deployment.buildId });
  workerMetricMeter().createGauge(spec.name, 'int', spec.unit, spec.help).set(1, tags);
}
