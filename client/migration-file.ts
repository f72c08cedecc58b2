/**
 * Reads a migration input file (YAML or JSON) and validates it against the workflow's own input schema, so a
 * bad file is refused before anything is started: exit 2 and one line per problem, each naming its field.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { InvalidMigrationInputError, parseMigrationInput, type MigrationInput } from '../common/migration-input.js';
import { CliError, EXIT } from './exit-codes.js';

/**
 * Reads a YAML or JSON file (a migration, a plan): the parsed document, or a CliError (exit 2) for a missing,
 * unreadable, malformed or empty file (`empty` says what it lacks).
 */
export async function readInputFile(file: string, empty: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `--file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      EXIT.USAGE,
    );
  }
  let raw: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both, and its errors carry line and column.
    raw = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new CliError(
      `--file ${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
      EXIT.USAGE,
    );
  }
  // An empty file (or only comments, or `null`) parses to null: say so rather than "(input): expected object".
  if (raw === null || raw === undefined) throw new CliError(`--file ${file}: ${empty}`, EXIT.USAGE);
  return raw;
}

/**
 * Reads and validates `file`: the parsed input (defaults applied, durations in ms) is what the workflow is started
 * with. Throws a CliError (exit 2) for a missing, unreadable, malformed or invalid file.
 */
export async function loadMigrationFile(file: string): Promise<MigrationInput> {
  const raw = await readInputFile(file, 'holds no migration (the file is empty); see examples/ for the fields');
  try {
    return parseMigrationInput(raw);
  } catch (error) {
    if (error instanceof InvalidMigrationInputError) {
      const lines = error.problems.map((p) => `  ${p.field}: ${p.message}`);
      throw new CliError(
        `--file ${file}: invalid migration input; nothing was started:\n${lines.join('\n')}`,
        EXIT.USAGE,
      );
    }
    throw error;
  }
}
