/**
 * The visibility query behind `dcs-migrate list --status/--phase/--remote-status/--plan`: each filter checked (a bad one
 * names its flag, exit 2) and turned into a clause. Apart from `list.ts` because it needs the workflow contract and
 * the search attributes (the Temporal SDK), which defining the command must not load.
 */
import { normalizeStatus } from '../../common/dcs-status.js';
import { PLAN_ID } from '../../common/plan-input.js';
import { DcsPhase, DcsPlan, DcsRemoteStatus } from '../../common/search-attributes.js';
import { MIGRATION_WORKFLOW_TYPE, type MigrationPhase } from '../../common/workflow-contract.js';
import { CliError, EXIT } from '../exit-codes.js';
import { EXECUTION_STATUSES, PHASES, REMOTE_STATUS_EXAMPLES } from './list-filters.js';

/** Builds the visibility query for `list`; exported for the test of its rules. */
export function listQuery(filters: { status?: string; phase?: string; remoteStatus?: string; plan?: string }): string {
  const clauses = [`WorkflowType = "${MIGRATION_WORKFLOW_TYPE}"`];
  if (filters.status !== undefined) {
    const status = EXECUTION_STATUSES[filters.status.toLowerCase()];
    if (!status) {
      throw new CliError(
        `--status: expected one of ${Object.keys(EXECUTION_STATUSES).join(', ')}; got "${filters.status}"`,
        EXIT.USAGE,
      );
    }
    clauses.push(`ExecutionStatus = "${status}"`);
  }
  if (filters.phase !== undefined) {
    if (!PHASES.includes(filters.phase as MigrationPhase)) {
      throw new CliError(`--phase: expected one of ${PHASES.join(', ')}; got "${filters.phase}"`, EXIT.USAGE);
    }
    clauses.push(`${DcsPhase.name} = "${filters.phase}"`);
  }
  if (filters.remoteStatus !== undefined) {
    // Search attributes hold the normalised spelling (the DCS client normalises every status it reads), so the
    // filter is normalised the same way: either spelling of the incremental state finds the same migrations.
    const remoteStatus = normalizeStatus(filters.remoteStatus);
    if (!/^[A-Z_]+$/.test(remoteStatus)) {
      throw new CliError(
        `--remote-status: expected a DCS status such as ${REMOTE_STATUS_EXAMPLES}; got "${filters.remoteStatus}"`,
        EXIT.USAGE,
      );
    }
    clauses.push(`${DcsRemoteStatus.name} = "${remoteStatus}"`);
  }
  if (filters.plan !== undefined) {
    // The plan's items carry its id in DcsPlan (set when the plan starts them); the plan workflow too, but the
    // workflow type above keeps it out. The id's own rule (no quotes, no spaces) keeps the query well formed.
    if (!PLAN_ID.test(filters.plan)) {
      const got = filters.plan.trim() ? `"${filters.plan}"` : 'nothing';
      throw new CliError(`--plan: expected a plan id (1–100 letters, digits, "_", ":" or "-"); got ${got}`, EXIT.USAGE);
    }
    clauses.push(`${DcsPlan.name} = "${filters.plan}"`);
  }
  return clauses.join(' AND ');
}
