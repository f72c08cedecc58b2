/**
 * How each migration of a scenario ended against what the scenario expected of it, and how many remote tasks its
 * name has in the emulator. Waiting is bounded: a migration still open at the deadline counts as lost.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { MigrationResult } from '../../common/workflow-contract.js';
import type { ChaosStack } from './harness.js';

export interface TrackedMigration {
  handle: WorkflowHandle;
  /** `complete`: succeeded or cut over. Otherwise the failure type the workflow must fail with. */
  expect: 'complete' | { failureType: string };
}

export interface MigrationOutcome {
  workflowId: string;
  ended: 'completed' | 'failed' | 'still open at the deadline';
  result?: MigrationResult;
  failureType?: string;
  failureMessage?: string;
  asExpected: boolean;
  remoteTasks: number;
}

export async function settleMigrations(
  stack: ChaosStack,
  migrations: TrackedMigration[],
  timeoutMs: number,
): Promise<MigrationOutcome[]> {
  const deadline = Date.now() + timeoutMs;
  return Promise.all(
    migrations.map(async ({ handle, expect }): Promise<MigrationOutcome> => {
      const ended = await endOf(handle, deadline);
      const remoteTasks = stack.remoteTasksOf(handle.workflowId).length;
      const asExpected =
        expect === 'complete'
          ? ended.ended === 'completed'
          : ended.ended === 'failed' && ended.failureType === expect.failureType;
      return { workflowId: handle.workflowId, ...ended, asExpected, remoteTasks };
    }),
  );
}

type Ending = Pick<MigrationOutcome, 'ended' | 'result' | 'failureType' | 'failureMessage'>;

async function endOf(handle: WorkflowHandle, deadline: number): Promise<Ending> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Ending>((resolve) => {
    timer = setTimeout(() => resolve({ ended: 'still open at the deadline' }), Math.max(0, deadline - Date.now()));
  });
  const settled = (handle.result() as Promise<MigrationResult>).then(
    (result): Ending => ({ ended: 'completed', result }),
    (error: unknown): Ending => {
      const cause = error instanceof WorkflowFailedError ? error.cause : error;
      const type =
        cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : (cause as Error | undefined)?.name;
      return {
        ended: 'failed',
        failureType: type ?? 'unknown',
        failureMessage: (cause as Error | undefined)?.message ?? String(error),
      };
    },
  );
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
