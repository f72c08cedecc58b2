/**
 * The migration's phases, in the order a migration passes them. A module of its own, importing nothing, so the
 * CLI's cheap command definitions (`list --phase`) and the metrics take the one list the contract uses.
 */

/**
 * Where a migration is. Terminal phases: `succeeded`, `cut-over`, `rolled-back`, `failed`, `cancelled`.
 * - `validating`: checking the input (nothing remote yet).
 * - `prechecking`: the pre-flight checks (`common/precheck.ts`): DCS reads and, when asked, read-only Redis probes.
 * - `creating`: looking the task up by name, creating it if absent.
 * - `provisioning`: online only, DCS is creating the migration machine (job / task `CREATING`).
 * - `configuring`: online only, sending source/target/method (SetOnlineMigrationTask).
 * - `migrating`: the remote task is copying data.
 * - `incremental-hold`: incremental only, in sync and following changes until cutover or the deadline.
 * - `stopping`: stopping the remote task and waiting for `TERMINATED` (cutover or cancel).
 * - `deleting`: deleting the stopped task (cancel with `delete`).
 * - `switching`: `cutover.switch` only: exchange-ip called, waiting for DCS and checking that clients reach the target.
 * - `switched`: clients reach the target; the rollback window (`dcs-migrate rollback`) until the task is stopped.
 * - `rolling-back`: rollback-ip called, waiting for DCS; then back to the hold, or `rolled-back` (terminal).
 */
export const MIGRATION_PHASES = [
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
] as const;

export type MigrationPhase = (typeof MIGRATION_PHASES)[number];
