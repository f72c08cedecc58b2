/**
 * `dcs-migrate list`: migrations from Temporal visibility, newest first, with the phase, remote status and DCS
 * task id the workflow publishes as search attributes.
 */
import type { Command } from 'commander';
import { normalizeStatus, TaskStatus } from '../../common/dcs-status.js';
import { DcsMigrationType, DcsPhase, DcsRemoteStatus, DcsTaskId } from '../../common/search-attributes.js';
import { MIGRATION_WORKFLOW_TYPE, type MigrationPhase } from '../../common/workflow-contract.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseIntFlag } from '../flags.js';
import { formatTable, printJson, printLines } from '../output.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-config.js';
import { withTemporal } from '../temporal-client.js';
import { temporalUiBase, workflowListUiUrl } from '../ui-link.js';

/** Execution statuses as visibility spells them, by the lower-case word an operator types. */
const EXECUTION_STATUSES: Record<string, string> = {
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

const PHASES: readonly MigrationPhase[] = [
  'validating',
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

const REMOTE_STATUS_EXAMPLES = [TaskStatus.Incremental, TaskStatus.Success, TaskStatus.Failed].join(', ');

/** Builds the visibility query for `list`; exported for the test of its rules. */
export function listQuery(filters: { status?: string; phase?: string; remoteStatus?: string }): string {
  const clauses = [`WorkflowType = "${MIGRATION_WORKFLOW_TYPE}"`];
  if (filters.status !== undefined) {
    const status = EXECUTION_STATUSES[filters.status.toLowerCase()];
    if (!status) {
      throw new CliError(`--status: expected one of ${Object.keys(EXECUTION_STATUSES).join(', ')}; got "${filters.status}"`, EXIT.USAGE);
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
      throw new CliError(`--remote-status: expected a DCS status such as ${REMOTE_STATUS_EXAMPLES}; got "${filters.remoteStatus}"`, EXIT.USAGE);
    }
    clauses.push(`${DcsRemoteStatus.name} = "${remoteStatus}"`);
  }
  return clauses.join(' AND ');
}

interface ListFlags extends TemporalFlags {
  status?: string;
  phase?: string;
  remoteStatus?: string;
  limit: string;
  json?: boolean;
}

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('list')
      .description('List migrations (Temporal visibility), newest first.')
      .option('--status <status>', 'execution status: running, completed, failed, cancelled, terminated, timed-out')
      .option('--phase <phase>', `migration phase: ${PHASES.join(', ')}`)
      .option('--remote-status <STATUS>', `DCS task status, e.g. ${REMOTE_STATUS_EXAMPLES}`)
      .option('--limit <n>', 'at most this many', '50')
      .option('--json', 'print the list as JSON'),
  )
    .addHelpText('after', '\nExit code 0 (also when nothing matches), 2 for a bad filter, 5 when Temporal cannot be reached.')
    .action(async (flags: ListFlags) => {
      const limit = parseIntFlag('--limit', flags.limit, 1, 10_000);
      const query = listQuery(flags);
      await withTemporal(flags, async ({ client, config }) => {
        const rows: Array<Record<string, string | null>> = [];
        for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
          const attrs = info.typedSearchAttributes;
          rows.push({
            workflowId: info.workflowId,
            runId: info.runId,
            execution: info.status.name,
            phase: attrs.get(DcsPhase) ?? null,
            remoteStatus: attrs.get(DcsRemoteStatus) ?? null,
            taskId: attrs.get(DcsTaskId) ?? null,
            migrationType: attrs.get(DcsMigrationType) ?? null,
            startTime: info.startTime.toISOString(),
            closeTime: info.closeTime?.toISOString() ?? null,
          });
          if (rows.length >= limit) break;
        }
        if (flags.json) return printJson(rows);
        if (rows.length === 0) return printLines(`no migrations match (${query})`);
        const table = [['ID', 'EXECUTION', 'PHASE', 'REMOTE', 'TYPE', 'STARTED']];
        for (const row of rows) {
          table.push([row.workflowId ?? '', row.execution ?? '', row.phase ?? '-', row.remoteStatus ?? '-', row.migrationType ?? '-', row.startTime ?? '']);
        }
        printLines(formatTable(table));
        const base = temporalUiBase(config.address);
        if (base) printLines('', `in the UI: ${workflowListUiUrl(base, config.namespace, query)}`);
      });
    });
}
