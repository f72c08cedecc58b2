import type { z } from 'zod';
import { apiErrors } from './api-error.js';

/**
 * Parses a JSON request body against a zod schema, failing the way DCS does: DCS.4004 for an empty body,
 * DCS.4005 for something that is not JSON, DCS.4063 naming the first offending field otherwise.
 */
export function parseJsonBody<S extends z.ZodType>(raw: string, schema: S): z.output<S> {
  if (raw.trim() === '') throw apiErrors.emptyBody();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw apiErrors.notJson();
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw apiErrors.invalidParameter(fieldName(issue?.path ?? []), issue?.message);
}

/** `source_instance.addrs`, `migration_tasks[2]`, or `body` for the body as a whole. */
export function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
