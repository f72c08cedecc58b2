/**
 * `dcs-migrate list`: migrations from Temporal visibility, newest first, with the phase, remote status and DCS
 * task id the workflow publishes as search attributes; `--plan` lists one plan's items (issue 26).
 */
import type { Command } from 'commander';
import { parseIntFlag } from '../flags.js';
import type { ListRowJson } from '../json-output.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';
import { PHASES, REMOTE_STATUS_EXAMPLES } from './list-filters.js';

interface ListFlags extends TemporalFlags {
  status?: string;
  phase?: string;
  remoteStatus?: string;
  plan?: string;
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
      .option(
        '--plan <plan-id>',
        "the migrations of one plan (its items, every attempt; `plan status` for the plan's view)",
      )
      .option('--limit <n>', 'at most this many', '50')
      .option('--json', 'print the list as JSON'),
  )
    .addHelpText(
      'after',
      '\nExit code 0 (also when nothing matches), 2 for a bad filter, 5 when Temporal cannot be reached.',
    )
    .action(async (flags: ListFlags) => {
      const limit = parseIntFlag('--limit', flags.limit, 1, 10_000);
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [
        { DcsMigrationType, DcsPhase, DcsRemoteStatus, DcsTaskId },
        { formatTable, printJson, printLines },
        { withTemporal },
        { temporalUiBase, workflowListUiUrl },
        { listQuery },
      ] = await Promise.all([
        import('../../common/search-attributes.js'),
        import('../output.js'),
        import('../temporal-client.js'),
        import('../ui-link.js'),
        import('./list-query.js'),
      ]);
      const query = listQuery(flags);
      await withTemporal(flags, async ({ client, config }) => {
        const rows: ListRowJson[] = [];
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
          table.push([
            row.workflowId,
            row.execution,
            row.phase ?? '-',
            row.remoteStatus ?? '-',
            row.migrationType ?? '-',
            row.startTime,
          ]);
        }
        printLines(formatTable(table));
        const base = temporalUiBase(config.address);
        if (base) printLines('', `in the UI: ${workflowListUiUrl(base, config.namespace, query)}`);
      });
    });
}
