import type { z } from 'zod';

/** One validation problem: the field's path as users write it (`backup_files.files[0].file_name`) and why. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Renders a zod issue path: keys joined with `.`, array indexes as `[n]`; the root is `(body)`. */
export function fieldPath(path: readonly PropertyKey[], root?: string): string {
  let rendered = root ?? '';
  for (const key of path) {
    if (typeof key === 'number') rendered += `[${key}]`;
    else rendered += rendered === '' ? String(key) : `.${String(key)}`;
  }
  return rendered === '' ? '(body)' : rendered;
}

/**
 * Flattens a zod error into field issues. Given the input that was parsed, a field that is absent is reported as
 * `is required` rather than as a type or enum mismatch; unknown keys are reported one by one.
 */
export function fieldIssues(error: z.ZodError, options: { input?: unknown; root?: string } = {}): FieldIssue[] {
  const { input, root } = options;
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: fieldPath([...issue.path, key], root),
        message: 'is not a known field',
      }));
    }
    const missing =
      (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union') &&
      'input' in options &&
      isAbsent(input, issue.path);
    return [{ field: fieldPath(issue.path, root), message: missing ? 'is required' : issue.message }];
  });
}

function isAbsent(input: unknown, path: readonly PropertyKey[]): boolean {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return true;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current === undefined;
}

/** One line per issue: `source_instance.addrs: is required`. Never includes the offending values. */
export function formatIssues(issues: readonly FieldIssue[]): string {
  return issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
}
