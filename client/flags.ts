/** Parsing of numeric command-line values: a bad one is a usage error (exit 2) naming the flag. */
import { z } from 'zod';
import { CliError, EXIT } from './exit-codes.js';

/** A whole number within [min, max] from `--flag <value>`. */
export function parseIntFlag(flag: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new CliError(`${flag}: expected a whole number from ${min} to ${max}; got "${value}"`, EXIT.USAGE);
  }
  return parsed;
}

/** The same rule as a zod schema (for settings objects validated in one go): every message names the flag. */
export function intFlagSchema(flag: string, min: number, max: number) {
  return z.coerce
    .number({ error: `${flag}: expected a whole number` })
    .int(`${flag}: expected a whole number`)
    .min(min, `${flag}: must be at least ${min}`)
    .max(max, `${flag}: must be at most ${max}`);
}
