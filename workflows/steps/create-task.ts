/**
 * Creating the remote task exactly once. Before every create attempt the task name is looked up; a create call
 * runs a single attempt (its outcome is ambiguous when the response is lost), and the next round's lookup finds
 * a task that was committed anyway. So neither a lost response nor a worker crash between the create and its
 * recording in history makes a second task.
 */
import { ApplicationFailure, ActivityFailure, type ActivityOptions } from '@temporalio/common';
import { isCancellation, log, patched, sleep } from '@temporalio/workflow';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import type { CreatedTask, FoundTask } from '../../activities/results.js';
import { callActivity, isPermanentFailure } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { retryDelayMs } from '../../common/backoff.js';
import { retryDelayOf } from '../../common/retry-delay-detail.js';
import { MAX_WRITE_TRIES, READ_OPTIONS, SINGLE_ATTEMPT_OPTIONS } from '../retry-policy.js';
import { recordError, type MigrationState } from '../state.js';
import { Patch } from '../patches.js';
import { workflowFailure } from './failures.js';
import { isDcsOutage, retryThroughOutage } from './outage.js';
import { observeStatus } from './read-task.js';

/**
 * Whether this run checks the secret references before creating the task: once, while no task exists (not again
 * after a continue-as-new), and not in runs recorded before the check existed.
 *
 * Call it at the start of the run, before the validation's local activity: a `patched()` call made after a local
 * activity resolves can land, in the original run, in a later workflow task than where a replay (which resolves
 * the local activity from its marker at once) evaluates it; the replay then misses the marker (nondeterminism
 * error, seen on queries that replay a running migration).
 */
export function wantsReferenceCheck(state: MigrationState): boolean {
  return state.taskId === undefined && patched(Patch.CheckReferencesBeforeCreate);
}

/**
 * Before anything is created: every password reference of the input (source, target, verify) must resolve on
 * the worker, else the run fails at once with `SecretUnavailable` naming each of them, and no paid task exists.
 */
export async function checkReferencesFirst(ctx: MigrationContext): Promise<void> {
  await callActivity(
    ctx.state,
    'checkReferences',
    READ_OPTIONS,
    'Check that every secret reference resolves on the worker',
    ctx.input,
  );
}

/**
 * The running migration, other than this one, that drives task `taskId` (publishes it as `DcsTaskId`), if any.
 *
 * Visibility lag: an owner publishes DcsTaskId in the workflow task right after its create call returns, and it
 * is searchable once visibility has indexed it (at once on the dev server's SQLite, about a second with
 * Elasticsearch). A second migration with the same explicit `taskName` whose lookup lands inside that window —
 * the owner's create committed, its upsert not yet searchable — still adopts. That takes two migrations started
 * with one task name within about a second of each other, which a person or a script retrying a start does not
 * do by accident (a retried start with the same workflow id is refused by Temporal itself), so it is accepted.
 */
export async function ownerOf(ctx: MigrationContext, taskId: string): Promise<string | undefined> {
  const { owner } = await callActivity(
    ctx.state,
    'findTaskOwner',
    READ_OPTIONS,
    `Check that no other running migration drives task ${taskId}`,
    taskId,
  );
  return owner;
}

export async function ensureTask(ctx: MigrationContext): Promise<void> {
  const { state } = ctx;
  if (state.taskId !== undefined) return;
  enterPhase(ctx, 'creating');
  for (let attempt = 1; ; attempt++) {
    const lookUp = (options: ActivityOptions) =>
      callActivity(state, 'findTaskByName', options, `Look up task ${ctx.taskName} before creating`, ctx.taskName);
    const startedAt = Date.now();
    let found: FoundTask;
    try {
      found = await lookUp(READ_OPTIONS);
    } catch (error) {
      // DCS down or throttling: looked up again through the outage, within its tolerance (`outage.ts`); any other
      // failure is thrown here, as before the rule.
      if (!isDcsOutage(error)) throw error;
      found = await retryThroughOutage(ctx, error, startedAt, lookUp);
    }
    const { task } = found;
    if (task) {
      if (patched(Patch.RefuseOwnedTask)) {
        const owner = await ownerOf(ctx, task.taskId);
        if (owner !== undefined) {
          throw workflowFailure(
            `remote task ${task.taskId} (${ctx.taskName}) is driven by the running migration ${owner}; refusing to adopt it (give this migration another taskName, or wait until ${owner} has ended)`,
            MigrationFailureType.RemoteTaskOwned,
            { taskId: task.taskId, taskName: ctx.taskName, owner },
          );
        }
      }
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
      // The suggestion is a floor on the loop's own growing backoff (each create is a single attempt, so the
      // activity's suggestion alone would not grow). Asked only when there is one: other retries add no marker.
      const suggested = retryAfter(error);
      const floor = suggested !== undefined && patched(Patch.CreateRetryAfter) ? suggested : undefined;
      await sleep(retryDelayMs(attempt, floor));
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
      return callActivity(
        state,
        'createBackupImportTask',
        SINGLE_ATTEMPT_OPTIONS,
        `Create backup import task ${taskName}`,
        {
          taskName,
          description,
          target: input.target,
          backup: input.backup,
        },
      );
    case 'legacy_online':
      return callActivity(
        state,
        'createLegacyOnlineTask',
        SINGLE_ATTEMPT_OPTIONS,
        `Create online migration task ${taskName} (legacy API)`,
        {
          taskName,
          description,
          method: input.method,
          networkType: input.networkType,
          source: input.source,
          target: input.target,
        },
      );
    case 'online':
      return callActivity(
        state,
        'createOnlineTask',
        SINGLE_ATTEMPT_OPTIONS,
        `Create online migration task ${taskName}`,
        {
          taskName,
          description,
          network: input.network,
        },
      );
  }
}

/**
 * The activity's suggested delay (Retry-After with jitter), when it gave one: from the failure's details, since
 * the SDK drops `nextRetryDelay` when it decodes a failure for workflow code (`common/retry-delay-detail.ts`).
 */
export function retryAfter(error: unknown): number | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  return retryDelayOf(cause.details);
}
