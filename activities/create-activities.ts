/**
 * The migration's activities: one per DCS API operation, built over injected dependencies (the DCS client, the
 * secret resolver), so the worker, the tests and the CLI compose them the same way.
 *
 * Each activity translates between the workflow's camelCase, secret-free shapes and the API's snake_case
 * bodies, resolves password references right before the call, and converts failures in one place
 * (`to-application-failure.ts`). Results carry `attempts` so the workflow can count retries.
 */
import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { MigrationProgress } from '../common/workflow-contract.js';
import { DcsTaskNotFoundError, scrubSecrets } from '../dcs/errors/index.js';
import type { DcsClient } from '../dcs/client.js';
import { readTaskLogs } from '../dcs/task-logs.js';
import { DEFAULT_BACKOFF, type Backoff } from '../common/backoff.js';
import type { DcsMigrationApi, ListItem } from './dcs-api.js';
import type {
  Attempted,
  BackupImportRequest,
  CreatedTask,
  FoundTask,
  JobState,
  LegacyOnlineRequest,
  OnlineConfigureRequest,
  OnlineCreateRequest,
  RemoteTask,
  RestartAnswer,
  TaskLog,
  TaskLogRequest,
  StatusWait,
  StatusWaitRequest,
  TaskProgress,
  TaskOwner,
  TaskStatusOnly,
} from './results.js';
import { createReferenceCheckActivities } from './check-references.js';
import { countRetry, meteredDcs, statusListedGauge } from './metrics.js';
import { createNotifyActivities } from './notify.js';
import { resolveOptional, type SecretResolver } from './secrets.js';
import type { SharedStatusWatcher } from './status-watcher.js';
import { toApplicationFailure } from './to-application-failure.js';
import { createValidationActivities } from './validate-input.js';
import { createPrecheckActivities } from './prechecks/index.js';
import { createSwitchActivities } from './switch.js';
import { createRollbackPruneActivities } from './rollback-prune.js';
import { withLivenessHeartbeats } from './liveness.js';
import { mergeActivities } from './merge-activities.js';
import { createVerifyActivities } from './verify.js';

export interface ActivityDependencies {
  dcs: DcsMigrationApi;
  secrets: SecretResolver;
  /** Backoff for retryable DCS failures (tests shorten it); see `common/backoff.ts`. */
  backoff?: Backoff;
  /**
   * Asks Temporal to cancel a workflow run (a client on the worker's connection). Used after a cancel signal so
   * the run closes as CANCELLED: the server does not let a workflow cancel itself.
   */
  cancelWorkflow?: (workflowId: string, runId: string) => Promise<void>;
  /** The worker's shared status watcher, behind `awaitStatusChange` (migrations with `polling.mode: shared`). */
  statusWatcher?: SharedStatusWatcher;
  /**
   * The ids of running migration workflows, other than `exceptWorkflowId`, whose `DcsTaskId` search attribute is
   * `taskId` (Temporal visibility, through the worker's client). Behind `findTaskOwner`.
   */
  findRunningOwners?: (taskId: string, exceptWorkflowId: string) => Promise<string[]>;
}

/**
 * How often a waiting `awaitStatusChange` heartbeats. The SDK sends at most one heartbeat per 0.8 × the heartbeat
 * timeout (`WATCH_HEARTBEAT_TIMEOUT` in workflows/retry-policy.ts), so this only needs to be well inside it.
 */
const WATCH_HEARTBEAT_EVERY_MS = 20_000;

const METHOD = { full: 'full_amount_migration', incremental: 'incremental_migration' } as const;

