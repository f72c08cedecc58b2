/**
 * The input's validation as Temporal sees a refusal: a non-retryable `InvalidMigrationInput` failure naming every
 * bad field. Shared by the validation activity and the workflow's pre-patch path (`workflows/steps/validate-input.ts`).
 * Imported by workflow code only lazily: keep it free of Node built-ins and I/O.
 */
import { ApplicationFailure } from '@temporalio/common';
import { InvalidMigrationInputError, parseMigrationInput, type MigrationInput } from './migration-input.js';
import { MigrationFailureType } from './workflow-contract.js';

export function parseMigrationInputOrFail(raw: unknown): MigrationInput {
  try {
    return parseMigrationInput(raw);
  } catch (error) {
    if (error instanceof InvalidMigrationInputError) {
      throw ApplicationFailure.nonRetryable(error.message, MigrationFailureType.InvalidInput, {
        problems: error.problems,
      });
    }
    throw error;
  }
}
