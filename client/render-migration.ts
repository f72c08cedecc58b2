/**
 * Human text for a migration: the `status` block and the summary `watch` / `start --wait` end with. Both are
 * built from a {@link MigrationView}; the JSON output is the view itself.
 */
import { reverseSyncLine } from '../common/reverse-sync.js';
import type { CutoverPolicyStatus, MigrationProgress, MigrationSwitch } from '../common/workflow-contract.js';
import type { CutoverAsRead, MigrationView, PendingActivityView } from './migration-view.js';
import { formatDuration } from './output.js';

function sum(record: Record<string, number> | undefined): number {
  return Object.values(record ?? {}).reduce((a, b) => a + b, 0);
}

/** ` by operator at …: note`, as far as the cutover is known (older runs say less). */
function cutoverDetail(cutover: CutoverAsRead): string {
  const parts = [
    cutover.by ? ` by ${cutover.by}` : '',
    cutover.requestedAt ? ` at ${cutover.requestedAt}` : '',
    cutover.note ? `: ${cutover.note}` : '',
  ];
  return parts.join('');
}

/** The cutover policy, live: mode, gate progress, window, deadline, and what it waits for. */
function cutoverPolicyLines(policy: CutoverPolicyStatus): string[] {
  const lines = [
    `policy      ${policy.mode}${policy.mode === 'manual' ? ' (dcs-migrate cutover)' : ' (cuts over by itself)'}`,
  ];
  if (policy.gate)
    lines.push(
      `gate        offset ≤ ${policy.gate.maxOffset} for ${policy.gate.consecutiveReads} reads: ${policy.gate.reads} of ${policy.gate.consecutiveReads}${policy.gate.lastOffset !== undefined ? ` (last offset ${policy.gate.lastOffset})` : ''}${policy.gate.holds ? ', holds' : ''}`,
    );
  if (policy.window)
    lines.push(
      `window      ${policy.window.description}: ${policy.window.open ? `open until ${policy.window.closesAt ?? '?'}` : `closed, opens ${policy.window.opensAt ?? '?'}`}`,
    );
  if (policy.deadline)
    lines.push(
      `deadline    ${policy.deadline.at} (then ${policy.deadline.onDeadline}${policy.deadline.passed ? ', passed' : ''})`,
    );
  lines.push(`next        ${policy.summary}`);
  return lines;
}

/** Elapsed time of the run: until it closed, or until now. */
export function elapsedMs(view: MigrationView, now = Date.now()): number {
  return (view.closeTime ? Date.parse(view.closeTime) : now) - Date.parse(view.startTime);
}

/** `getTask attempt 8 (scheduled), next at …: <last failure>`: a DCS call Temporal is retrying. */
export function pendingActivityLine(activity: PendingActivityView): string {
  const next = activity.nextAttemptAt ? `, next attempt at ${activity.nextAttemptAt}` : '';
  return `${activity.activity} attempt ${activity.attempt} (${activity.state}${next})${activity.lastFailure ? `: ${activity.lastFailure}` : ''}`;
}

/**
 * True once the run is past its remote task's work (stopped after a cutover or cancel, succeeded, failed):
 * progress is no longer read then, so the last figures are from before the stop.
 */
function finished(view: MigrationView): boolean {
  const phase = view.status?.phase ?? view.phase;
  return (
    view.result !== undefined ||
    view.closeTime !== undefined ||
    ['stopping', 'deleting', 'succeeded', 'cut-over', 'failed', 'cancelled'].includes(phase ?? '')
  );
}

/** What the last progress read preceded: the task's own end (success), its stop (cutover, cancel) or the failure. */
function endedBy(view: MigrationView): string {
  const phase = view.status?.phase ?? view.phase;
  if (view.result?.outcome === 'succeeded' || phase === 'succeeded') return 'the task ended';
  if (phase === 'failed' || view.execution === 'FAILED') return 'the migration failed';
  return 'the task stopped';
}

/** The progress of a finished run, on one line, dated: it was read before the end (`before`). */
function progressAsOf(progress: MigrationProgress, readAt: string | undefined, before: string): string {
  const parts = [
    progress.fullMigrationProgress !== undefined ? `full sync ${progress.fullMigrationProgress}%` : undefined,
    progress.offset !== undefined ? `offset ${progress.offset}` : undefined,
    progress.sourceDbSize !== undefined
      ? `keys source ${progress.sourceDbSize}, target ${progress.targetDbSize ?? '?'}`
      : undefined,
  ].filter((part) => part !== undefined);
  return `as of ${readAt ?? 'the last read'}, before ${before}: ${parts.join('; ') || 'no figures'}`;
}

