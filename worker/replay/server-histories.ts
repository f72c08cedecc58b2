/**
 * Histories downloaded from a Temporal server for `dcs-migrate replay`: the runs a visibility query finds, among
 * the workflow types this build registers, one run's history at a time (the replay is sequential anyway, so
 * a download overlaps the previous replay at most, and a large fleet is never held in memory at once).
 */
import type { Client } from '@temporalio/client';
import { quoteVisibility } from '../../common/visibility-query.js';
import type { ReplaySubject } from './subject.js';

/** What a gate replays by default: every running run (a closed run is never replayed by a worker again). */
export const RUNNING = "ExecutionStatus = 'Running'";

/**
 * The query: the registered types, and `query` (default: running). The type clause keeps other applications'
 * workflows in the namespace out, and takes in any workflow type a build adds.
 */
export function replayQuery(types: readonly string[], query: string = RUNNING): string {
  return `WorkflowType IN (${types.map(quoteVisibility).join(', ')}) AND (${query})`;
}

/** The runs `query` finds, newest first as visibility lists them, at most `limit`, each with its history. */
export async function* serverHistories(client: Client, query: string, limit: number): AsyncGenerator<ReplaySubject> {
  let count = 0;
  for await (const execution of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
    if (count >= limit) return;
    count += 1;
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const { workflowId, runId, type: workflowType } = execution;
    yield { workflowId, runId, workflowType, origin: 'server', history };
  }
}