/** Builds the migration's activities over `deps`; pass the result as `activities` to `Worker.create`. */
export function createActivities({
  dcs: unmetered,
  secrets,
  backoff = DEFAULT_BACKOFF,
  cancelWorkflow,
  statusWatcher,
  findRunningOwners,
}: ActivityDependencies) {
  // Every DCS call counted (activities/metrics.ts), by method, outcome and error code.
  const dcs = meteredDcs(unmetered);
  /**
   * Runs one DCS call, converting its failure and reporting the attempt number. The activity's cancellation
   * signal is deliberately not passed to the client: calls last seconds, the worker's shutdown grace lets them
   * finish, and an aborted create would leave its outcome unknown for no gain.
   */
  async function call<T extends object>(operation: () => Promise<T>): Promise<T & Attempted> {
    const attempt = activityInfo().attempt;
    countRetry();
    try {
      return { ...(await operation()), attempts: attempt };
    } catch (error) {
      throw toApplicationFailure(error, attempt, backoff);
    }
  }

  /** The DCS client's own credentials, when the injected client can tell them (the real one can). */
  const credentials = (): string[] => {
    const client = dcs as Partial<Pick<DcsClient, 'credentialValues'>>;
    return typeof client.credentialValues === 'function' ? client.credentialValues() : [];
  };
  /** Text DCS wrote that goes into history (task errors, log messages): credentials and password-like values removed. */
  const scrub = (text: string, known: readonly string[] = []): string =>
    scrubSecrets(text, [...credentials(), ...known]);

  /** The migration task's own DCS calls, and the workflow's waits and lookups around them. */
  const taskActivities = {
    /** ListMigrationTask filtered by exact name, all pages. */
    async findTaskByName(taskName: string): Promise<FoundTask> {
      return call(async () => {
        const item = await dcs.findTaskByName(taskName);
        return { task: item ? fromListItem(scrub, item) : undefined };
      });
    },

    /** ShowMigrationTask; an unknown id (DCS.4133, HTTP 400) is `task: undefined`, not an error. */
    async showTask(taskId: string): Promise<FoundTask> {
      return call(async () => {
        try {
          const detail = await dcs.showMigrationTask(taskId);
          const task: RemoteTask = { taskId: detail.task_id, taskName: detail.task_name ?? '', status: detail.status };
          return { task };
        } catch (error) {
          if (error instanceof DcsTaskNotFoundError) return { task: undefined };
          throw error;
        }
      });
    },

    /** CreateMigrationTask, `backupfile_import`. */
    async createBackupImportTask(request: BackupImportRequest): Promise<CreatedTask> {
      return call(async () => {
        const targetPassword = await resolveOptional(secrets, request.target.password, 'target.password');
        const backup = request.backup;
        const result = await dcs.createMigrationTask({
          task_name: request.taskName,
          description: request.description,
          migration_type: 'backupfile_import',
          migration_method: 'full_amount_migration',
          backup_files:
            backup.source === 'obs'
              ? {
                  file_source: 'self_build_obs',
                  bucket_name: backup.bucket,
                  files: backup.files.map((file) => ({
                    file_name: file.name,
                    size: file.size,
                    update_at: file.updatedAt,
                  })),
                }
              : { file_source: 'backup_record', backup_id: backup.backupId },
          target_instance: { id: request.target.instanceId, password: targetPassword },
        });
        return { taskId: result.id, status: result.status };
      });
    },

    /** CreateMigrationTask, `online_migration` (the deprecated one-call online migration). */
    async createLegacyOnlineTask(request: LegacyOnlineRequest): Promise<CreatedTask> {
      return call(async () => {
        const sourcePassword = await resolveOptional(secrets, request.source.password, 'source.password');
        const targetPassword = await resolveOptional(secrets, request.target.password, 'target.password');
        const result = await dcs.createMigrationTask({
          task_name: request.taskName,
          description: request.description,
          migration_type: 'online_migration',
          migration_method: METHOD[request.method],
          network_type: request.networkType,
          source_instance: { addrs: request.source.addrs, password: sourcePassword },
          target_instance: { id: request.target.instanceId, password: targetPassword },
        });
        return { taskId: result.id, status: result.status };
      });
    },

    /** CreateOnlineMigrationTask: provisions the migration machine; the task then waits in RUNNING. */
    async createOnlineTask(request: OnlineCreateRequest): Promise<CreatedTask> {
      return call(async () => {
        const result = await dcs.createOnlineMigrationTask({
          name: request.taskName,
          description: request.description,
          vpc_id: request.network.vpcId,
          subnet_id: request.network.subnetId,
          security_group_id: request.network.securityGroupId,
        });
        return { taskId: result.instance_id, ...(result.job_id ? { jobId: result.job_id } : {}) };
      });
    },

    /** ShowJobInfo: the migration machine's provisioning job. */
    async showJob(jobId: string): Promise<JobState> {
      return call(async () => {
        const job = await dcs.showJobInfo(jobId);
        return { status: job.status, ...(job.fail_reason ? { failReason: job.fail_reason } : {}) };
      });
    },

    /** SetOnlineMigrationTask: source, target and method; starts the data movement. */
    async configureOnlineTask(taskId: string, request: OnlineConfigureRequest): Promise<TaskStatusOnly> {
      return call(async () => {
        const sourcePassword = await resolveOptional(secrets, request.source.password, 'source.password');
        const targetPassword = await resolveOptional(secrets, request.target.password, 'target.password');
        const result = await dcs.setOnlineMigrationTask(taskId, {
          migration_method: METHOD[request.method],
          resume_mode: request.resumeMode,
          bandwidth_limit_mb: request.bandwidthLimitMb,
          source_instance: { id: request.source.instanceId, addrs: request.source.addrs, password: sourcePassword },
          target_instance: { id: request.target.instanceId, password: targetPassword },
        });
        return { status: result.status };
      });
    },

    /** ShowMigrationTaskStats, as numbers. */
    async showTaskStats(taskId: string): Promise<TaskProgress> {
      return call(async () => {
        const stats = await dcs.showMigrationTaskStats(taskId);
        const progress: MigrationProgress = {};
        const put = (
          key: Exclude<keyof MigrationProgress, 'isMigrating'>,
          value: string | number | null | undefined,
        ) => {
          const number =
            typeof value === 'number'
              ? value
              : typeof value === 'string'
                ? Number.parseFloat(value.replace(/%$/, ''))
                : NaN;
          if (Number.isFinite(number)) progress[key] = number;
        };
        put('fullMigrationProgress', stats.full_migration_progress);
        put('offset', stats.offset);
        put('sourceDbSize', stats.source_dbsize);
        put('targetDbSize', stats.target_dbsize);
        put('targetOps', stats.target_ops);
        put('targetInputKbps', stats.target_input_kbps);
        if (typeof stats.is_migrating === 'boolean') progress.isMigrating = stats.is_migrating;
        return { progress };
      });
    },

    /** StopMigrationTask (asynchronous: answers TERMINATING). */
    async stopTask(taskId: string): Promise<TaskStatusOnly> {
      return call(async () => {
        const detail = await dcs.stopMigrationTask(taskId);
        return { status: detail.status };
      });
    },

    /**
     * Not a DCS call: the running migration workflow, other than the caller, that drives task `taskId` (publishes
     * it as `DcsTaskId`), if any. The caller's own earlier runs (continue-as-new) share its workflow id and are
     * never an owner.
     */
    async findTaskOwner(taskId: string): Promise<TaskOwner> {
      const { workflowExecution, attempt } = activityInfo();
      if (!findRunningOwners)
        throw ApplicationFailure.nonRetryable(
          'this worker cannot look up task owners (no Temporal client given)',
          'OwnerLookupUnavailable',
        );
      const owners = await findRunningOwners(taskId, workflowExecution?.workflowId ?? '');
      return { ...(owners[0] !== undefined ? { owner: owners[0] } : {}), attempts: attempt };
    },

    /** Not a DCS call: asks Temporal to cancel the calling workflow run (see `cancelWorkflow`). */
    async requestWorkflowCancellation(reason: string): Promise<Attempted> {
      const { workflowExecution, attempt } = activityInfo();
      if (!workflowExecution)
        throw ApplicationFailure.nonRetryable('not called from a workflow', 'CancellationUnavailable');
      if (!cancelWorkflow)
        throw ApplicationFailure.nonRetryable(
          'this worker cannot cancel workflows (no Temporal client given)',
          'CancellationUnavailable',
        );
      log.info('closing the workflow as cancelled', { workflowId: workflowExecution.workflowId, reason });
      await cancelWorkflow(workflowExecution.workflowId, workflowExecution.runId);
      return { attempts: attempt };
    },

    /**
     * Not a DCS call of its own: waits until the worker's shared status watcher sees the task change status (or
     * vanish), or `maxWaitMs` passes. Heartbeats so a lost worker is noticed and a cancellation arrives.
     */
    async awaitStatusChange(request: StatusWaitRequest): Promise<Attempted & StatusWait> {
      const { attempt } = activityInfo();
      if (!statusWatcher)
        throw ApplicationFailure.nonRetryable('this worker runs no shared status watcher', 'StatusWatcherUnavailable');
      const beat = setInterval(() => heartbeat(), WATCH_HEARTBEAT_EVERY_MS);
      try {
        const due =
          request.dueAt !== undefined
            ? { at: request.dueAt, everyMs: request.dueEveryMs ?? request.maxWaitMs }
            : undefined;
        const outcome = await statusWatcher.wait(
          request.taskId,
          request.knownStatus,
          request.maxWaitMs,
          cancellationSignal(),
          statusListedGauge(request.metricLabels),
          due,
        );
        return outcome.kind === 'changed'
          ? { kind: 'changed', task: fromListItem(scrub, outcome.task), attempts: attempt }
          : { ...outcome, attempts: attempt };
      } finally {
        clearInterval(beat);
      }
    },

    /**
     * ListMigrationTaskLogs: the last `request.last` entries. Messages are scrubbed of the input's passwords
     * (resolved here; one that cannot be resolved is simply not known) and of anything that looks like a secret
     * (password=, AK/SK echoes), because they go into workflow history and failure messages.
     */
    async readTaskLog(request: TaskLogRequest): Promise<TaskLog> {
      return call(async () => {
        const known = await Promise.all(
          request.secretRefs.map((ref) => secrets.resolve(ref, 'password').catch(() => undefined)),
        );
        known.push(...credentials());
        const read = await readTaskLogs((query) => dcs.listMigrationTaskLogs(request.taskId, query), {
          last: request.last,
          ...(request.level ? { level: request.level } : {}),
          knownSecrets: known.filter((value): value is string => value !== undefined),
        });
        return { entries: read.entries, total: read.total };
      });
    },

    /**
     * BatchRestartOnlineMigrationTasks for one task: DCS starts the same task again. Its per-task answer is
     * returned, not thrown: a `failed` item after a lost response may mean an earlier attempt restarted it already,
     * which the workflow tells by reading the task.
     */
    async restartTask(taskId: string): Promise<RestartAnswer> {
      return call(async () => {
        const answer = await dcs.batchRestartOnlineMigrationTasks({ migration_tasks: [taskId] });
        const item =
          answer.migration_tasks.find((candidate) => candidate.task_id === taskId) ?? answer.migration_tasks[0];
        if (item?.result === 'success') return { delivered: true };
        return {
          delivered: false,
          ...(item?.error_code ? { errorCode: item.error_code } : {}),
          errorMessage: scrub(item?.error_msg ?? 'DCS answered no result for the task'),
        };
      });
    },

    /** DeleteMigrationTask (unknown ids are ignored by the API, so retrying is safe). */
    async deleteTask(taskId: string): Promise<Attempted> {
      return call(async () => {
        await dcs.deleteMigrationTask({ task_id_list: [taskId] });
        return {};
      });
    },
  };

  // One group per concern; a name defined in two groups stops the worker at start-up (merge-activities.ts).
  // Every group but verify's (which beats with its checkpoint) beats while it runs: see liveness.ts.
  return mergeActivities(
    /** Not a DCS call: verifyData, the key-by-key comparison of source and target (`activities/verify.ts`). */
    createVerifyActivities(secrets),
    /** Not a DCS call: the input's validation, a local activity at the start of each run. */
    createValidationActivities(),
    /** Not a DCS call: checkReferences, every secret reference resolved (values dropped) before anything is created. */
    withLivenessHeartbeats(createReferenceCheckActivities(secrets)),
    /** ShowInstance reads (and, when asked, read-only Redis probes): the pre-flight checks before anything is created. */
    withLivenessHeartbeats(createPrecheckActivities(dcs, secrets)),
    /** The client switch of `cutover.switch`: exchange-ip, rollback-ip, and the worker's look at the addresses. */
    withLivenessHeartbeats(createSwitchActivities(dcs, secrets, call)),
    /** Not DCS calls: the deletes a keep-writes rollback carries to the source itself (`activities/rollback-prune.ts`). */
    withLivenessHeartbeats(createRollbackPruneActivities(dcs, secrets)),
    /** Not a DCS call: sendNotification, one phase change POSTed to one webhook (`activities/notify.ts`). */
    withLivenessHeartbeats(createNotifyActivities(secrets)),
    withLivenessHeartbeats(taskActivities),
  );
}

export type Activities = ReturnType<typeof createActivities>;

function fromListItem(scrub: (text: string) => string, item: ListItem): RemoteTask {
  return {
    taskId: item.task_id,
    taskName: item.task_name ?? '',
    status: item.status,
    // Into history and failure messages: a server that echoes a password in its error must not put it there.
    ...(item.error_message ? { errorMessage: scrub(item.error_message) } : {}),
  };
}
