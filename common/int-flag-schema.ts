/**
 * The whole-number rule for command-line and environment settings, as a zod schema: every message names the flag.
 * Here in common/ because both the CLI (client/) and the programs it starts (worker/, stack/) validate their
 * settings with it, and those may not import the CLI.
 */
import { z } from 'zod';

/** A whole number within [min, max] from `--flag <value>` (strings are coerced). */
export function intFlagSchema(flag: string, min: number, max: number) {
  return z.coerce
    .number({ error: `${flag}: expected a whole number` })
    .int(`${flag}: expected a whole number`)
    .min(min, `${flag}: must be at least ${min}`)
    .max(max, `${flag}: must be at most ${max}`);
}
