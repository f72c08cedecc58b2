/**
 * The chaos runs' `--seed` (`run.ts`, `soak.ts`): the same seed replays the same faults at the same moments; without
 * one a seed is drawn, and the run prints it in its re-run command.
 */
import { z } from 'zod';

const MAX_SEED = 2 ** 31;

export const seedFlag = z.coerce.number().int().min(0).max(MAX_SEED).optional();

export function seedOrRandom(seed: number | undefined): number {
  return seed ?? Math.floor(Math.random() * MAX_SEED);
}
