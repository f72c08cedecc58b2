/**
 * What `--json` prints for `status`, `watch`, `start` and `list`: the shapes scripts read, under names kept stable.
 * `tools/output-schemas.ts` builds their JSON Schemas (`schema/*-output.schema.json`) from these types; `check` and
 * `start --dry-run` print `CheckJson` and `DryRunReport` (`dry-run.ts`). A renamed field stays readable under its old
 * name for a release (CHANGELOG.md), as a deprecated alias. Nothing here loads the SDK.
 */
import type { MigrationCutover } from '../common/workflow-contract.js';
import type { PrecheckOutcome } from '../common/precheck.js';
import type { MigrationView, ResultAsRead, StatusAsRead } from './migration-view-shape.js';

/** The `status` answer as printed: current names, and `cutoverRequested` (now `cutover`) as a deprecated alias. */
export type StatusJson = StatusAsRead & {
  /** @deprecated Use `cutover` (present once a cutover was requested). Emitted until the next release. */
  cutoverRequested: boolean;
};

/** The result as printed: current names, and `finalStatus` / `holdEndedBy` (now `remoteStatus` / `cutover.by`) as deprecated aliases. */
export type ResultJson = ResultAsRead & {
  /** @deprecated Use `remoteStatus`. Emitted until the next release. */
  finalStatus: string;
  /** @deprecated Use `cutover.by`. Emitted until the next release. */
  holdEndedBy?: MigrationCutover['by'];
};

/** `status --json`, `watch --json`, `start --wait --json`: one read of a migration. */
export type MigrationJson = Omit<MigrationView, 'status' | 'result'> & {
  status: StatusJson | undefined;
  result: ResultJson | undefined;
  /** The migration in the Temporal UI (`status` only); null when no UI is known. */
  ui?: string | null;
};

/** `start --json` (without `--wait` or `--dry-run`): the migration just started. */
export interface StartedJson {
  workflowId: string;
  runId: string;
  namespace: string;
  taskQueue: string;
  ui: string | null;
}

/** One row of `list --json`: what Temporal visibility holds, the search attributes null until the workflow sets them. */
export interface ListRowJson {
  workflowId: string;
  runId: string;
  execution: string;
  phase: string | null;
  remoteStatus: string | null;
  taskId: string | null;
  migrationType: string | null;
  startTime: string;
  closeTime: string | null;
}

/** `check --json`: `ok` is false when a check failed (exit 6); warnings leave it true. */
export interface CheckJson {
  ok: boolean;
  outcomes: PrecheckOutcome[];
}

/** A migration view as `--json` prints it, with the renamed fields also under their old names. */
export function migrationJson(view: MigrationView, ui?: string | null): MigrationJson {
  const { status, result } = view;
  return {
    ...view,
    status: status && { ...status, cutoverRequested: status.cutover !== undefined },
    result: result && {
      ...result,
      finalStatus: result.remoteStatus,
      ...(result.cutover?.by === undefined ? {} : { holdEndedBy: result.cutover.by }),
    },
    ...(ui === undefined ? {} : { ui }),
  };
}