/** How a cancel ended for the remote task: `reason "…"; remote task deleted` / `stopped, kept`. */
function cancelDetail(view: MigrationView): string | undefined {
  const status = view.status;
  if (!status?.cancel) return undefined;
  const deleted = (status.apiCalls['deleteTask'] ?? 0) > 0;
  const closed = view.closeTime !== undefined;
  const task =
    status.taskId === undefined
      ? 'no remote task existed'
      : closed
        ? `remote task ${status.taskId} ${deleted ? 'stopped and deleted' : 'stopped, not deleted'}`
        : status.cancel.delete
          ? 'the remote task will be stopped, then deleted'
          : 'the remote task will be stopped';
  return `reason "${status.cancel.reason}"; ${task}`;
}

/** The `dcs-migrate status` block. */
export function statusLines(view: MigrationView, uiUrl: string | undefined): string[] {
  const status = view.status;
  const progress = status?.progress ?? view.result?.progress;
  const progressReadAt = status?.progressReadAt ?? view.result?.progressReadAt;
  const lines = [
    `migration   ${view.workflowId}`,
    `execution   ${view.execution}${view.closeTime ? ` (closed ${view.closeTime})` : ''}`,
    `phase       ${status?.phase ?? view.phase ?? '-'}`,
    `type        ${view.migrationType ?? status?.kind ?? '-'}`,
    `task        ${status?.taskName ?? view.result?.taskName ?? '-'}${(status?.taskId ?? view.taskId) ? ` (${status?.taskId ?? view.taskId})` : ''}`,
    `remote      ${status?.remoteStatus ?? view.remoteStatus ?? '-'}`,
  ];
  if (progress && finished(view)) {
    lines.push(`progress    ${progressAsOf(progress, progressReadAt, endedBy(view))}`);
  } else {
    if (progress?.fullMigrationProgress !== undefined) lines.push(`full sync   ${progress.fullMigrationProgress}%`);
    if (progress?.offset !== undefined)
      lines.push(`offset      ${progress.offset} (changes not yet applied to the target)`);
    if (progress?.sourceDbSize !== undefined)
      lines.push(`keys        source ${progress.sourceDbSize}, target ${progress.targetDbSize ?? '?'}`);
  }
  const verification = status?.verification ?? view.result?.verification;
  if (verification)
    lines.push(
      `verify      ${verification.outcome}${verification.totalDifferences !== undefined ? `, ${verification.totalDifferences} differences` : ''}${verification.keysCompared !== undefined ? ` in ${verification.keysCompared} keys` : ''}`,
    );
  const prechecks = status?.prechecks ?? view.result?.prechecks;
  for (const outcome of prechecks ?? [])
    lines.push(`precheck    ${outcome.verdict} ${outcome.id}: ${outcome.evidence}`);
  const restarts = status?.restarts ?? view.result?.restarts;
  if (restarts)
    lines.push(
      `restarts    ${restarts.count}, last ${restarts.last.at} by ${restarts.last.by}: ${restarts.last.reason}`,
    );
  if (status?.restartPending)
    lines.push(
      `restart     ${status.restartPending.by === 'policy' ? 'due' : 'waiting for `dcs-migrate restart` until'} ${status.restartPending.until}: ${status.restartPending.reason}`,
    );
  lines.push(`elapsed     ${formatDuration(elapsedMs(view))}`);
  if (status) {
    lines.push(
      `activity    ${sum(status.apiCalls)} API calls, ${status.activityAttempts} attempts, ${status.polls} polls`,
    );
    // A failed run's failure already says it: one line, not two.
    if (status.lastError && !view.failure?.includes(status.lastError.message))
      lines.push(`last error  ${status.lastError.type}: ${status.lastError.message}`);
    for (const warning of status.warnings ?? []) lines.push(`warning     ${warning.message}`);
    if (status.cancel) lines.push(`cancel      requested: ${cancelDetail(view)}`);
    if (status.cutover)
      lines.push(
        `cutover     requested${cutoverDetail(status.cutover)}${status.cutover.decidedAt ? `; going ahead since ${status.cutover.decidedAt}${status.cutover.reason ? ` (${status.cutover.reason})` : ''}` : ''}`,
      );
    if (status.cutoverPolicy) lines.push(...cutoverPolicyLines(status.cutoverPolicy));
    if (status.switch) lines.push(`switch      ${switchLine(status.switch)}`);
    const reverse = finished(view) ? undefined : status.switch?.reverse;
    if (reverse) lines.push(`reverse     ${reverseSyncLine(reverse, Date.now())}`);
  } else if (view.execution === 'RUNNING') {
    lines.push(
      `(${view.statusUnavailable ?? 'no worker answered the status query'}: showing what the search attributes say)`,
    );
  } else if (view.statusUnavailable?.includes('cannot decrypt') && !view.failure?.includes('encrypted')) {
    lines.push(`(${view.statusUnavailable})`);
  }
  // A first attempt in flight is the normal case (the JSON lists it); a retried one is news.
  for (const activity of view.pendingActivities ?? [])
    if (activity.attempt > 1 || activity.lastFailure) lines.push(`retrying    ${pendingActivityLine(activity)}`);
  // A cancelled run's failure is Temporal's "Workflow canceled": the cancel line above says more.
  if (view.failure && !(view.execution === 'CANCELLED' && status?.cancel)) lines.push(`failure     ${view.failure}`);
  if (view.hint) lines.push(`hint        ${view.hint}`);
  if (view.remoteTaskOnFailure) lines.push(`on failure  ${view.remoteTaskOnFailure}`);
  if (uiUrl) lines.push(`ui          ${uiUrl}`);
  return lines;
}

