/**
 * The words `dcs-migrate list` accepts in its filters: named in its help text (which must load nothing heavy) and
 * checked by `list-query.ts`.
 */
import { TaskStatus } from '../../common/dcs-status.js';
import type { MigrationPhase } from '../../common/workflow-contract.js';

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

export const PHASES: readonly MigrationPhase[] = [
  'validating',
  'prechecking',
  'creating',
  'provisioning',
  'configuring',
  'migrating',
  'incremental-hold',
  'stopping',
  'deleting',
  'switching',
  'switched',
  'rolling-back',
  'rolled-back',
  'succeeded',
  'cut-over',
  'failed',
  'cancelled',
];

export const REMOTE_STATUS_EXAMPLES = [TaskStatus.Incremental, TaskStatus.Success, TaskStatus.Failed].join(', ');
