import { InvalidMigrationInputError, parseMigrationInput } from '../migration-input.js';

/** The per-field problems `parseMigrationInput` refuses `raw` with; throws if it accepts it. For tests. */
export function problemsOf(raw: unknown): Array<{ field: string; message: string }> {
  try {
    parseMigrationInput(raw);
  } catch (error) {
    if (error instanceof InvalidMigrationInputError) return error.problems;
    throw error;
  }
  throw new Error('expected the input to be refused');
}
