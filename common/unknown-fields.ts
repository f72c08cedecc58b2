/**
 * "Did you mean" for unknown fields of a migration input (issue 19): zod reports an unknown key as
 * `Unrecognized key: "progresInterval"` on the object that holds it; this module finds the keys that object allows
 * (walking the schema along the path, choosing a discriminated union's option by the input's own
 * discriminator) and suggests the closest one.
 *
 * Imported by workflow code (through `common/migration-input.ts`): keep it free of Node built-ins and I/O.
 */
import type { z } from 'zod';

/** The most edits (insert, delete, substitute, swap two adjacent letters) a suggestion may be away. */
const MAX_DISTANCE = 2;

/**
 * Damerau-Levenshtein distance, optimal-string-alignment variant: insertions, deletions, substitutions and
 * transpositions of adjacent characters each cost 1 (`metod` → `method` is 1, `mehtod` → `method` is 1).
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between the first i characters of a and the first j of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** `resume_mode`, `Resume-Mode` and `RESUMEMODE` all normalise to `resumemode`. */
function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The allowed key `unknown` most likely meant: the same key but for case, `_` or `-` (`resume_mode` →
 * `resumeMode`), else the single closest key at most {@link MAX_DISTANCE} edits away (ignoring case), and closer
 * than the key's own length (so `x` suggests nothing). Undefined when nothing is close, or two keys are equally close.
 */
export function suggestKey(unknown: string, allowed: readonly string[]): string | undefined {
  const same = allowed.filter((key) => normalise(key) === normalise(unknown));
  if (same.length === 1) return same[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tied = false;
  for (const key of allowed) {
    const distance = editDistance(normalise(unknown), normalise(key));
    if (distance < bestDistance) [best, bestDistance, tied] = [key, distance, false];
    else if (distance === bestDistance) tied = true;
  }
  if (best === undefined || tied || bestDistance > MAX_DISTANCE || bestDistance >= normalise(unknown).length)
    return undefined;
  return best;
}

/** The parts of a zod schema's definition this walk reads (zod 4's `_zod.def`, any schema type). */
interface LooseDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}

function defOf(schema: z.ZodType): LooseDef {
  return schema._zod.def as unknown as LooseDef;
}

/** Strips optional, default, prefault, nullable, readonly and pipes (to their input side). */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let current = schema, depth = 0; depth < 20; depth += 1) {
    const def = defOf(current);
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!next) return current;
    current = next;
  }
  return schema;
}

/** For a union at `value`: its options that accept `value`'s discriminator (all object options if none matches). */
function unionOptions(def: LooseDef, value: unknown): z.ZodType[] {
  const objects = (def.options ?? []).map(unwrap).filter((option) => defOf(option).type === 'object');
  const discriminator = def.discriminator;
  if (discriminator === undefined || value === null || typeof value !== 'object') return objects;
  const chosen = objects.filter(
    (option) =>
      defOf(option).shape?.[discriminator]?.safeParse((value as Record<string, unknown>)[discriminator]).success,
  );
  return chosen.length > 0 ? chosen : objects;
}

/**
 * The keys the object at `path` of `input` may have, according to `schema`; undefined when the path does not lead
 * to an object schema. At a discriminated union the input's own discriminator picks the option (`kind: online`
 * allows `network`, `kind: backup_import` does not).
 */
export function allowedKeysAt(schema: z.ZodType, input: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let candidates = [schema];
  let value = input;
  for (let depth = 0; depth <= path.length; depth += 1) {
    const expanded: z.ZodType[] = [];
    for (const candidate of candidates.map(unwrap)) {
      const def = defOf(candidate);
      if (def.type === 'union') expanded.push(...unionOptions(def, value));
      else expanded.push(candidate);
    }
    if (depth === path.length) {
      const keys = expanded.flatMap((candidate) => Object.keys(defOf(candidate).shape ?? {}));
      return keys.length > 0 ? [...new Set(keys)] : undefined;
    }
    const segment = path[depth];
    candidates = expanded.flatMap((candidate) => {
      const def = defOf(candidate);
      if (def.type === 'array' && typeof segment === 'number' && def.element) return [def.element];
      const field = typeof segment === 'string' ? def.shape?.[segment] : undefined;
      return field ? [field] : [];
    });
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<PropertyKey, unknown>)[segment as PropertyKey]
        : undefined;
  }
  return undefined;
}

/** The message for an unknown key: a suggestion when one is close, else the keys allowed there. */
export function unknownFieldMessage(key: string, allowed: readonly string[] | undefined): string {
  const suggestion = allowed ? suggestKey(key, allowed) : undefined;
  if (suggestion !== undefined) return `unknown field; did you mean "${suggestion}"?`;
  if (allowed && allowed.length > 0) return `unknown field; allowed here: ${allowed.join(', ')}`;
  return 'unknown field';
}
