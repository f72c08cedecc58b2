/**
 * Checks, before anything is created remotely, that every secret reference the migration will need resolves on
 * this worker: the Redis passwords (`{ env }` / `{ file }`) of source, target and the verify block. The values
 * are resolved and dropped at once: only the references that failed, and why, leave this activity.
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { MigrationInput, SecretRef } from '../common/migration-input.js';
import { MigrationFailureType } from '../common/workflow-contract.js';
import type { Attempted } from './results.js';
import { SecretUnavailableError, type SecretResolver } from './secrets.js';

/** One reference that cannot be resolved: the input field, the reference (a variable name or a path), why. */
export interface UnresolvedReference {
  field: string;
  reference: string;
  reason: string;
}

export interface CheckedReferences extends Attempted {
  /** The fields whose references resolved (for the UI; no values). */
  checked: string[];
}

/** The secret references of `input`, by field. */
export function referencesOf(input: MigrationInput): Array<{ field: string; ref: SecretRef }> {
  const refs: Array<{ field: string; ref: SecretRef | undefined }> = [];
  if (input.kind !== 'backup_import') refs.push({ field: 'source.password', ref: input.source.password });
  refs.push({ field: 'target.password', ref: input.target.password });
  if (input.verify) {
    refs.push({ field: 'verify.source.password', ref: input.verify.source.password });
    refs.push({ field: 'verify.target.password', ref: input.verify.target.password });
  }
  return refs.filter((entry): entry is { field: string; ref: SecretRef } => entry.ref !== undefined);
}

export function createReferenceCheckActivities(secrets: SecretResolver) {
  return {
    /**
     * Resolves every secret reference of `input`; a non-retryable `SecretUnavailable` failure names all those that
     * do not resolve (a missing variable is not fixed by retrying: the worker's environment must change).
     */
    async checkReferences(input: MigrationInput): Promise<CheckedReferences> {
      const unresolved: UnresolvedReference[] = [];
      const checked: string[] = [];
      for (const { field, ref } of referencesOf(input)) {
        try {
          await secrets.resolve(ref, field);
          checked.push(field);
        } catch (error) {
          // The resolver's messages name the field and the reference, never a value; anything else is reported
          // by its class name only, in case it carries one.
          const reason =
            error instanceof SecretUnavailableError
              ? error.message
              : `${field}: cannot be resolved (${error instanceof Error ? error.name : 'error'})`;
          unresolved.push({
            field,
            reference: ref.env !== undefined ? `env ${ref.env}` : `file ${ref.file ?? ''}`,
            reason,
          });
        }
      }
      if (unresolved.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `${unresolved.length === 1 ? 'a secret reference does' : `${unresolved.length} secret references do`} not resolve on the worker: ${unresolved.map((entry) => entry.reason).join('; ')}`,
          MigrationFailureType.SecretUnavailable,
          { unresolved },
        );
      }
      return { checked, attempts: activityInfo().attempt };
    },
  };
}
