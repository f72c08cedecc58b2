/**
 * Follows a migration live until it closes: phase, remote status, the full-sync progress bar (cli-progress),
 * the incremental offset and the elapsed time. On a terminal the bar redraws in place; otherwise (CI, a pipe)
 * one line is printed each time something changes. Ends with the summary.
 */
import type { Client } from '@temporalio/client';
import cliProgress from 'cli-progress';
import { reverseSyncLine } from '../common/reverse-sync.js';
import { isClosed, readMigration, type MigrationView } from './migration-view.js';
import { formatDuration } from './output.js';
import { elapsedMs, pendingActivityLine, summaryLines } from './render-migration.js';

export interface FollowOptions {
  /** Between reads. */
  intervalMs?: number;
  uiUrl?: string | undefined;
  /** Where the progress goes (stdout by default; `--json` commands send it to stderr). */
  out?: NodeJS.WriteStream;
  /**
   * Called after each read, e.g. to act when the migration reaches a phase; `note` prints a line above the
   * progress bar without breaking it.
   */
  onView?: (view: MigrationView, note: (line: string) => void) => void | Promise<void>;
}

interface Snapshot {
  phase: string;
  remote: string;
  percent: number | undefined;
  offset: string;
}

function snapshotOf(view: MigrationView): Snapshot {
  const progress = view.status?.progress;
  return {
    phase: view.status?.phase ?? view.phase ?? '…',
    remote: view.status?.remoteStatus ?? view.remoteStatus ?? '-',
    percent: progress?.fullMigrationProgress,
    offset: progress?.offset === undefined ? '-' : String(progress.offset),
  };
}

/** Follows `workflowId` until its run closes; returns the final view (the summary is already printed). */
export async function followMigration(
  client: Client,
  workflowId: string,
  options: FollowOptions = {},
): Promise<MigrationView> {
  const out = options.out ?? process.stdout;
  const intervalMs = options.intervalMs ?? 1_000;
  const bars = out.isTTY
    ? new cliProgress.MultiBar(
        {
          stream: out,
          format: '{phase} | {remote} | full sync [{bar}] {percentage}% | offset {offset} | {elapsed}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let bar: cliProgress.SingleBar | undefined;
  const note = (line: string) => (bars ? bars.log(`${line}\n`) : out.write(`${line}\n`));
  let last = '';
  let hinted = false;
  let rollbackHinted = 0;
  let lastReverse = '';
  let lastRetry = '';
  let lastUnavailable: string | undefined;
  let view: MigrationView;
  try {
    for (;;) {
      view = await readMigration(client, workflowId, { queryTimeoutMs: 2_000 });
      const snap = snapshotOf(view);
      const payload = { ...snap, elapsed: formatDuration(elapsedMs(view)) };
      if (bars) {
        bar ??= bars.create(100, 0, payload);
        bar.update(snap.percent ?? 0, payload);
      } else {
        const line = `${snap.phase} | ${snap.remote} | full sync ${snap.percent === undefined ? '-' : `${snap.percent}%`} | offset ${snap.offset}`;
        if (line !== last) out.write(`[${payload.elapsed}] ${line}\n`);
        last = line;
      }
      // A DCS call Temporal retries: said when its attempt changes, not each refresh.
      const retrying = (view.pendingActivities ?? []).filter((activity) => activity.attempt > 1);
      const retry = retrying.map((activity) => `${activity.activity}#${activity.attempt}`).join(',');
      if (retry && retry !== lastRetry)
        for (const activity of retrying) note(`retrying ${pendingActivityLine(activity)}`);
      lastRetry = retry;
      const unavailable =
        view.status === undefined && view.execution === 'RUNNING' ? view.statusUnavailable : undefined;
      if (unavailable && unavailable !== lastUnavailable) note(`(${unavailable})`);
      lastUnavailable = unavailable;
      // The hold waits for the operator (or, `cutover.mode: auto`, for its policy): say how it ends, once.
      if (!hinted && view.status?.phase === 'incremental-hold' && !view.status.cutover) {
        hinted = true;
        const offset = view.status.progress?.offset;
        const policy = view.status.cutoverPolicy;
        note(
          `${offset === undefined || offset === 0 ? 'in sync' : `holding (offset ${offset})`}; ${policy?.mode === 'auto' ? `cuts over by itself (${policy.summary})` : `cut over with: dcs-migrate cutover ${workflowId}`}`,
        );
      }
      // After a client switch, the rollback window: tell them how to switch back, once per switch.
      const switches = view.status?.phase === 'switched' ? (view.status.switch?.switches ?? 1) : 0;
      if (switches > rollbackHinted && !view.status?.switch?.rollback) {
        rollbackHinted = switches;
        note(`clients switched to the target; switch them back with: dcs-migrate rollback ${workflowId}`);
      }
      // The rollback window's reverse task: said when what a rollback keeps changes.
      const reverse = view.status?.switch?.reverse;
      const reverseState = reverse?.state === 'lagging' ? 'in-sync' : reverse?.state;
      const reverseNote = reverse && switches > 0 ? `${reverse.taskName}:${reverseState}` : '';
      if (reverse && reverseNote && reverseNote !== lastReverse) note(reverseSyncLine(reverse, Date.now()));
      lastReverse = reverseNote || lastReverse;
      await options.onView?.(view, note);
      if (isClosed(view.execution)) break;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    bars?.stop();
  }
  out.write(`${summaryLines(view, options.uiUrl).join('\n')}\n`);
  return view;
}
