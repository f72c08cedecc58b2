/**
 * The first step of every run: validate the input. It runs as a local activity (`activities/validate-input.ts`),
 * so the schema library never enters the workflow sandbox: a cached workflow holds no copy of it, and a replay
 * reads the parsed input from history instead of building the schema again.
 *
 * Runs recorded before this step existed (no patch marker in their history) parsed the input inside the workflow;
 * their replays still do, loading the schema only on that path.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { CancellationScope, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { MigrationInput } from '../../common/migration-input.js';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import { Patch } from '../patches.js';

const { validateMigrationInput } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  // Only a crash of the worker mid-call retries; a refusal is non-retryable.
  retry: { maximumAttempts: 3 },
  summary: 'Validate the migration input',
});

/** The parsed input, or a non-retryable `InvalidMigrationInput` failure naming every bad field. */
export async function validateInput(raw: unknown): Promise<MigrationInput> {
  if (!patched(Patch.ValidateInLocalActivity)) return validateInSandbox(raw);
  try {
    // Not cancellable: it takes milliseconds, and a cancellation is acted on once the migration's steps begin.
    return await CancellationScope.nonCancellable(() => validateMigrationInput(raw));
  } catch (error) {
    const cause = error instanceof ActivityFailure ? error.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === MigrationFailureType.InvalidInput) {
      throw ApplicationFailure.nonRetryable(cause.message, MigrationFailureType.InvalidInput, ...(cause.details ?? []));
    }
    throw error;
  }
}

/** The pre-patch path, for replays of runs recorded before validation moved out of the sandbox. */
async function validateInSandbox(raw: unknown): Promise<MigrationInput> {
  // Loaded here, not at the top: new runs never evaluate the schema module in the sandbox.
  const { parseMigrationInputOrFail } = await import(
    /* webpackMode: "eager" */ '../../common/migration-input-failure.js'
  );
  return parseMigrationInputOrFail(raw);
}
