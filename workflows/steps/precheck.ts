/**
 * The pre-flight checks, before anything is created (`runPrechecks`, `activities/prechecks/`). With
 * `prechecks.mode: enforce` a failing check ends the run with a non-retryable `PrecheckFailed` naming each failing
 * check, its details carrying every outcome; with `warn` failing checks are logged and the run goes on; `off`
 * skips the step. Runs recorded before the step existed (no patch marker) skip it on replay.
 */
import { log, patched } from '@temporalio/workflow';
import { failingChecks, precheckFailureMessage } from '../../common/precheck.js';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import { runActivity } from '../api.js';
import { enterPhase, type MigrationContext } from '../context.js';
import { Patch } from '../patches.js';
import { PRECHECK_OPTIONS } from '../retry-policy.js';
import type { MigrationState } from '../state.js';
import { workflowFailure } from './failures.js';

/**
 * Whether this run runs the pre-flight checks: once, while no task exists, and not in runs recorded before them.
 * Called at the start of the run, before the validation's local activity, for the reason `wantsReferenceCheck`
 * gives (a `patched()` after a local activity may land in another workflow task on replay).
 */
export function wantsPrechecks(state: MigrationState): boolean {
  return state.taskId === undefined && patched(Patch.PrechecksBeforeCreate);
}

export async function precheck(ctx: MigrationContext): Promise<void> {
  const { mode } = ctx.input.prechecks;
  if (mode === 'off') return;
  enterPhase(ctx, 'prechecking');
  // Not counted in `apiCalls`: that report counts one DCS operation per activity, and this is several reads.
  const { outcomes } = await runActivity(
    'runPrechecks',
    PRECHECK_OPTIONS,
    'Pre-flight checks (DCS instance reads, optional Redis probes)',
    ctx.input,
  );
  const failing = failingChecks(outcomes);
  const notPassed = outcomes.filter((item) => item.verdict !== 'pass');
  // Only what needs a look goes into the state (and the status, the result): it is carried across continue-as-new.
  if (notPassed.length > 0) ctx.state.prechecks = notPassed;
  for (const outcome of notPassed) {
    log.warn('pre-flight check', { id: outcome.id, verdict: outcome.verdict, evidence: outcome.evidence });
  }
  if (failing.length === 0) return;
  if (mode === 'warn') {
    log.warn('pre-flight checks failed; going on (prechecks.mode: warn)', {
      failing: failing.map((outcome) => outcome.id),
    });
    return;
  }
  throw workflowFailure(precheckFailureMessage(outcomes), MigrationFailureType.PrecheckFailed, { outcomes });
}
