/**
 * The migration metrics the worker exports on its Prometheus endpoint (`dcs-migrate worker --metrics-port`), next
 * to the Temporal SDK's own `temporal_*` ones: the one list of their names, types, units and meanings. The
 * workflow (`workflows/metrics.ts`), the activities (`activities/metrics.ts`) and the shared status watcher
 * emit them through Temporal's metric meters; the Prometheus rules (`monitoring/prometheus/rules.yml`), the
 * Grafana board and docs/monitoring.md name them, and `test/monitoring.test.ts` checks those names against this list.
 *
 * Names are exported as written here: the SDK's Prometheus exporter adds no prefix or suffix to custom metrics
 * (with its default `countersTotalSuffix: false`), so counters carry their `_total` themselves.
 *
 * Labels, all bounded: `migration_id` (the workflow id), `task_name` (the DCS task name), `kind` (the migration
 * type, e.g. `online:incremental`: five values), and `project` (the worker's DCS project, a global tag of the
 * worker's runtime); per metric `phase` (12 values), `status` (the documented DCS statuses, plus whatever unknown
 * one a task reports), `operation` (the DCS client method, 10 values), `error_code`/`error_type` (DCS's catalogue),
 * `outcome`. The SDK adds `namespace`, `taskQueue` and `workflowType` / `activityType`. A migration's series live
 * in the worker that last ran its workflow until that worker restarts; the rules aggregate with `max by
 * (migration_id)` so a migration that moved to another worker is judged by its freshest values.
 */
import { MIGRATION_PHASES, type MigrationPhase } from './migration-phases.js';
import type { PlanReport } from './plan-contract.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  name: string;
  type: MetricType;
  /** Set on the meter (the exporter does not print it, the name says it). */
  unit: string;
  /** The exporter's HELP line. */
  help: string;
  /** Labels besides the migration's (`migration_id`, `task_name`, `kind`) and the SDK's. */
  labels: readonly string[];
  /** Emitted with the migration's labels. */
  perMigration: boolean;
}

function metric(
  name: string,
  type: MetricType,
  unit: string,
  help: string,
  labels: readonly string[] = [],
  perMigration = true,
): MetricSpec {
  return { name, type, unit, help, labels, perMigration };
}

/** Every migration metric, by the name the code uses. */
export const MIGRATION_METRICS = {
  phase: metric(
    'dcs_migrate_migration_phase',
    'gauge',
    '',
    "1 for the migration's current phase, 0 for the other phases (one series per phase, label phase)",
    ['phase'],
  ),
  remoteStatus: metric(
    'dcs_migrate_migration_remote_status',
    'gauge',
    '',
    "1 for the DCS task's current status, 0 for the other documented statuses (labels status, and status_class: what it means, common/dcs-status.ts)",
    ['status', 'status_class'],
  ),
  fullSyncProgress: metric(
    'dcs_migrate_migration_full_sync_progress_percent',
    'gauge',
    '%',
    'Full sync progress as DCS reports it (ShowMigrationTaskStats), 0-100',
  ),
  fullSyncEta: metric(
    'dcs_migrate_migration_full_sync_eta_timestamp_seconds',
    'gauge',
    's',
    'When the full sync should end at its average pace so far (Unix time), while it runs',
  ),
  syncOffset: metric(
    'dcs_migrate_migration_sync_offset',
    'gauge',
    '',
    'Incremental lag: changes not yet applied to the target (0 = in sync)',
  ),
  sourceKeys: metric('dcs_migrate_migration_source_keys', 'gauge', '', 'Keys in the source (DCS source_dbsize)'),
  targetKeys: metric('dcs_migrate_migration_target_keys', 'gauge', '', 'Keys in the target (DCS target_dbsize)'),
  lastStatusRead: metric(
    'dcs_migrate_migration_last_status_read_timestamp_seconds',
    'gauge',
    's',
    'When the workflow last read its task status successfully (Unix time); time() - this = seconds without a read',
  ),
  phaseEntered: metric(
    'dcs_migrate_migration_phase_entered_timestamp_seconds',
    'gauge',
    's',
    'When the migration entered its current phase (Unix time)',
  ),
  cutoverWindowEnd: metric(
    'dcs_migrate_migration_cutover_window_end_timestamp_seconds',
    'gauge',
    's',
    'When the cutover window the migration must cut over in closes (Unix time); set by the cutover-window step',
  ),
  reverseSyncOffset: metric(
    'dcs_migrate_migration_reverse_sync_offset',
    'gauge',
    '',
    'Rollback window (cutover.rollback keep-writes): target changes not yet on the source (0 = in sync)',
  ),
  rollbackKeepsWrites: metric(
    'dcs_migrate_migration_rollback_keeps_writes',
    'gauge',
    '',
    'In the rollback window: 1 when a rollback now keeps the writes made on the target since the switch, else 0',
  ),
  failedPolls: metric(
    'dcs_migrate_migration_failed_polls_total',
    'counter',
    '',
    'Polls whose status reads all failed (after their retries)',
  ),
  phaseDuration: metric(
    'dcs_migrate_migration_phase_duration_seconds',
    'histogram',
    's',
    'Time migrations spent in a phase, recorded when they leave it (labels phase, kind; no migration_id)',
    ['phase', 'kind'],
    false,
  ),
  apiCalls: metric(
    'dcs_migrate_api_calls_total',
    'counter',
    '',
    'DCS API calls made by activities (label operation, outcome ok|error)',
    ['operation', 'outcome'],
  ),
  apiErrors: metric(
    'dcs_migrate_api_errors_total',
    'counter',
    '',
    'Failed DCS API calls by DCS error code (none: no answer) and error class',
    ['operation', 'error_code', 'error_type'],
  ),
  activityRetries: metric(
    'dcs_migrate_activity_retries_total',
    'counter',
    '',
    'Activity attempts after the first (Temporal retries of a DCS call)',
    ['activity'],
  ),
  watcherRounds: metric(
    'dcs_migrate_watcher_rounds_total',
    'counter',
    '',
    "Rounds of the worker's shared status watcher (label outcome ok|failed)",
    ['outcome'],
    false,
  ),
  watcherPages: metric(
    'dcs_migrate_watcher_list_pages_total',
    'counter',
    '',
    'ListMigrationTask pages the shared status watcher requested',
    [],
    false,
  ),
  watcherWatchedTasks: metric(
    'dcs_migrate_watcher_watched_tasks',
    'gauge',
    '',
    'Migrations waiting on the shared status watcher right now',
    [],
    false,
  ),
  watcherConsecutiveFailures: metric(
    'dcs_migrate_watcher_consecutive_failed_rounds',
    'gauge',
    '',
    'Shared status watcher rounds failed in a row (0 after a good round)',
    [],
    false,
  ),
  watcherLastSuccess: metric(
    'dcs_migrate_watcher_last_success_timestamp_seconds',
    'gauge',
    's',
    'When the shared status watcher last listed every task successfully (Unix time)',
    [],
    false,
  ),
  workerInfo: metric(
    'dcs_migrate_worker_info',
    'gauge',
    '',
    'Always 1: the Worker Deployment version of the worker (deployment_name, build_id) and its versioning',
    ['deployment_name', 'build_id', 'versioning'],
    false,
  ),
} as const satisfies Record<string, MetricSpec>;

