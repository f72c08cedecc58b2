/**
 * Creating the remote task exactly once. Before every create attempt the task name is looked up; a create call
 * runs a single attempt (its outcome is ambiguous when the response is lost), and the next round's lookup finds
 * a task that was committed anyway. So neither a lost response nor a worker crash between the create and its
 * recording in history makes a second task.
 */
import { ApplicationFailure, ActivityFailure } from '@temporalio/common';
import { isCancellation, log, sleep } from '@temporalio/workflow';
import type { CreatedTask } from '../../activities/results.js';
import { callActivity, isPermanentFailure } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { retryDelayMs } from '../../common/backoff.js';
import { MAX_WRITE_TRIES, READ_OPTIONS, SINGLE_ATTEMPT_OPTIONS } from '../retry-policy.js';
import { recordError } from '../state.js';
import { observeStatus } from './read-task.js';

export async function ensureTask(ctx: MigrationContext): Promise<void> {
  const { state } = ctx;
  if (state.taskId !== undefined) return;
  enterPhase(ctx, 'creating');
  for (let attempt = 1; ; attempt++) {
    const { task } = await callActivity(state, 'findTaskByName', READ_OPTIONS, `Look up task ${ctx.taskName} before creating`, ctx.taskName);
    if (task) {
      log.info('adopting the existing task with our name', { taskId: task.taskId, status: task.status });
      record(ctx, { taskId: task.taskId, status: task.status, attempts: 0 });
      return;
    }
    try {
      record(ctx, await create(ctx));
      return;
    } catch (error) {
      if (isCancellation(error) || isPermanentFailure(error) || attempt >= MAX_WRITE_TRIES) throw error;
      recordError(state, error, new Date());
      publish(ctx);
      await sleep(retryAfter(error) ?? retryDelayMs(attempt, undefined));
    }
  }
}

function record(ctx: MigrationContext, created: CreatedTask): void {
  const { state } = ctx;
  state.taskId = created.taskId;
  state.jobId = created.jobId;
  state.timings.taskCreatedAt ??= new Date().toISOString();
  observeStatus(ctx, created.status);
}

function create(ctx: MigrationContext): Promise<CreatedTask> {
  const { input, state, taskName } = ctx;
  const description = input.description;
  switch (input.kind) {
    case 'backup_import':
      return callActivity(state, 'createBackupImportTask', SINGLE_ATTEMPT_OPTIONS, `Create backup import task ${taskName}`, {
        taskName,
        description,
        target: input.target,
        backup: input.backup,
      });
    case 'legacy_online':
      return callActivity(state, 'createLegacyOnlineTask', SINGLE_ATTEMPT_OPTIONS, `Create online migration task ${taskName} (legacy API)`, {
        taskName,
        description,
        method: input.method,
        networkType: input.networkType,
        source: input.source,
        target: input.target,
      });
    case 'online':
      return callActivity(state, 'createOnlineTask', SINGLE_ATTEMPT_OPTIONS, `Create online migration task ${taskName}`, {
        taskName,
        description,
        network: input.network,
      });
  }
}

/** The activity's suggested delay (Retry-After with jitter), when it gave one. */
export function retryAfter(error: unknown): number | string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure) || cause.nextRetryDelay == null) return undefined;
  return cause.nextRetryDelay as number | string;
}