/** `ip switched at …; check passed: …; rolled back by check at …`, as far as the switch went. */
function switchLine(record: MigrationSwitch): string {
  const parts = [`${record.mode} ${record.state}${record.switchedAt ? ` at ${record.switchedAt}` : ''}`];
  if (record.check) parts.push(`check ${record.check.outcome}: ${record.check.evidence}`);
  const rollback = record.rollback;
  if (rollback) {
    const writes = rollback.keptWrites ? ', writes kept' : ', without the writes since the switch';
    const kept = rollback.keptWrites === undefined ? '' : writes;
    const done = rollback.finishedAt ? `, done at ${rollback.finishedAt}` : '';
    parts.push(`rollback by ${rollback.by}${rollback.force ? ' (forced)' : ''}${done}${kept}`);
  } else if (record.rollbackMode) {
    parts.push(`rollback ${record.rollbackMode}`);
  }
  const refused = record.rollbackRefused;
  if (refused) parts.push(`last rollback called off at ${refused.at}: ${refused.reason}`);
  for (const outcome of record.eligibility ?? []) parts.push(`${outcome.id} ${outcome.verdict}: ${outcome.evidence}`);
  return parts.join('; ');
}

/** The closing summary of `watch` and `start --wait`. */
export function summaryLines(view: MigrationView, uiUrl: string | undefined): string[] {
  const result = view.result;
  const lines: string[] = [];
  if (result) {
    const how =
      result.outcome === 'cut-over'
        ? `cut over (hold ended by ${result.cutover?.by ?? 'operator'})`
        : result.outcome === 'rolled-back'
          ? 'rolled back (clients on the source again)'
          : 'succeeded';
    lines.push(`✔ migration ${view.workflowId} ${how}`);
    lines.push(`  task ${result.taskName} (${result.taskId}), final remote status ${result.remoteStatus}`);
    if (result.progress)
      lines.push(`  progress ${progressAsOf(result.progress, result.progressReadAt, endedBy(view))}`);
    if (result.switch) lines.push(`  switch: ${switchLine(result.switch)}`);
    if (result.verification)
      lines.push(
        `  verify: ${result.verification.outcome}${result.verification.totalDifferences !== undefined ? `, ${result.verification.totalDifferences} differences` : ''}`,
      );
    lines.push(
      `  ${formatDuration(elapsedMs(view))} · ${sum(result.apiCalls)} API calls · ${result.activityAttempts} attempts · ${result.polls} polls` +
        (result.continuedAsNew ? ` · continued as new ${result.continuedAsNew}×` : ''),
    );
  } else {
    const cancelledAsAsked = view.execution === 'CANCELLED' && view.status?.cancel !== undefined;
    lines.push(
      `✘ migration ${view.workflowId} ${view.execution.toLowerCase()}${view.failure && !cancelledAsAsked ? `: ${view.failure}` : ''}`,
    );
    lines.push(
      `  phase ${view.status?.phase ?? view.phase ?? '-'}, remote status ${view.status?.remoteStatus ?? view.remoteStatus ?? '-'}`,
    );
    const cancel = cancelDetail(view);
    if (cancel) lines.push(`  cancel: ${cancel}`);
    if (view.remoteTaskOnFailure) lines.push(`  ${view.remoteTaskOnFailure}`);
    if (view.hint) lines.push(`  hint: ${view.hint}`);
    lines.push(`  ${formatDuration(elapsedMs(view))}`);
  }
  if (uiUrl) lines.push(`  ${uiUrl}`);
  return lines;
}
