/**
 * How a plan's item becomes a migration input: the plan's `defaults`, overridden field by field by the item
 * (objects merge key by key, anything else is replaced), without the item's `key`. The client validates every
 * merged item before the plan starts (`common/plan-input.ts`); the plan workflow merges again when it starts an
 * item, and the item's own workflow validates what it receives, as for any migration.
 *
 * Imported by workflow code: keep it free of zod, Node built-ins and I/O.
 */

/** A plan item as written: its `key` and the migration fields it overrides. */
export interface PlanItemFile {
  key: string;
  [field: string]: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `base` overridden by `over`: objects merge recursively, any other value (arrays included) replaces. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(over)) {
    const current = merged[name];
    merged[name] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

/** The migration input of `item`: the defaults, overridden by the item's fields (its `key` left out). */
export function mergeItem(defaults: Record<string, unknown>, item: PlanItemFile): Record<string, unknown> {
  const { key: _key, ...fields } = item;
  return deepMerge(defaults, fields);
}

/**
 * The workflow id of an item: `<plan id>.<key>`, and `.<attempt>` from the second attempt on (`plan retry`).
 * Stable, so a resumed plan finds what it already started (`WorkflowExecutionAlreadyStarted`) instead of starting
 * it again; the remote task name derives from it as for any migration.
 */
export function itemWorkflowId(planId: string, key: string, attempt = 1): string {
  return attempt <= 1 ? `${planId}.${key}` : `${planId}.${key}.${attempt}`;
}

/** True when `value` sits at `path` of `object` (an explicit `undefined` does not count). */
export function hasPath(object: unknown, path: readonly string[]): boolean {
  let current: unknown = object;
  for (const segment of path) {
    if (!isPlainObject(current) && !Array.isArray(current)) return false;
    current = (current as Record<string, unknown>)[segment];
    if (current === undefined) return false;
  }
  return true;
}
