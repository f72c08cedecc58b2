import { existsSync, statSync } from 'node:fs';
import {
  CreateMigrationTaskBody,
  CreateOnlineMigrationTaskBody,
  SetOnlineMigrationTaskBody,
} from '../../dcs/schemas/requests.js';
import type { EmulatorContext, OperationHandler } from '../context.js';
import { apiErrors } from '../http/api-error.js';
import { parseJsonBody } from '../http/json-body.js';
import { appendLog } from '../tasks/task-store.js';
import { taskStatus, type MigrationTask, type TaskKind } from '../tasks/task.js';
import { taskSummaryView } from '../tasks/task-views.js';
import { bucketFilePath, startRun } from './task-runs.js';
import { isClusterInstance, refuseSslTarget, refuseUnsupportedOnlineSides, resolveSide } from './task-sides.js';
import { TaskStatus } from '../../common/dcs-status.js';
import { connectRedis } from '../../redis/connect.js';
import { redisOptions } from '../../redis/connection-options.js';
import { detectBackupFormat } from '../data-plane/backup-format.js';
import type { TaskSide } from '../tasks/task.js';

function newTask(
  ctx: EmulatorContext,
  fields: Pick<MigrationTask, 'name' | 'description' | 'kind' | 'migrationType'>,
): MigrationTask {
  const now = ctx.now();
  return {
    ...fields,
    id: ctx.store.newId(),
    createdAt: now,
    updatedAt: now,
    readyAt: now,
    resumeMode: 'auto',
    terminatingMs: ctx.timings.terminatingMs + ctx.jitter(),
    logs: [],
  };
}

/**
 * CreateOnlineMigrationTask: "provisions" the migration machine. The task is CREATING for `timings.creatingMs`,
 * then RUNNING (waiting to be configured); the returned `job_id` (undocumented, but Terraform requires it) goes
 * RUNNING → SUCCESS at the same moment.
 */
export const createOnlineMigrationTask: OperationHandler = ({ ctx, rawBody }) => {
  const body = parseJsonBody(rawBody, CreateOnlineMigrationTaskBody);
  const task = newTask(ctx, {
    name: body.name,
    description: body.description ?? '',
    kind: 'online',
    migrationType: 'online_migration',
  });
  task.readyAt = task.createdAt + ctx.timings.creatingMs + ctx.jitter();
  task.network = { vpcId: body.vpc_id, subnetId: body.subnet_id, securityGroupId: body.security_group_id };
  task.jobId = ctx.store.newId();
  ctx.store.add(task);
  ctx.store.addJob({ id: task.jobId, taskId: task.id, beginAt: task.createdAt, endAt: task.readyAt });
  appendLog(task, 'INFO', 'migration.instance.creating', 'Creating the migration machine.', ['create']);
  scheduleReadyLog(ctx, task);
  return { status: 200, body: { instance_id: task.id, job_id: task.jobId } };
};

/** Logs that the migration machine is ready once CREATING ends, if the task then waits to be configured. */
export function scheduleReadyLog(ctx: EmulatorContext, task: MigrationTask): void {
  const timer = setTimeout(
    () => {
      if (taskStatus(task, ctx.now()) === TaskStatus.Running) {
        const message = 'Migration machine ready; waiting for the task to be configured.';
        appendLog(task, 'INFO', 'migration.instance.ready', message, ['create']);
      }
    },
    Math.max(0, task.readyAt - ctx.now()),
  );
  timer.unref();
  ctx.store.onDispose(task.id, () => clearTimeout(timer));
}

/** SetOnlineMigrationTask: configures a RUNNING online task and starts its migration (else DCS.4957). */
export const setOnlineMigrationTask: OperationHandler = async ({ ctx, params, rawBody, dataPlaneFaults }) => {
  const task = ctx.store.get(params['task_id'] ?? '');
  if (!task) throw apiErrors.taskNotFound();
  const body = parseJsonBody(rawBody, SetOnlineMigrationTaskBody);
  if (task.kind !== 'online') throw apiErrors.wrongState(`task ${task.id} is not an online migration task`);
  const status = taskStatus(task, ctx.now());
  if (status !== TaskStatus.Running)
    throw apiErrors.wrongState(`task ${task.id} is ${status}; it can be configured only when RUNNING`);
  const source = resolveSide(ctx, body.source_instance, 'source_instance');
  const target = resolveSide(ctx, body.target_instance, 'target_instance');
  if (source.addrs === target.addrs)
    throw apiErrors.invalidParameter('target_instance', 'source and target are the same Redis');
  refuseUnsupportedOnlineSides(ctx, source, target);
  task.source = source;
  task.target = target;
  task.migrationMethod = body.migration_method;
  task.resumeMode = body.resume_mode;
  task.bandwidthLimitMb = body.bandwidth_limit_mb == null ? undefined : Number(body.bandwidth_limit_mb);
  appendLog(
    task,
    'INFO',
    'migration.configured',
    `Configured ${methodWords(body.migration_method)} from ${describeSide(source)} to ${describeSide(target)}.`,
    ['configure'],
  );
  await noteDatabasesLeftOut(ctx, task, source, target);
  startRun(ctx, task, dataPlaneFaults);
  return { status: 200, body: taskSummaryView(task, ctx.now(), ctx.incrementalSpelling) };
};

/**
 * A Redis Cluster target has db 0 only: DCS accepts a source with keys in other databases, and migrates db 0
 * (dcs-operations.md §3; the pre-flight check `multi-db-into-cluster` refuses it before anything is created).
 * The task log says which databases are left out. A source that cannot be read now says nothing here: the run
 * reports its own connection errors.
 */
