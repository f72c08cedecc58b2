/** How `dcs-migrate replay` prints its outcome: a table (one row per history) or one JSON document. */
import type { ReplayOutcome } from '../../worker/replay/subject.js';
import { formatTable, printJson, printLines } from '../output.js';

export interface ReplayReport {
  /** The workflow code replayed (prebuilt bundle or module). */
  code: string;
  workflowTypes: string[];
  /** From a server: the query and how many runs it matched (more than replayed when `--limit` cut them). */
  query?: string;
  matched?: number;
  /** From files: the directory. */
  histories?: string;
  outcomes: ReplayOutcome[];
}

export function printReplayReport(report: ReplayReport, json: boolean): void {
  const failed = report.outcomes.filter((outcome) => outcome.verdict !== 'ok').length;
  if (json) return printJson({ ...report, replayed: report.outcomes.length, failed });
  const from = report.histories !== undefined ? `the histories in ${report.histories}` : `the runs of ${report.query}`;
  const lines = [`replaying ${from}`, `against ${report.code} (workflow types: ${report.workflowTypes.join(', ')})`];
  if (report.outcomes.length === 0) return printLines(...lines, 'no runs match: nothing to replay');
  const rows = report.outcomes.map((o) => [o.workflowId, o.runId ?? '-', o.workflowType, o.verdict, o.detail ?? '']);
  const table = formatTable([['WORKFLOW ID', 'RUN ID', 'TYPE', 'RESULT', 'FIRST MISMATCH / ERROR'], ...rows]);
  lines.push('', ...table.split('\n').map((line) => line.trimEnd()), '');
  const cutByLimit = report.matched !== undefined && report.matched > report.outcomes.length;
  const cut = cutByLimit ? ` (of ${report.matched} matching: raise --limit)` : '';
  lines.push(`${report.outcomes.length - failed} of ${report.outcomes.length} histories replay on this build${cut}`);
  printLines(...lines);
}
