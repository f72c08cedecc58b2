/**
 * Reads a plan file (YAML or JSON) and validates it (`common/plan-input.ts`): a bad plan starts nothing, exit 2
 * and one line per problem, each naming its item and field.
 */
import { InvalidPlanInputError, validatePlan, type ValidatedPlan } from '../common/plan-input.js';
import { CliError, EXIT } from './exit-codes.js';
import { readInputFile } from './migration-file.js';

export async function loadPlanFile(file: string): Promise<ValidatedPlan> {
  const raw = await readInputFile(file, 'holds no plan (the file is empty); see docs/plan-file.md for the fields');
  try {
    return validatePlan(raw);
  } catch (error) {
    if (!(error instanceof InvalidPlanInputError)) throw error;
    const lines = error.problems.map((problem) => `  ${problem.field}: ${problem.message}`);
    throw new CliError(`--file ${file}: invalid plan; nothing was started:\n${lines.join('\n')}`, EXIT.USAGE);
  }
}
