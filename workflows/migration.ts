/**
 * The migration workflow: one DCS migration task, from input validation to a final status.
 *
 *   validate (local activity) → pre-flight checks → create (idempotent, by name) → [online: provision, configure] → watch
 *     → full / backup import: SUCCESS
 *     → incremental: hold in the incremental steady state until cutover or deadline → stop → TERMINATED
 *       (`cutover.switch`: switch the clients first, steps/switch.ts; a rollback may return to the hold)
 *
 * Cancellation (Temporal's own, or the `cancel` signal) stops the remote task in a non-cancellable scope, waits
 * for TERMINATED, optionally deletes it, and ends the workflow CANCELLED. Long runs continue as new with their
 * state (second argument), so history stays bounded.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  ContinueAsNew,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { MigrationInput, MigrationWorkflowInput } from '../common/migration-input.js';
import {
  cancelSignal,
  cutoverSignal,
  cutoverUpdate,
  MigrationFailureType,
  rollbackUpdate,
  restartUpdate,
  statusQuery,
  TERMINAL_PHASES,
  type CancelRequest,
  type CutoverAccepted,
  type CutoverRequest,
  type MigrationResult,
  type RollbackRequest,
  type RestartRequest,
  type VerificationResult,
} from '../common/workflow-contract.js';
import { callActivity } from './api.js';
import { enterPhase, publish, refreshCurrentDetails, type MigrationContext } from './context.js';
import { READ_OPTIONS } from './retry-policy.js';
import { initialState, recordError, resultOf, statusOf, type MigrationState } from './state.js';
import { checkReferencesFirst, ensureTask, wantsReferenceCheck } from './steps/create-task.js';
import { cutoverPolicyStatus } from './steps/cutover-gate.js';
import { surfaceActivityFailure, workflowFailure } from './steps/failures.js';
import { precheck, wantsPrechecks } from './steps/precheck.js';
import { provisionAndConfigure } from './steps/provision.js';
import { notificationsPending } from './steps/notify.js';
import { cleanUpAfterCancel, cleanUpAfterFailure, stopRemoteTask, withCleanup } from './steps/stop.js';
import { checkRollbackAllowed, checkSwitchBeforeCreate, switchClients, switchModeOf, SWITCH_CLIENTS_PATCH } from './steps/switch.js';
import { verifyIfRequested } from './steps/verify.js';
import { validateInput } from './steps/validate-input.js';
import { watchTask } from './steps/watch.js';
import { deriveTaskName } from './task-name.js';
import { continueAsNewVersioning } from './version-upgrade.js';

/**
 * Runs one DCS migration described by `input` (see `common/migration-input.ts`): parsed by the client that
 * started it, or as a file holds it; validated first either way. `carried` is internal: the state handed over by
 * continue-as-new.
 */
