/**
 * The migration's side of a plan (issue 26): a migration started by a plan (it has a parent) tells the plan each
 * phase change with the `planItemReport` signal, so the plan follows its items across its own continue-as-new
 * and resumptions (signals go to the plan's current run; a child's result reaches only the run that started it).
 * A failed delivery (the plan has ended) is logged, never a failure of the migration.
 *
 * Only migrations with a parent reach the patch, so runs started on their own replay as before.
 */
import { CancellationScope, getExternalWorkflowHandle, log, patched, workflowInfo } from '@temporalio/workflow';
import { itemReportSignal, type ItemReport } from '../../common/plan-contract.js';
import { Patch } from '../patches.js';
import type { MigrationState } from '../state.js';

/** Reports in flight, by migration: the run waits for them before it ends (`reportsPending`). */
const inFlight = new WeakMap<MigrationState, Set<Promise<void>>>();

/** Tells the parent plan the migration's phase (call after each phase change). */
export function reportToPlan(state: MigrationState): void {
  const info = workflowInfo();
  if (!info.parent || !patched(Patch.ReportPhaseToPlan)) return;
  const reason =
    state.phase === 'failed'
      ? state.lastError?.message
      : state.phase === 'cancelled'
        ? state.cancel?.reason
        : undefined;
  const report: ItemReport = {
    workflowId: info.workflowId,
    phase: state.phase,
    at: new Date().toISOString(),
    ...(reason ? { reason } : {}),
  };
  const pending = inFlight.get(state) ?? new Set<Promise<void>>();
  inFlight.set(state, pending);
  const parent = getExternalWorkflowHandle(info.parent.workflowId);
  // Not cancellable: the `cancelled` report is sent after the migration's own cancellation.
  const sent: Promise<void> = CancellationScope.nonCancellable(() => parent.signal(itemReportSignal, report))
    .catch((error: unknown) =>
      log.info('phase not reported to the plan', { plan: info.parent?.workflowId, error: String(error) }),
    )
    .finally(() => pending.delete(sent));
  pending.add(sent);
}

/**
 * The reports still in flight, to wait for before the run ends (so the plan has the last one before the migration
 * closes; the promise never rejects), or undefined when there are none: migrations without a plan do not yield.
 */
export function reportsPending(state: MigrationState): Promise<unknown> | undefined {
  const pending = inFlight.get(state);
  return pending && pending.size > 0 ? Promise.all(pending) : undefined;
}
