/**
 * Human text for a migration: the `status` block and the summary `watch` / `start --wait` end with. Both are
 * built from a {@link MigrationView}; the JSON output is the view itself.
 */
import type { CutoverAsRead, MigrationView } from './migration-view.js';
import { formatDuration } from './output.js';

function sum(record: Record<string, number> | undefined): number {
  return Object.values(record ?? {}).reduce((a, b) => a + b, 0);
}

/** ` by operator at …: note`, as far as the cutover is known (older runs say less). */
function cutoverDetail(cutover: CutoverAsRead): string {
  const parts = [cutover.by ? ` by ${cutover.by}` : '', cutover.requestedAt ? ` at ${cutover.requestedAt}` : '', cutover.note ? `: ${cutover.note}` : ''];
  return parts.join('');
}

/** Elapsed time of the run: until it closed, or until now. */
export function elapsedMs(view: MigrationView, now = Date.now()): number {
  return (view.closeTime ? Date.parse(view.closeTime) : now) - Date.parse(view.startTime);
}

/** The `dcs-migrate status` block. */
export function statusLines(view: MigrationView, uiUrl: string | undefined): string[] {
  const status = view.status;
  const progress = status?.progress ?? view.result?.progress;
  const lines = [
    `migration   ${view.workflowId}`,
    `execution   ${view.execution}${view.closeTime ? ` (closed ${view.closeTime})` : ''}`,
    `phase       ${status?.phase ?? view.phase ?? '-'}`,
    `type        ${view.migrationType ?? status?.kind ?? '-'}`,
    `task        ${status?.taskName ?? view.result?.taskName ?? '-'}${(status?.taskId ?? view.taskId) ? ` (${status?.taskId ?? view.taskId})` : ''}`,
    `remote      ${status?.remoteStatus ?? view.remoteStatus ?? '-'}`,
  ];
  if (progress?.fullMigrationProgress !== undefined) lines.push(`full sync   ${progress.fullMigrationProgress}%`);
  if (progress?.offset !== undefined) lines.push(`offset      ${progress.offset} (changes not yet applied to the target)`);
  if (progress?.sourceDbSize !== undefined) lines.push(`keys        source ${progress.sourceDbSize}, target ${progress.targetDbSize ?? '?'}`);
  lines.push(`elapsed     ${formatDuration(elapsedMs(view))}`);
  if (status) {
    lines.push(`activity    ${sum(status.apiCalls)} API calls, ${status.activityAttempts} attempts, ${status.polls} polls`);
    if (status.lastError) lines.push(`last error  ${status.lastError.type}: ${status.lastError.message}`);
    if (status.cancel) lines.push(`cancel      requested: ${status.cancel.reason}`);
    if (status.cutover) lines.push(`cutover     requested${cutoverDetail(status.cutover)}`);
  } else if (view.execution === 'RUNNING') {
    lines.push('(no worker answered the status query: showing what the search attributes say)');
  }
  if (view.failure) lines.push(`failure     ${view.failure}`);
  if (view.remoteTaskOnFailure) lines.push(`on failure  ${view.remoteTaskOnFailure}`);
  if (uiUrl) lines.push(`ui          ${uiUrl}`);
  return lines;
}

/** The closing summary of `watch` and `start --wait`. */
export function summaryLines(view: MigrationView, uiUrl: string | undefined): string[] {
  const result = view.result;
  const lines: string[] = [];
  if (result) {
    const how = result.outcome === 'cut-over' ? `cut over (hold ended by ${result.cutover?.by ?? 'operator'})` : 'succeeded';
    lines.push(`✔ migration ${view.workflowId} ${how}`);
    lines.push(`  task ${result.taskName} (${result.taskId}), final remote status ${result.remoteStatus}`);
    if (result.progress?.sourceDbSize !== undefined) {
      lines.push(`  keys: source ${result.progress.sourceDbSize}, target ${result.progress.targetDbSize ?? '?'}`);
    }
    lines.push(
      `  ${formatDuration(elapsedMs(view))} · ${sum(result.apiCalls)} API calls · ${result.activityAttempts} attempts · ${result.polls} polls` +
        (result.continuedAsNew ? ` · continued as new ${result.continuedAsNew}×` : ''),
    );
  } else {
    lines.push(`✘ migration ${view.workflowId} ${view.execution.toLowerCase()}${view.failure ? `: ${view.failure}` : ''}`);
    lines.push(`  phase ${view.status?.phase ?? view.phase ?? '-'}, remote status ${view.status?.remoteStatus ?? view.remoteStatus ?? '-'}`);
    if (view.remoteTaskOnFailure) lines.push(`  ${view.remoteTaskOnFailure}`);
    lines.push(`  ${formatDuration(elapsedMs(view))}`);
  }
  if (uiUrl) lines.push(`  ${uiUrl}`);
  return lines;
}
