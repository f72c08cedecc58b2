/**
 * The migration's message handlers (the contract: `common/workflow-contract.ts`): the `status` query, the `cancel`
 * and `cutover` signals, the `cutover`, `rollback` and `restart` updates with their validators. They only read
 * and mark the state (and cancel the steps' scope); the flow (`migration.ts` and its steps) acts on the marks.
 *
 * Set before anything else runs, so a message that arrives during the validation finds its handler: until the
 * context exists, the handlers read the state alone.
 */
import { ApplicationFailure } from '@temporalio/common';
import { condition, log, setHandler, type CancellationScope } from '@temporalio/workflow';
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
  type RollbackRequest,
  type RestartRequest,
} from '../common/workflow-contract.js';
import { refreshCurrentDetails, verificationOf, type MigrationContext } from './context.js';
import { statusOf, type MigrationState } from './state.js';
import { cutoverPolicyStatus } from './steps/cutover-gate.js';
import { checkReverseRollback } from './steps/reverse-sync.js';
import { checkRollbackAllowed } from './steps/switch.js';

/** What the handlers reach: the state from the start, the context once the input is validated. */
export interface HandledRun {
  readonly state: MigrationState;
  /** The scope the migration's steps run in: the `cancel` signal cancels it. */
  readonly steps: CancellationScope;
  ctx?: MigrationContext;
}

export function setMigrationHandlers(run: HandledRun): void {
  const { state } = run;
  setHandler(
    statusQuery,
    () => {
      const policy = cutoverPolicyStatus(run.ctx);
      return {
        ...statusOf(state, run.ctx?.input, verificationOf(run.ctx)),
        ...(policy ? { cutoverPolicy: policy } : {}),
      };
    },
    { description: 'Phase, remote status, progress, cutover policy, last error and API call counts.' },
  );
  setHandler(
    cancelSignal,
    (request: CancelRequest | undefined) => {
      if (state.cancel !== undefined || TERMINAL_PHASES.includes(state.phase)) return;
      state.cancel = sanitizeCancel(request);
      log.info('cancel requested by signal', { reason: state.cancel.reason });
      run.steps.cancel();
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
      publishIfReady(run.ctx);
    },
    { description: 'End the incremental hold once the cutover policy allows (use the update to get an answer).' },
  );
  setHandler(
    cutoverUpdate,
    (request: CutoverRequest | undefined) => {
      state.cutover ??= { requestedAt: new Date().toISOString(), by: 'operator', ...noteOf(request) };
      publishIfReady(run.ctx);
      const accepted: CutoverAccepted = { offset: state.progress?.offset, acceptedAt: state.cutover.requestedAt };
      const policy = cutoverPolicyStatus(run.ctx);
      return Promise.resolve(
        policy ? { ...accepted, outlook: policy.summary, immediate: policy.ready, policy } : accepted,
      );
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
        if (state.cutover)
          throw ApplicationFailure.nonRetryable('cutover already requested', MigrationFailureType.CutoverRejected);
      },
      description:
        'End the incremental hold once the cutover policy allows; answers what happens next. Rejected unless the migration is holding in sync.',
    },
  );
  setHandler(
    rollbackUpdate,
    async (request: RollbackRequest | undefined) => {
      const record = state.switch!;
      const force = request?.force === true ? { force: true } : {};
      // A forced request while a rollback waits for the reverse task to catch up: it goes now (steps/reverse-sync.ts).
      if (record.rollback && force.force) record.rollback.force = true;
      else record.rollback = { by: 'operator', requestedAt: new Date().toISOString(), ...noteOf(request), ...force };
      const rollback = record.rollback;
      // Answered once the clients are back on the source (or the migration ended otherwise, or the rollback was
      // called off because the reverse task could not keep the writes: then it fails saying why).
      const calledOff = () => record.rollback !== rollback && record.state !== 'rolled-back';
      await condition(() => record.state === 'rolled-back' || TERMINAL_PHASES.includes(state.phase) || calledOff());
      if (calledOff()) {
        const reason = record.rollbackRefused?.reason ?? 'rollback called off';
        throw ApplicationFailure.nonRetryable(reason, MigrationFailureType.RollbackRejected);
      }
      const kept = rollback.keptWrites === undefined ? {} : { keptWrites: rollback.keptWrites };
      const finished = rollback.finishedAt ? { finishedAt: rollback.finishedAt } : {};
      return { acceptedAt: rollback.requestedAt, ...finished, ...kept };
    },
    {
      validator: (request: RollbackRequest | undefined) => {
        if (checkReverseRollback(state.switch, request) !== 'upgrade') checkRollbackAllowed({ state });
      },
      description:
        'Switch the clients back to the source (rollback-ip), in the rollback window after a switch; answers once done.',
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
        if (state.operatorRestart)
          throw ApplicationFailure.nonRetryable('restart already requested', MigrationFailureType.RestartRejected);
      },
      description:
        'Restart the failed remote task now (the same task); rejected unless the migration waits to restart it.',
    },
  );
}

function sanitizeCancel(request: CancelRequest | undefined): CancelRequest {
  const reason =
    typeof request?.reason === 'string' && request.reason.trim()
      ? request.reason.trim().slice(0, 500)
      : 'no reason given';
  return typeof request?.delete === 'boolean' ? { reason, delete: request.delete } : { reason };
}

/** The UI's current details show the request at once (details only: no search attribute upsert from a handler). */
function publishIfReady(ctx: MigrationContext | undefined): void {
  if (ctx) refreshCurrentDetails(ctx);
}

function noteOf(request: CutoverRequest | undefined): { note?: string } {
  return typeof request?.note === 'string' ? { note: request.note.slice(0, 500) } : {};
}
