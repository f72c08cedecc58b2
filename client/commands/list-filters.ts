/**
 * The words `dcs-migrate list` accepts in its filters: named in its help text (which must load nothing heavy) and
 * checked by `list-query.ts`.
 */
import { TaskStatus } from '../../common/dcs-status.js';
import { MIGRATION_PHASES, type MigrationPhase } from '../../common/migration-phases.js';

/** Execution statuses as visibility spells them, by the lower-case word an operator types. */
export const EXECUTION_STATUSES: Record<string, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
  timedout: 'TimedOut',
  'continued-as-new': 'ContinuedAsNew',
};

export const PHASES: readonly MigrationPhase[] = MIGRATION_PHASES;

export const REMOTE_STATUS_EXAMPLES = [TaskStatus.Incremental, TaskStatus.Success, TaskStatus.Failed].join(', ');
