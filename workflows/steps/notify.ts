/**
 * Notifications of phase changes (input `notify`): each change is sent to every webhook that wants its event, by
 * the `sendNotification` activity (the URL is resolved there, never here). Fire-and-forget for the migration: a
 * send runs beside the flow, in order per webhook (each waits for the one before it), outside cancellation, and
 * a webhook that keeps failing becomes a warning in the status, never a failure. The flow waits for the sends
 * still running only where the run ends (`notificationsPending`), so the last events are not dropped.
 */
import { CancellationScope, log, patched } from '@temporalio/workflow';
import type { MigrationInput, NotifyEvent, WebhookSettings } from '../../common/migration-input.js';
import type { MigrationPhase } from '../../common/workflow-contract.js';
import type { PhaseChange } from '../../activities/notify.js';
import { runActivity } from '../api.js';
import { Patch } from '../patches.js';
import { NOTIFY_OPTIONS } from '../retry-policy.js';
import { describeError, type MigrationState } from '../state.js';
import { reportsPending } from '../plan/report-to-plan.js';

/** Warnings kept in the state (and the status): the latest ones. */
const MAX_WARNINGS = 10;

/** The event a change to `phase` is (one per change). */
export function eventOf(phase: MigrationPhase): NotifyEvent {
  switch (phase) {
    case 'incremental-hold':
      return 'in-sync';
    case 'cut-over':
      return 'cutover';
    case 'succeeded':
    case 'failed':
    case 'cancelled':
      return phase;
    default:
      return 'phase';
  }
}

/** What a notification is made of: the part of the migration's context it reads (`context.ts` calls in). */
export interface NotifyContext {
  readonly input: MigrationInput;
  readonly state: MigrationState;
  readonly taskName: string;
}

/** Pending sends per webhook (the tail of each one's chain), by context. */
const pending = new WeakMap<NotifyContext, Array<Promise<void>>>();

/** Queues the change from `from` to the current phase for every webhook that wants it. Returns at once. */
export function notifyPhaseChange(ctx: NotifyContext, from: MigrationPhase): void {
  const webhooks = ctx.input.notify?.webhooks;
  if (!webhooks || !patched(Patch.NotifyOnPhaseChange)) return;
  const { state } = ctx;
  const event = eventOf(state.phase);
  const change: PhaseChange = {
    event,
    phase: state.phase,
    from,
    at: new Date().toISOString(),
    taskName: ctx.taskName,
    taskId: state.taskId,
    remoteStatus: state.remoteStatus,
    ...(event === 'failed' && state.lastError
      ? { error: { type: state.lastError.type, message: state.lastError.message } }
      : {}),
  };
  const tails = pending.get(ctx) ?? [];
  pending.set(ctx, tails);
  webhooks.forEach((webhook, index) => {
    if (webhook.events && !webhook.events.includes(event)) return;
    const before = tails[index] ?? Promise.resolve();
    tails[index] = before.then(() => send(state, `notify.webhooks[${index}]`, webhook, change));
  });
}

/**
 * The sends still running, to wait for before the run ends (each ends within its schedule-to-close timeout; the
 * promise never rejects), or undefined when nothing was ever sent: runs without `notify` do not even yield.
 */
export function notificationsPending(ctx: NotifyContext): Promise<unknown> | undefined {
  const tails = pending.get(ctx);
  // A migration started by a plan also waits for its last phase reports to the plan (workflows/plan/report-to-plan.ts).
  const reports = reportsPending(ctx.state);
  if (!tails) return reports;
  return CancellationScope.nonCancellable(() => Promise.all([...tails, reports]));
}

async function send(
  state: MigrationState,
  field: string,
  webhook: WebhookSettings,
  change: PhaseChange,
): Promise<void> {
  try {
    await CancellationScope.nonCancellable(() =>
      runActivity('sendNotification', NOTIFY_OPTIONS, `Notify ${field}: ${change.event}`, {
        field,
        webhook: { url: webhook.url, format: webhook.format },
        change,
      }),
    );
  } catch (error) {
    const { message } = describeError(error);
    log.warn('notification not delivered', { field, event: change.event, error: message });
    state.warnings = [
      ...(state.warnings ?? []),
      { field, message: `${change.event} not delivered: ${message}`, at: new Date().toISOString() },
    ].slice(-MAX_WARNINGS);
  }
}
