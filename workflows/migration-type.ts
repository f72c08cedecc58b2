/** The migration type, as the `DcsMigrationType` search attribute and the metrics' `kind` label spell it. */
import type { MigrationInput } from '../common/migration-input.js';

export function migrationTypeOf(input: MigrationInput): string {
  return input.kind === 'backup_import' ? 'backup_import' : `${input.kind}:${input.method}`;
}
