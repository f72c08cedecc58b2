/**
 * The activities' metrics (names and meanings: `common/migration-metrics.ts`): every DCS call an activity makes,
 * by client method and outcome, its failures by DCS error code, and Temporal's retries of the activities. They
 * go through the activity context's `metricMeter` (the worker's runtime meter, tagged with the activity type),
 * with the calling migration's id; only real executions emit, so nothing is counted twice.
 */
import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import { MIGRATION_METRICS as M } from '../common/migration-metrics.js';
import { DcsError } from '../dcs/errors/index.js';
import type { DcsMigrationApi } from './dcs-api.js';

/** The current activity's meter with the migration's id, or none outside an activity (the CLI, the watcher). */
function activityMeter(): { meter: MetricMeter; context: Context } | undefined {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return undefined;
  }
  const workflowId = context.info.workflowExecution?.workflowId;
  return {
    context,
    meter: workflowId === undefined ? context.metricMeter : context.metricMeter.withTags({ migration_id: workflowId }),
  };
}

function countCall(operation: string, error: unknown): void {
  const meter = activityMeter()?.meter;
  if (!meter) return;
  meter
    .createCounter(M.apiCalls.name, M.apiCalls.unit, M.apiCalls.help)
    .add(1, { operation, outcome: error === undefined ? 'ok' : 'error' });
  if (error === undefined) return;
  // A cancelled or otherwise non-DCS failure has no code: `none`, under its class name.
  const dcsError = error instanceof DcsError ? error : undefined;
  meter.createCounter(M.apiErrors.name, M.apiErrors.unit, M.apiErrors.help).add(1, {
    operation,
    error_code: dcsError?.errorCode ?? 'none',
    error_type: error instanceof Error ? error.name : 'Error',
  });
}

/** The DCS client with each method counted (`operation` is the method's name: findTaskByName, showMigrationTask …). */
export function meteredDcs(dcs: DcsMigrationApi): DcsMigrationApi {
  const metered = {} as Record<string, unknown>;
  const methods = Object.keys(DCS_METHODS) as Array<keyof DcsMigrationApi>;
  for (const name of methods) {
    metered[name] = async (...args: unknown[]) => {
      try {
        // Looked up at call time: test doubles implement only the methods they are called with.
        const result = await (dcs[name] as (...args: unknown[]) => Promise<unknown>).apply(dcs, args);
        countCall(name, undefined);
        return result;
      } catch (error) {
        countCall(name, error);
        throw error;
      }
    };
  }
  return metered as unknown as DcsMigrationApi;
}

/** Every method of `DcsMigrationApi` (a key missing here fails to compile). */
const DCS_METHODS: Record<keyof DcsMigrationApi, true> = {
  findTaskByName: true,
  listMigrationTask: true,
  createMigrationTask: true,
  createOnlineMigrationTask: true,
  setOnlineMigrationTask: true,
  showMigrationTask: true,
  showMigrationTaskStats: true,
  stopMigrationTask: true,
  deleteMigrationTask: true,
  showJobInfo: true,
  showInstance: true,
  exchangeInstanceIp: true,
  rollbackExchangeInstanceIp: true,
  batchRestartOnlineMigrationTasks: true,
  listMigrationTaskLogs: true,
};

/** Counts an attempt after the first of the current activity (a Temporal retry). */
export function countRetry(): void {
  const current = activityMeter();
  if (!current || current.context.info.attempt <= 1) return;
  const { meter, context } = current;
  meter
    .createCounter(M.activityRetries.name, M.activityRetries.unit, M.activityRetries.help)
    .add(1, { activity: context.info.activityType });
}

/**
 * For a migration waiting on the shared status watcher: a callback setting its last-read gauge each time a
 * watcher round lists its task. The workflow reads the task itself only at its confirm interval (10 minutes by
 * default), so without this a healthy shared-mode migration would look stalled. Same name and migration labels
 * as the workflow's gauge, so `max by (migration_id, task_name, kind)` joins the two.
 */
export function statusListedGauge(labels: { task_name: string; kind: string } | undefined): (() => void) | undefined {
  const current = activityMeter();
  if (!current || !labels) return undefined;
  const gauge = current.meter
    .withTags({ task_name: labels.task_name, kind: labels.kind })
    .createGauge(M.lastStatusRead.name, 'float', M.lastStatusRead.unit, M.lastStatusRead.help);
  return () => gauge.set(Date.now() / 1000);
}
