import { CONNECTION_KEYWORD, CONNECTION_LOST_LOG_CODE } from '../../common/task-failure.js';
import type { DataPlaneRun, RunPhase } from '../data-plane/contract.js';
import { appendLog } from './task-store.js';
import type { MigrationTask } from './task.js';

const POLL_MS = 200;
const PROGRESS_MILESTONES = [25, 50, 75];

/**
 * Turns what a data-plane run does into the task's log lines (started, progress milestones, phase changes,
 * failure, end). The run has no events, so this samples it; returns a function that stops watching. `loggedPhase`:
 * the phase the task's log already announces (a run resumed after a restart), not logged again.
 */
export function watchRun(task: MigrationTask, run: DataPlaneRun, options: { loggedPhase?: RunPhase } = {}): () => void {
  // A run resumed after a restart of the emulator starts in a phase its task has logged already.
  let lastPhase: RunPhase | undefined = options.loggedPhase;
  let nextMilestone = 0;
  const observe = (): void => {
    const phase = run.phase();
    const stats = run.stats();
    while (
      phase === 'full-sync' &&
      nextMilestone < PROGRESS_MILESTONES.length &&
      stats.fullMigrationProgress >= (PROGRESS_MILESTONES[nextMilestone] ?? Infinity)
    ) {
      appendLog(
        task,
        'INFO',
        'migration.progress',
        `Full migration ${PROGRESS_MILESTONES[nextMilestone]}% done (${stats.keysCopied} keys copied).`,
        ['progress'],
      );
      nextMilestone++;
    }
    if (phase === lastPhase) return;
    lastPhase = phase;
    task.updatedAt = Date.now();
    logPhase(task, phase, run, stats.keysCopied);
  };
  observe();
  const timer = setInterval(observe, POLL_MS);
  timer.unref();
  let watching = true;
  const stop = (): void => {
    if (!watching) return;
    watching = false;
    clearInterval(timer);
  };
  void run.ended.then(
    () => {
      if (!watching) return;
      observe();
      stop();
    },
    () => stop(),
  );
  return stop;
}

function logPhase(task: MigrationTask, phase: RunPhase, run: DataPlaneRun, keysCopied: number): void {
  switch (phase) {
    case 'full-sync':
      appendLog(
        task,
        'INFO',
        'migration.full.start',
        task.kind === 'backup_import' ? 'Backup import started.' : 'Full migration started.',
        ['start'],
      );
      return;
    case 'incremental':
      appendLog(
        task,
        'INFO',
        'migration.incremental.start',
        `Full migration done (${keysCopied} keys copied); incremental migration started.`,
        ['incremental'],
      );
      return;
    case 'succeeded':
      appendLog(task, 'INFO', 'migration.success', `Migration succeeded (${keysCopied} keys copied).`, ['success']);
      return;
    case 'failed':
      // A lost connection has its own code and keyword, so a client can tell it from a lasting failure.
      if (run.failedOnConnection()) {
        appendLog(
          task,
          'ERROR',
          CONNECTION_LOST_LOG_CODE,
          `Migration failed, connection lost: ${run.error() ?? 'unknown error'}.`,
          ['failed', CONNECTION_KEYWORD],
        );
      } else {
        appendLog(task, 'ERROR', 'migration.failed', `Migration failed: ${run.error() ?? 'unknown error'}.`, [
          'failed',
        ]);
      }
      return;
    case 'stopping':
      appendLog(task, 'INFO', 'migration.stopping', 'Stopping the migration.', ['stop']);
      return;
    case 'stopped':
      appendLog(task, 'INFO', 'migration.stopped', `Migration stopped (${keysCopied} keys copied).`, ['stop']);
      return;
  }
}
