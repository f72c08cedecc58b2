import type { DataPlaneRun, RunPhase, RunStats } from '../data-plane/contract.js';
import type { MigrationJob } from '../tasks/task-store.js';
import type { IpSwitch, MigrationTask } from '../tasks/task.js';
import type { SavedRun, SavedTask } from './saved-state.js';

/**
 * A field added to the task model, or to its IP switch, without a place in the state file's schema would be lost
 * at a restart: these fail to compile until saved-state.ts names it.
 */
type TaskGap = Exclude<keyof MigrationTask, keyof SavedTask>;
type SwitchGap = Exclude<keyof IpSwitch, keyof NonNullable<SavedTask['ipSwitch']>>;
const everyFieldSaved: [TaskGap | SwitchGap] extends [never] ? true : TaskGap | SwitchGap = true;
void everyFieldSaved;

const FINAL_PHASES: ReadonlySet<RunPhase> = new Set(['succeeded', 'failed', 'stopped']);

/**
 * A task as the state file keeps it: every field, its job, and its run's phase. A finished run also keeps what it
 * ended with (stats, error), which ShowMigrationTaskStats and the task's error message show after a restart; an
 * active run's figures change all the time and are measured again by the run that resumes it.
 */
export function saveTask(task: MigrationTask, job: MigrationJob | undefined): SavedTask {
  const { run, ...fields } = task;
  return { ...fields, ...(job ? { job } : {}), ...(run ? { run: saveRun(run) } : {}) };
}

function saveRun(run: DataPlaneRun): SavedRun {
  const phase = run.phase();
  const error = run.error();
  if (!FINAL_PHASES.has(phase)) {
    const synced = phase === 'incremental' || run.stats().fullMigrationProgress >= 100;
    return { phase, failedOnConnection: false, ...(synced ? { synced } : {}) };
  }
  const { fullMigrationProgress, sourceDbSize, targetDbSize, keysCopied, shards } = run.stats();
  return {
    phase,
    ...(error !== undefined ? { error } : {}),
    failedOnConnection: run.failedOnConnection(),
    stats: { fullMigrationProgress, sourceDbSize, targetDbSize, keysCopied, ...(shards ? { shards } : {}) },
  };
}

/** True when the saved run had ended: it is restored as it ended ({@link FinishedRun}), not started again. */
export function runHadEnded(run: SavedRun): boolean {
  return FINAL_PHASES.has(run.phase);
}

/**
 * A run that ended before the emulator restarted: it answers as it ended (phase, error, the last stats) and does
 * nothing; a restart of the task starts a new run.
 */
export class FinishedRun implements DataPlaneRun {
  readonly ended = Promise.resolve();

  constructor(private readonly saved: SavedRun) {}

  phase(): RunPhase {
    return this.saved.phase;
  }

  error(): string | undefined {
    return this.saved.error;
  }

  failedOnConnection(): boolean {
    return this.saved.failedOnConnection;
  }

  stats(): RunStats {
    const stats = this.saved.stats;
    return {
      fullMigrationProgress: stats?.fullMigrationProgress ?? 0,
      offset: 0,
      sourceDbSize: stats?.sourceDbSize ?? 0,
      targetDbSize: stats?.targetDbSize ?? 0,
      targetOps: 0,
      targetInputKbps: 0,
      isMigrating: false,
      keysCopied: stats?.keysCopied ?? 0,
      ...(stats?.shards ? { shards: stats.shards.map((shard) => ({ ...shard })) } : {}),
    };
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
