/**
 * The migration workflow: one DCS migration task, from input validation to a final status.
 *
 *   validate (local activity) → pre-flight checks → create (idempotent, by name) → [online: provision, configure] → watch
 *     → full / backup import: SUCCESS
 *     → incremental: hold in the incremental steady state until cutover or deadline → stop → TERMINATED
 *       (`cutover.switch`: switch the clients first, steps/switch.ts; a rollback may return to the hold)
 *
 * Cancellation (Temporal's own, or the `cancel` signal) stops the remote task in a non-cancellable scope, waits
 * for TERMINATED, optionally deletes it, and ends the workflow CANCELLED; a failure cleans up as `onFailure` says
 * (the endings: `finish.ts`). The messages (query, signals, updates) are `handlers.ts`'s: they mark the state, the
 * flow acts on it. Long runs continue as new with their state (second argument), so history stays bounded.
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  ContinueAsNew,
  isCancellation,
  log,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { MigrationInput, MigrationWorkflowInput } from '../common/migration-input.js';
import type { MigrationResult } from '../common/workflow-contract.js';
import { publish, verificationOf, type MigrationContext } from './context.js';
import { cancelledRun, failedRun, finishRun } from './finish.js';
import { setMigrationHandlers, type HandledRun } from './handlers.js';
import { Patch } from './patches.js';
import { initialState, resultOf, type MigrationState } from './state.js';
import { checkReferencesFirst, ensureTask, wantsReferenceCheck } from './steps/create-task.js';
import { precheck, wantsPrechecks } from './steps/precheck.js';
import { provisionAndConfigure } from './steps/provision.js';
import { notificationsPending } from './steps/notify.js';
import { stopRemoteTask } from './steps/stop.js';
import { checkSwitchBeforeCreate, switchClients, switchModeOf } from './steps/switch.js';
import { verifyIfRequested } from './steps/verify.js';
import { validateInput } from './steps/validate-input.js';
import { watchTask } from './steps/watch.js';
import { deriveTaskName } from './task-name.js';

/**
 * Runs one DCS migration described by `input` (see `common/migration-input.ts`): parsed by the client that
 * started it, or as a file holds it; validated first either way. `carried` is internal: the state handed over by
 * continue-as-new.
 */
export async function dcsMigration(input: MigrationWorkflowInput, carried?: MigrationState): Promise<MigrationResult> {
  const state = carried ?? initialState(new Date());
  const root = CancellationScope.current();
  const run: HandledRun = { state, steps: new CancellationScope() };
  setMigrationHandlers(run);

  const checkReferences = wantsReferenceCheck(state);
  const runPrechecks = wantsPrechecks(state);
  let parsed: MigrationInput;
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
      log.info('continuing as new to keep history bounded', { polls: state.polls, historyLength: workflowInfo().historyLength });
      return continueAsNew<typeof dcsMigration>(input, state);
    },
  };
  state.taskName = ctx.taskName;
  run.ctx = ctx;
  publish(ctx);

  try {
    // Only inputs asking for a switch reach the patch, so runs without one replay as before.
    const switchMode = switchModeOf(ctx);
    const switching = switchMode !== undefined && patched(Patch.SwitchClientsAtCutover) ? switchMode : undefined;
    const outcome = await run.steps.run(async () => {
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
    const ending = outcome === 'succeeded' ? 'succeeded' : outcome === 'rolled-back' ? 'rolled-back' : 'cut-over';
    await finishRun(ctx, ending, { handlers: 'wait' });
    return resultOf(state, ending, verificationOf(ctx));
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    // A cancel signal wins over whatever error the interrupted step raised on its way out.
    if (isCancellation(error) || state.cancel !== undefined) throw await cancelledRun(ctx, error);
    throw await failedRun(ctx, error);
  }
}
