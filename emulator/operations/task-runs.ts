import path from 'node:path';
import type { EmulatorContext } from '../context.js';
import type { DataPlaneFaults, DataPlaneRun } from '../data-plane/contract.js';
import { apiErrors } from '../http/api-error.js';
import { watchRun } from '../tasks/run-watcher.js';
import { appendLog } from '../tasks/task-store.js';
import { ACTIVE_STATUSES, taskStatus, type MigrationTask } from '../tasks/task.js';
import { TaskStatus } from '../../common/dcs-status.js';

/** Local path of an OBS object: `<dataDir>/buckets/<bucket>/<key>`. */
export function bucketFilePath(ctx: EmulatorContext, bucket: string, key: string): string {
  return path.join(ctx.dataDir, 'buckets', bucket, key);
}

/**
 * Starts (or restarts) the data-plane run of a task from what the task holds: an online migration between its
 * sides, or an import of its backup files. A data plane that refuses to start fails the task instead of the request.
 */
export function startRun(ctx: EmulatorContext, task: MigrationTask, faults: DataPlaneFaults | undefined): void {
  const run = launchRun(ctx, task, faults, false);
  if (!run) return;
  task.run = run;
  task.failure = undefined;
  task.stop = undefined;
  task.updatedAt = ctx.now();
  ctx.store.onDispose(task.id, watchRun(task, run));
}

/**
 * Starts again the run of a task that was moving data when the emulator stopped or crashed (emulator/state): an
 * incremental task that was `synced` (following its source) resyncs and stays INCRMIGEATING, any other copy starts
 * over (copies are idempotent). The task keeps its stop request and times: a run being stopped is stopped again.
 */
export function resumeRun(ctx: EmulatorContext, task: MigrationTask, options: { synced: boolean }): void {
  const resync = options.synced && task.migrationMethod === 'incremental_migration' && task.kind !== 'backup_import';
  const how = resync ? 'copying the source again, then following it' : 'copying from the start';
  appendLog(task, 'INFO', 'migration.resumed', `The emulator restarted: the migration resumes (${how}).`, ['resume']);
  const run = launchRun(ctx, task, undefined, resync);
  if (!run) return;
  task.run = run;
  // The phase it resumes in was logged before the restart.
  ctx.store.onDispose(task.id, watchRun(task, run, { loggedPhase: run.phase() }));
  if (task.stop) void stopRunQuietly(task);
}

type Faults = DataPlaneFaults | undefined;
type Launched = DataPlaneRun | undefined;

function launchRun(ctx: EmulatorContext, task: MigrationTask, faults: Faults, resumeSynced: boolean): Launched {
  let run: DataPlaneRun;
  try {
    if (task.kind === 'backup_import') {
      const files = task.backupFiles?.files ?? [];
      run = ctx.dataPlane.startBackupImport({
        files: files.map((file) => bucketFilePath(ctx, task.backupFiles?.bucketName ?? '', file.file_name)),
        target: task.target!.endpoint,
        faults,
      });
    } else {
      run = ctx.dataPlane.startOnlineMigration({
        source: task.source!.endpoint,
        target: task.target!.endpoint,
        method: task.migrationMethod === 'incremental_migration' ? 'incremental' : 'full',
        resumeMode: task.resumeMode,
        bandwidthLimitMb: task.bandwidthLimitMb,
        faults,
        ...(resumeSynced ? { resumeSynced } : {}),
      });
    }
  } catch (error) {
    task.failure = `the migration could not start: ${error instanceof Error ? error.message : String(error)}`;
    appendLog(task, 'ERROR', 'migration.failed', `Migration failed: ${task.failure}.`, ['failed']);
    return undefined;
  }
  return run;
}

/**
 * Asks a task to stop. Allowed while it is being created, waiting for configuration or migrating; a task already
 * stopping is left alone (stop is idempotent); anything else is DCS.4957. Returns the run's stop promise.
 */
export function requestStop(ctx: EmulatorContext, task: MigrationTask): Promise<void> {
  const now = ctx.now();
  const status = taskStatus(task, now);
  if (status === 'TERMINATING') return task.run?.stop() ?? Promise.resolve();
  if (!ACTIVE_STATUSES.has(status) && status !== TaskStatus.Creating && status !== TaskStatus.Running) {
    throw apiErrors.wrongState(`task ${task.id} is ${status} and cannot be stopped`);
  }
  task.stop = { requestedAt: now, notBefore: now + task.terminatingMs };
  task.updatedAt = now;
  appendLog(task, 'INFO', 'migration.stop.requested', 'Stop requested.', ['stop']);
  return stopRunQuietly(task);
}

/** Stops a task's run, logging instead of throwing if the data plane fails to stop (the caller has moved on). */
export function stopRunQuietly(task: MigrationTask): Promise<void> {
  if (!task.run) return Promise.resolve();
  return task.run.stop().catch((error: unknown) => {
    appendLog(
      task,
      'ERROR',
      'migration.stop.failed',
      `Stopping failed: ${error instanceof Error ? error.message : String(error)}.`,
      ['stop'],
    );
  });
}
