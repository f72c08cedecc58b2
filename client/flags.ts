/**
 * Parsing of numeric command-line values: a bad one is a usage error (exit 2) naming the flag. The zod form of the
 * same rule, shared with the worker and the stack, is `common/int-flag-schema.ts`.
 */
import { CliError, EXIT } from './exit-codes.js';

/** A whole number within [min, max] from `--flag <value>`. */
export function parseIntFlag(flag: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new CliError(`${flag}: expected a whole number from ${min} to ${max}; got "${value}"`, EXIT.USAGE);
  }
  return parsed;
}
