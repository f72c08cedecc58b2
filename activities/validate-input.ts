/**
 * The migration input's validation, run as a local activity at the start of every run (`workflows/steps/
 * validate-input.ts`). The schema library stays out of the workflow sandbox, where every cached workflow would
 * hold its own copy of it (about 1 MiB each) and every replay would build it again; the parsed input is recorded
 * in history, so replays never run the schema at all.
 */
import { parseMigrationInputOrFail } from '../common/migration-input-failure.js';
import type { MigrationInput } from '../common/migration-input.js';

export function createValidationActivities() {
  return {
    /** Parses (defaults, durations in ms) or refuses, naming every bad field; a refusal is never retried. */
    async validateMigrationInput(raw: unknown): Promise<MigrationInput> {
      return parseMigrationInputOrFail(raw);
    },
  };
}