async function noteDatabasesLeftOut(
  ctx: EmulatorContext,
  task: MigrationTask,
  source: TaskSide,
  target: TaskSide,
): Promise<void> {
  if (!isClusterInstance(ctx, target)) return;
  let redis;
  try {
    redis = await connectRedis(redisOptions(source.endpoint, { connectTimeout: 2_000 }));
  } catch {
    return;
  }
  try {
    const keyspace = await redis.info('keyspace');
    const others = [...keyspace.matchAll(/^db(\d+):keys=(\d+)/gm)]
      .filter((match) => match[1] !== '0')
      .map((match) => `db${match[1]} (${match[2]} keys)`);
    if (others.length > 0) {
      appendLog(
        task,
        'INFO',
        'migration.db.skipped',
        `The target ${target.instanceId} is a Redis Cluster, which has db 0 only: the source's keys in ${others.join(', ')} are not migrated.`,
        ['configure'],
      );
    }
  } catch {
    // INFO refused: nothing to say.
  } finally {
    redis.disconnect();
  }
}

/**
 * CreateMigrationTask: a backup import from `<dataDir>/buckets/<bucket>/<file>`, or the deprecated one-call
 * online migration (source by `addrs`), which starts migrating at once.
 */
export const createMigrationTask: OperationHandler = async ({ ctx, rawBody, dataPlaneFaults }) => {
  const body = parseJsonBody(rawBody, CreateMigrationTaskBody);
  const kind: TaskKind = body.migration_type === 'backupfile_import' ? 'backup_import' : 'legacy_online';
  const task = newTask(ctx, {
    name: body.task_name,
    description: body.description ?? '',
    kind,
    migrationType: body.migration_type,
  });
  task.migrationMethod = body.migration_method;
  task.networkType = body.network_type ?? undefined;
  task.target = resolveSide(
    ctx,
    { id: body.target_instance.id, password: body.target_instance.password },
    'target_instance',
  );
  if (kind === 'backup_import') {
    const files = body.backup_files!;
    if (files.file_source === 'backup_record') {
      throw apiErrors.invalidParameter(
        'backup_files.file_source',
        'the emulator imports from OBS buckets (self_build_obs) only',
      );
    }
    const bucket = files.bucket_name!;
    checkObjectName(bucket, 'backup_files.bucket_name');
    for (const [index, file] of (files.files ?? []).entries()) {
      const field = `backup_files.files[${index}].file_name`;
      checkObjectName(file.file_name, field);
      const local = bucketFilePath(ctx, bucket, file.file_name);
      if (!existsSync(local) || !statSync(local).isFile())
        throw apiErrors.invalidParameter(field, `no such object in bucket ${bucket}`);
    }
    await refuseAofIntoCluster(ctx, task.target, bucket, files.files ?? []);
    task.backupFiles = {
      fileSource: files.file_source ?? 'self_build_obs',
      bucketName: bucket,
      files: (files.files ?? []).map((file) => ({
        file_name: file.file_name,
        size: file.size ?? undefined,
        update_at: file.update_at ?? undefined,
      })),
    };
    appendLog(
      task,
      'INFO',
      'migration.configured',
      `Importing ${task.backupFiles.files.length} backup file(s) from bucket ${bucket} into ${describeSide(task.target)}.`,
      ['configure'],
    );
  } else {
    const source = body.source_instance!;
    task.source = resolveSide(ctx, { addrs: source.addrs, password: source.password }, 'source_instance');
    // The source is given by address here, so only the target has DCS attributes to refuse.
    refuseSslTarget(ctx, task.target);
    appendLog(
      task,
      'INFO',
      'migration.configured',
      `Configured ${methodWords(body.migration_method)} from ${describeSide(task.source)} to ${describeSide(task.target)}.`,
      ['configure'],
    );
  }
  ctx.store.add(task);
  startRun(ctx, task, dataPlaneFaults);
  return { status: 200, body: taskSummaryView(task, ctx.now(), ctx.incrementalSpelling) };
};

function methodWords(method: string): string {
  return method === 'incremental_migration' ? 'full + incremental migration' : 'full migration';
}

function describeSide(side: { instanceId?: string | undefined; addrs: string }): string {
  return side.instanceId ? `DCS instance ${side.instanceId} (${side.addrs})` : side.addrs;
}

/**
 * AOF import into a Redis Cluster instance is refused (dcs-operations.md §3). The emulator tells an AOF from an
 * RDB by the file's bytes, as its import does (an AOF with an RDB preamble is an AOF); a file it cannot read is
 * left for the import to fail on.
 */
async function refuseAofIntoCluster(
  ctx: EmulatorContext,
  target: TaskSide,
  bucket: string,
  files: Array<{ file_name: string }>,
): Promise<void> {
  if (!isClusterInstance(ctx, target)) return;
  const aof: string[] = [];
  for (const file of files) {
    const format = await detectBackupFormat(bucketFilePath(ctx, bucket, file.file_name)).catch(() => undefined);
    if (format === 'aof' || format === 'aof-manifest') aof.push(file.file_name);
  }
  if (aof.length > 0) throw apiErrors.aofIntoClusterNotSupported(target.instanceId ?? target.addrs, aof);
}

/** Bucket and object names map to local paths: refuse anything that would leave the bucket directory. */
function checkObjectName(name: string, field: string): void {
  const parts = name.split(/[\\/]/);
  if (name.startsWith('/') || parts.some((part) => part === '..' || part === '.') || name.includes('\0')) {
    throw apiErrors.invalidParameter(field, 'must be a plain object name');
  }
}
