/**
 * Many migrations started one by one, as a script without a plan would: batches of concurrent starts, then a wait
 * on visibility until none runs (not one long-poll per migration: thousands of `handle.result()` calls at once
 * exceed the server's concurrent poller limit), then each result read in batches.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { parseMigrationInput } from '../../common/migration-input.js';
import { buildMigrationStartOptions } from '../../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE, type MigrationResult } from '../../common/workflow-contract.js';

const START_CONCURRENCY = 50;

export async function startMigrations(
  client: Client,
  taskQueue: string,
  migrations: ReadonlyArray<{ workflowId: string; input: Record<string, unknown> }>,
): Promise<WorkflowHandle[]> {
  const handles: WorkflowHandle[] = [];
  for (let from = 0; from < migrations.length; from += START_CONCURRENCY) {
    const batch = migrations.slice(from, from + START_CONCURRENCY).map(({ workflowId, input }) => {
      const options = buildMigrationStartOptions({ input: parseMigrationInput(input), workflowId, taskQueue });
      return client.workflow.start(MIGRATION_WORKFLOW_TYPE, options);
    });
    handles.push(...(await Promise.all(batch)));
  }
  return handles;
}

/** Resolves once no workflow of `taskQueue` runs (every `intervalMs`). */
export async function waitNoneRunning(client: Client, taskQueue: string, intervalMs = 500): Promise<void> {
  while ((await client.workflow.count(`TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"`)).count > 0)
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
}

/** The results of closed migrations, read a batch at a time. */
export async function resultsOf(handles: readonly WorkflowHandle[]): Promise<MigrationResult[]> {
  const results: MigrationResult[] = [];
  for (let from = 0; from < handles.length; from += START_CONCURRENCY) {
    const batch = handles.slice(from, from + START_CONCURRENCY).map((handle) => handle.result());
    results.push(...((await Promise.all(batch)) as MigrationResult[]));
  }
  return results;
}