export async function dcsMigration(input: MigrationWorkflowInput, carried?: MigrationState): Promise<MigrationResult> {
  const state = carried ?? initialState(new Date());
  let parsed: MigrationInput | undefined;
  const root = CancellationScope.current();
  const main = new CancellationScope();

  // The query may arrive before the context exists (during validation).
  const current: { ctx?: MigrationContext } = {};
  setHandler(
    statusQuery,
    () => {
      const policy = cutoverPolicyStatus(current.ctx);
      return { ...statusOf(state, parsed, verificationOf(current.ctx)), ...(policy ? { cutoverPolicy: policy } : {}) };
    },
    { description: 'Phase, remote status, progress, cutover policy, last error and API call counts.' },
  );
  setHandler(
    cancelSignal,
    (request: CancelRequest | undefined) => {
      if (state.cancel !== undefined || TERMINAL_PHASES.includes(state.phase)) return;
      state.cancel = sanitizeCancel(request);
      log.info('cancel requested by signal', { reason: state.cancel.reason });
      main.cancel();
    },
    { description: 'Stop the migration: stops the remote task, waits for TERMINATED, optionally deletes it.' },
  );
  setHandler(
    cutoverSignal,
    (request: CutoverRequest | undefined) => {
      if (state.phase !== 'incremental-hold' || state.cutover) {
        log.warn('cutover signal ignored: not in the incremental hold', { phase: state.phase });
        return;
      }
      state.cutover = { requestedAt: new Date().toISOString(), by: 'operator', ...noteOf(request) };
      publishIfReady(current.ctx);
    },
    { description: 'End the incremental hold once the cutover policy allows (use the update to get an answer).' },
  );
  setHandler(
    cutoverUpdate,
    (request: CutoverRequest | undefined) => {
      state.cutover ??= { requestedAt: new Date().toISOString(), by: 'operator', ...noteOf(request) };
      publishIfReady(current.ctx);
      const accepted: CutoverAccepted = { offset: state.progress?.offset, acceptedAt: state.cutover.requestedAt };
      const policy = cutoverPolicyStatus(current.ctx);
      return Promise.resolve(policy ? { ...accepted, outlook: policy.summary, immediate: policy.ready, policy } : accepted);
    },
    {
      validator: (_request: CutoverRequest | undefined) => {
        // Non-retryable: asking again does not help until the migration reaches the hold (callers read the type).
        if (state.phase !== 'incremental-hold') {
          throw ApplicationFailure.nonRetryable(
            `cutover is only possible in the incremental hold; the migration is ${state.phase}`,
            MigrationFailureType.CutoverRejected,
          );
        }
        if (state.cutover) throw ApplicationFailure.nonRetryable('cutover already requested', MigrationFailureType.CutoverRejected);
      },
      description: 'End the incremental hold once the cutover policy allows; answers what happens next. Rejected unless the migration is holding in sync.',
    },
  );

  setHandler(
    rollbackUpdate,
    async (request: RollbackRequest | undefined) => {
      const record = state.switch!;
      record.rollback = { by: 'operator', requestedAt: new Date().toISOString(), ...noteOf(request) };
      // Answered once the clients are back on the source (or the migration ended otherwise).
      await condition(() => record.state === 'rolled-back' || TERMINAL_PHASES.includes(state.phase));
      return { acceptedAt: record.rollback.requestedAt, ...(record.rollback.finishedAt ? { finishedAt: record.rollback.finishedAt } : {}) };
    },
    {
      validator: (_request: RollbackRequest | undefined) => checkRollbackAllowed({ state }),
      description: 'Switch the clients back to the source (rollback-ip), in the rollback window after a switch; answers once done.',
    },
  );

  setHandler(
    restartUpdate,
    (request: RestartRequest | undefined) => {
      const requestedAt = new Date().toISOString();
      state.operatorRestart = { requestedAt, ...noteOf(request) };
      return Promise.resolve({ acceptedAt: requestedAt, reason: state.restartPending?.reason ?? '' });
    },
    {
      validator: (_request: RestartRequest | undefined) => {
        // Only a failed task the workflow is waiting to restart can be restarted: any other time, the remote task
        // is running (DCS refuses a restart) or the migration has ended.
        if (state.restartPending === undefined) {
          throw ApplicationFailure.nonRetryable(
            `restart is only possible while the migration waits to restart its failed task; the migration is ${state.phase}`,
            MigrationFailureType.RestartRejected,
          );
        }
        if (state.operatorRestart) throw ApplicationFailure.nonRetryable('restart already requested', MigrationFailureType.RestartRejected);
      },
      description: 'Restart the failed remote task now (the same task); rejected unless the migration waits to restart it.',
    },
  );

  const checkReferences = wantsReferenceCheck(state);
  const runPrechecks = wantsPrechecks(state);
  try {
    parsed = await validateInput(input);
  } catch (error) {
    state.phase = 'failed';
    throw error;
  }
  const ctx: MigrationContext = {
    input: parsed,
    state,
    taskName: parsed.taskName ?? state.taskName ?? deriveTaskName(workflowInfo().workflowId),
    root,
    published: { phase: '', taskId: '', remoteStatus: '', migrationType: '' },
    pollsThisRun: 0,
    continueAsNew: async () => {
      await condition(allHandlersFinished);
      await notificationsPending(ctx);
      state.continuedAsNew += 1;
      const versioning = continueAsNewVersioning();
      const why = versioning ? 'to move to the current worker version' : 'to keep history bounded';
      log.info(`continuing as new ${why}`, { polls: state.polls, historyLength: workflowInfo().historyLength });
      return makeContinueAsNewFunc<typeof dcsMigration>(versioning)(input, state);
    },
  };
  state.taskName = ctx.taskName;
  current.ctx = ctx;
  publish(ctx);

  try {
    // Only inputs asking for a switch reach the patch, so runs without one replay as before.
    const switchMode = switchModeOf(ctx);
    const switching = switchMode !== undefined && patched(SWITCH_CLIENTS_PATCH) ? switchMode : undefined;
    const outcome = await main.run(async () => {
      if (checkReferences) await checkReferencesFirst(ctx);
      if (runPrechecks) await precheck(ctx);
      // An ineligible pair is refused before any DCS call.
      if (switching) await checkSwitchBeforeCreate(ctx, switching);
      await ensureTask(ctx);
      await provisionAndConfigure(ctx);
      for (;;) {
        const watched = await watchTask(ctx);
        // Verified while the incremental task still runs (before the cutover stops it), else once it succeeded.
        await verifyIfRequested(ctx);
        if (watched !== 'hold-ended') return watched;
        if (switching) {
          const switched = await switchClients(ctx, switching);
          if (switched === 'hold-again') continue;
          if (switched === 'rolled-back') return switched;
        }
        await stopRemoteTask(ctx);
        return watched;
      }
    });
    state.timings.finishedAt = new Date().toISOString();
    const ending = outcome === 'succeeded' ? 'succeeded' : outcome === 'rolled-back' ? 'rolled-back' : 'cut-over';
    enterPhase(ctx, ending);
    await condition(allHandlersFinished);
    await notificationsPending(ctx);
    return resultOf(state, ending, verificationOf(ctx));
  } catch (error) {
    if (isContinueAsNew(error)) throw error;
    // A cancel signal wins over whatever error the interrupted step raised on its way out.
    if (isCancellation(error) || state.cancel !== undefined) throw await cancelled(ctx, error);
    recordError(state, error, new Date());
    if (patched(CLEAN_UP_ON_FAILURE)) throw await failed(ctx, error);
    state.timings.finishedAt = new Date().toISOString();
    enterPhase(ctx, 'failed');
    await notificationsPending(ctx);
    throw surfaceActivityFailure(error);
  }
}