/**
 * The plan metrics (issue 26): one set of series per plan (`dcsPlan`), emitted by the plan workflow through its
 * metric meter (`workflows/plan/metrics.ts`) as the migration's are. Labels: `plan_id` (the plan's workflow id)
 * and per metric `phase`, `cause` or `state`, all from short fixed lists; never an item key (a plan may hold
 * thousands of items: they are counted, not listed). About 30 series per plan.
 */
export const PLAN_METRICS = {
  items: metric(
    'dcs_migrate_plan_items',
    'gauge',
    '',
    "The plan's items by where they are (label phase: pending, starting, a migration phase, or how they ended)",
    ['phase'],
    false,
  ),
  failureBudgetLeft: metric(
    'dcs_migrate_plan_failure_budget_left',
    'gauge',
    '',
    'Item failures the plan still tolerates: one more halts it (0 also once it halted: dcs_migrate_plan_halted says so)',
    [],
    false,
  ),
  halted: metric(
    'dcs_migrate_plan_halted',
    'gauge',
    '',
    'Halted (nothing new starts): 1 for the cause (canary: a canary item failed; budget: failures beyond the budget), else 0',
    ['cause'],
    false,
  ),
  eta: metric(
    'dcs_migrate_plan_eta_timestamp_seconds',
    'gauge',
    's',
    'When the plan predicts its last item reaches its goal (Unix time; planStatus eta.predictedEndMs)',
    [],
    false,
  ),
  state: metric(
    'dcs_migrate_plan_state',
    'gauge',
    '',
    "1 for the plan's state (running, paused, halted, cancelling, completed, cancelled), 0 for the others",
    ['state'],
    false,
  ),
} as const satisfies Record<string, MetricSpec>;

/** The labels every per-plan series carries (besides `project`, a worker-wide tag). */
export interface PlanLabels {
  plan_id: string;
}

/** Why a plan halted, as the `cause` label says it (the full reason is in `dcs-migrate plan status`). */
export const PLAN_HALT_CAUSES = ['canary', 'budget'] as const;
export type PlanHaltCause = (typeof PLAN_HALT_CAUSES)[number];

/** Where an item is, as the `phase` label of `dcs_migrate_plan_items` says it: every value has a series. */
export const PLAN_ITEM_PHASES = ['pending', 'starting', ...MIGRATION_PHASES, 'not-started'] as const;
export type PlanItemPhase = (typeof PLAN_ITEM_PHASES)[number];

/** The plan states (`PlanReport['state']`), for the `state` state set. */
export const PLAN_STATES = [
  'running',
  'paused',
  'halted',
  'cancelling',
  'completed',
  'cancelled',
] as const satisfies readonly PlanReport['state'][];

/** Every phase, for the `phase` state set. */
export const METRIC_PHASES: readonly MigrationPhase[] = MIGRATION_PHASES;

/** The labels every per-migration series carries (besides `project`, a worker-wide tag). */
export interface MigrationLabels {
  migration_id: string;
  task_name: string;
  kind: string;
}

/** Buckets of the phase-duration histogram, in seconds: 1 s to 7 days (the SDK's default buckets are for ms latencies). */
export const PHASE_DURATION_BUCKETS_S = [
  1,
  5,
  15,
  60,
  300,
  900,
  1800,
  3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  86_400,
  3 * 86_400,
  7 * 86_400,
];
