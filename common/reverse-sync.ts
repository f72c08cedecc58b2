/**
 * The reverse sync of the rollback window (`cutover.rollback`), its pure decisions. DCS stops the online migration
 * during an IP switch (dcs-operations.md §3), so writes clients make on the target after the switch would be lost
 * by a rollback, which restores addresses only. With `keep-writes`, right after the switch a reverse online
 * migration task (the target as source, the source as target, incremental) keeps the source following the
 * target, and a rollback waits until it has caught up (fleet-and-long-life.md §3).
 *
 * DCS cannot run it everywhere: a Proxy Cluster cannot be an online migration source, an instance with SSL on
 * cannot be its target, and a self-hosted side is no DCS instance (dcs-operations.md §3). Where it cannot, an
 * explicit `keep-writes` fails the pre-flight check `rollback-keeps-writes`, and the default falls back to
 * `addresses-only` with a warning.
 */
import type { MigrationInput } from './migration-input.js';
import { PRECHECKS, type PrecheckOutcome } from './precheck.js';
import type { ReverseSync } from './workflow-contract.js';

export type RollbackMode = 'keep-writes' | 'addresses-only';

/** The pre-flight check's id (common/precheck.ts lists it). */
export const ROLLBACK_CHECK_ID = 'rollback-keeps-writes' satisfies keyof typeof PRECHECKS;

/** Reads at offset 0 in a row before a rollback counts the reverse task as caught up (the input's gate count). */
export function catchUpReads(input: MigrationInput): number {
  return (input.kind === 'backup_import' ? undefined : input.cutover?.gate?.consecutiveReads) ?? 3;
}

/**
 * The rollback mode the input asks for, and whether it asked explicitly; undefined when there is no switch to
 * roll back (no `cutover.switch`, or a kind without one).
 */
export function requestedRollbackMode(input: MigrationInput): { mode: RollbackMode; explicit: boolean } | undefined {
  if (input.kind !== 'online' || (input.cutover?.switch ?? 'none') === 'none') return undefined;
  const asked = input.cutover?.rollback;
  return { mode: asked ?? 'keep-writes', explicit: asked !== undefined };
}

/** What ShowInstance says about the instances, as far as the reverse task cares. */
export interface ReverseSyncFacts {
  /** The target's `cache_mode` (`proxy`: a Proxy Cluster, which cannot be an online source). */
  targetCacheMode?: string | undefined;
  /** The source's `enable_ssl` (DCS migrates into an instance only with SSL off). */
  sourceSsl?: boolean | undefined;
}

/** Why DCS cannot run the reverse task for this pair, or undefined when nothing known stands in its way. */
export function reverseSyncObstacle(input: MigrationInput, facts: ReverseSyncFacts): string | undefined {
  if (input.kind !== 'online' || input.source.instanceId === undefined) return 'the source is a self-hosted Redis';
  const { target, source } = input;
  const proxy = `the target ${target.instanceId} is a Proxy Cluster, which cannot be an online source`;
  if (facts.targetCacheMode === 'proxy') return proxy;
  const ssl = `the source ${source.instanceId} has SSL on; DCS migrates only into instances with SSL off`;
  if (facts.sourceSsl === true) return ssl;
  return undefined;
}

/**
 * The pre-flight outcome of `rollback-keeps-writes`, for an input with a switch (undefined otherwise): `pass` when
 * the reverse task can run (or `addresses-only` was asked), `fail` when `keep-writes` was asked and it cannot,
 * `warn` when the default falls back to `addresses-only`.
 */
export function reverseSyncOutcome(input: MigrationInput, facts: ReverseSyncFacts): PrecheckOutcome | undefined {
  const requested = requestedRollbackMode(input);
  if (!requested) return undefined;
  const title = PRECHECKS[ROLLBACK_CHECK_ID].title;
  if (requested.mode === 'addresses-only') {
    const evidence = 'cutover.rollback addresses-only: a rollback switches the IPs back only';
    return { id: ROLLBACK_CHECK_ID, verdict: 'pass', title, evidence };
  }
  const obstacle = reverseSyncObstacle(input, facts);
  if (obstacle === undefined) {
    const window = input.kind === 'online' ? input.cutover?.rollbackWindow : undefined;
    const evidence = `a reverse task (target → source, incremental) runs for the rollback window (${window ?? 0} ms)`;
    return { id: ROLLBACK_CHECK_ID, verdict: 'pass', title, evidence };
  }
  if (requested.explicit) {
    const remedy = 'set cutover.rollback to addresses-only (writes made on the target after the switch stay there)';
    return { id: ROLLBACK_CHECK_ID, verdict: 'fail', title, evidence: `${obstacle}: no reverse task`, remedy };
  }
  const stay = 'writes made after the switch stay on the target';
  const evidence = `${obstacle}: a rollback falls back to addresses-only (${stay})`;
  const remedy = 'set cutover.rollback: addresses-only to accept it, or migrate between instances DCS can sync back';
  return { id: ROLLBACK_CHECK_ID, verdict: 'warn', title, evidence, remedy };
}

/**
 * When the reverse task's full sync should end, at its average pace since it was configured (epoch ms); undefined
 * before the first percent or once it is done.
 */
export function fullSyncEndsAt(configuredAtMs: number, percent: number | undefined, nowMs: number): number | undefined {
  if (percent === undefined || percent <= 0 || percent >= 100 || nowMs <= configuredAtMs) return undefined;
  return nowMs + ((nowMs - configuredAtMs) * (100 - percent)) / percent;
}

/** `3m 20s`, `45s`, `1h 5m`: a duration for people. */
export function roughDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m ${seconds % 60}s`;
  return minutes % 60 === 0 ? `${Math.floor(minutes / 60)}h` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** One line on the reverse task for `status`, `watch` and the UI: where it is, and what a rollback now keeps. */
export function reverseSyncLine(reverse: ReverseSync, nowMs: number): string {
  const task = `${reverse.taskName}${reverse.taskId ? ` (${reverse.taskId})` : ''}`;
  switch (reverse.state) {
    case 'creating':
      return `reverse task ${task} being created; a rollback now loses the writes made since the switch (--force)`;
    case 'full-sync': {
      const endsAt = Date.parse(reverse.fullSyncEndsAt ?? '');
      const left = Number.isFinite(endsAt) ? `about ${roughDuration(Math.max(0, endsAt - nowMs))}` : 'not known yet';
      const progress = reverse.fullSyncProgress === undefined ? '' : ` ${reverse.fullSyncProgress}%`;
      const until = `a rollback keeps writes in ${left}, until then only --force (loses them)`;
      return `reverse task ${task} in its full sync${progress}; ${until}`;
    }
    case 'in-sync':
    case 'lagging': {
      const where = `${reverse.remoteStatus ?? ''}, offset ${reverse.offset ?? '?'}`;
      return `reverse task ${task} ${where}; a rollback now keeps writes`;
    }
    case 'failed':
      return `reverse task ${task} failed: ${reverse.reason ?? 'no reason'}; a rollback needs --force and loses writes`;
    case 'unavailable':
      return `no reverse task: ${reverse.reason ?? 'DCS cannot run one'}; a rollback restores the addresses only`;
    default:
      return `reverse task ${task} ${reverse.state}${reverse.endedAt ? ` at ${reverse.endedAt}` : ''}`;
  }
}