/** Patch: a failure stops (or deletes, or keeps: input `onFailure`) the remote task and says so in its message. */
export const CLEAN_UP_ON_FAILURE = 'clean-up-remote-task-on-failure';

/**
 * Cleans up the remote task after a failure (`cleanUpAfterFailure`, not cancellable: a cancel arriving now must
 * not leave a paid task running), then returns the failure to end with, telling what was done to the task.
 */
async function failed(ctx: MigrationContext, error: unknown): Promise<unknown> {
  const { state } = ctx;
  const surfaced = surfaceActivityFailure(error);
  // Not a Temporal failure (a bug in workflow code): the task fails and is retried, nothing to report yet.
  if (!(surfaced instanceof ApplicationFailure)) {
    enterPhase(ctx, 'failed');
    await notificationsPending(ctx);
    return surfaced;
  }
  const lastError = state.lastError;
  const cleanup = await CancellationScope.nonCancellable(() => cleanUpAfterFailure(ctx, error));
  // The status keeps showing why the migration failed, not what the cleanup's reads ran into.
  state.lastError = lastError;
  state.timings.finishedAt = new Date().toISOString();
  enterPhase(ctx, 'failed');
  await notificationsPending(ctx);
  return withCleanup(surfaced, cleanup);
}

/** Stops (and maybe deletes) the remote task, then returns the cancellation to rethrow so the run ends CANCELLED. */
async function cancelled(ctx: MigrationContext, error: unknown): Promise<unknown> {
  const { state, input } = ctx;
  const request = state.cancel ?? { reason: 'workflow cancellation requested' };
  state.cancel = request;
  try {
    await CancellationScope.nonCancellable(() => cleanUpAfterCancel(ctx, request.delete ?? input.deleteOnCancel));
  } catch (cleanupError) {
    recordError(state, cleanupError, new Date());
    state.timings.finishedAt = new Date().toISOString();
    enterPhase(ctx, 'failed');
    await notificationsPending(ctx);
    return workflowFailure(
      `cancel requested (${request.reason}), but the remote task could not be stopped: ${state.lastError?.message ?? 'unknown error'}`,
      MigrationFailureType.CleanupFailed,
      { taskId: state.taskId, status: state.remoteStatus },
    );
  }
  state.timings.finishedAt = new Date().toISOString();
  enterPhase(ctx, 'cancelled');
  // A run closes as CANCELLED only when Temporal itself cancelled it, and the server refuses a workflow's request
  // to cancel itself. After a cancel *signal*, an activity asks Temporal (through the worker's client) to cancel
  // this run; once that request arrives, the rethrow below closes the run as CANCELLED rather than FAILED.
  if (!ctx.root.consideredCancelled) {
    await CancellationScope.nonCancellable(async () => {
      try {
        await callActivity(state, 'requestWorkflowCancellation', READ_OPTIONS, 'Close this workflow as cancelled', request.reason);
        await condition(() => ctx.root.consideredCancelled, 30_000);
      } catch (cancelError) {
        log.warn('could not close the workflow as cancelled; it ends failed with a CancelledFailure', { error: String(cancelError) });
      }
    });
  }
  // The root scope may be cancelled by now: wait for handlers outside it.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  await notificationsPending(ctx);
  return isCancelledFailure(error) ? error : new CancelledFailure(`cancelled: ${request.reason}`);
}

/** The verify step's result once it has ended, for the status and the result. */
function verificationOf(ctx: MigrationContext | undefined): VerificationResult | undefined {
  return ctx?.verifying ? undefined : ctx?.verification;
}

function sanitizeCancel(request: CancelRequest | undefined): CancelRequest {
  const reason = typeof request?.reason === 'string' && request.reason.trim() ? request.reason.trim().slice(0, 500) : 'no reason given';
  return typeof request?.delete === 'boolean' ? { reason, delete: request.delete } : { reason };
}

/** The UI's current details show the request at once (details only: no search attribute upsert from a handler). */
function publishIfReady(ctx: MigrationContext | undefined): void {
  if (ctx) refreshCurrentDetails(ctx);
}

function noteOf(request: CutoverRequest | undefined): { note?: string } {
  return typeof request?.note === 'string' ? { note: request.note.slice(0, 500) } : {};
}

function isContinueAsNew(error: unknown): boolean {
  return error instanceof ContinueAsNew;
}

function isCancelledFailure(error: unknown): boolean {
  return error instanceof CancelledFailure;
}
