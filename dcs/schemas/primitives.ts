import { z } from 'zod';

/** A non-empty string (ids, names, addresses). */
export const nonEmpty = z.string().trim().min(1, { error: 'must not be empty' });

/** A path parameter: non-empty and not `.`/`..`, which would change the route once percent-encoded. */
export const pathParam = nonEmpty.refine((value) => value !== '.' && value !== '..', {
  error: 'must not be "." or ".."',
});

/** Optional request field; `null` is accepted as absent because the API's own examples send explicit nulls. */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish();
}

/**
 * A whole number given as a number or a decimal string (query parameters and CLI flags arrive as strings),
 * within [min, max]. The output is a number.
 */
export function integer(min: number, max: number) {
  return z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^-?\d+$/, { error: 'must be a whole number' }),
    ])
    .transform((value) => Number(value))
    .pipe(
      z
        .number()
        .int({ error: 'must be a whole number' })
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );
}

/**
 * A number the API types as string but sometimes sends as a number (docs/dcs-api.md §6 quirk 8). Kept as received;
 * read it with {@link toNumber}.
 */
export const looseNumeric = z.union([z.number(), z.string()]);

/** A response string field the API may send as null or omit. */
export const looseString = z.string().nullish();

/** Reads a {@link looseNumeric} value (`"100"`, `100`, `"100%"`) as a number; `undefined` if it is not one. */
export function toNumber(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const parsed = Number.parseFloat(value.trim().replace(/%$/, ''));
  return Number.isFinite(parsed) ? parsed : undefined;
}
