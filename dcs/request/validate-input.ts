import type { z } from 'zod';
import { DcsValidationError } from '../errors/error-classes.js';
import type { OperationSpec, PathParamName } from '../operations.js';
import { fieldIssues, formatIssues, type FieldIssue } from '../schemas/issues.js';
import { pathParam } from '../schemas/primitives.js';

/** What a caller passes for one operation: path parameters, query and body, all still unchecked. */
export interface RawOperationInput {
  path?: Partial<Record<PathParamName, unknown>>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** The same input after validation: what will be sent, byte for byte. */
export interface ValidatedInput {
  path: Partial<Record<PathParamName, string>>;
  query: Array<[string, string]>;
  /** JSON text of the body, or undefined when the operation sends none. */
  bodyText: string | undefined;
}

/**
 * Checks every part of a request against the operation's schemas before anything is sent, and collects all
 * problems into one {@link DcsValidationError} that names each field (`task_id`, `limit`,
 * `source_instance.addrs`).
 */
export function validateInput(spec: OperationSpec, input: RawOperationInput): ValidatedInput {
  const issues: FieldIssue[] = [];
  const collect = <T>(schema: z.ZodType<T>, value: unknown, root?: string): T | undefined => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    issues.push(...fieldIssues(result.error, { input: value, ...(root === undefined ? {} : { root }) }));
    return undefined;
  };

  const path: Partial<Record<PathParamName, string>> = {};
  for (const name of spec.pathParams) {
    const value = input.path?.[name];
    if (value === undefined) issues.push({ field: name, message: 'is required' });
    else {
      const checked = collect(pathParam, value, name);
      if (checked !== undefined) path[name] = checked;
    }
  }
  for (const name of Object.keys(input.path ?? {}) as PathParamName[]) {
    if (input.path?.[name] !== undefined && !spec.pathParams.includes(name)) {
      issues.push({ field: name, message: `is not a parameter of ${spec.name}` });
    }
  }

  const query: Array<[string, string]> = [];
  const givenQuery = Object.fromEntries(Object.entries(input.query ?? {}).filter(([, value]) => value !== undefined));
  if (spec.query) {
    const checked = collect(spec.query, givenQuery) as Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(checked ?? {})) if (value !== undefined) query.push([key, String(value)]);
  } else {
    for (const key of Object.keys(givenQuery))
      issues.push({ field: key, message: `is not a parameter of ${spec.name}` });
  }

  let bodyText: string | undefined;
  if (spec.body) {
    if (input.body === undefined || input.body === null)
      issues.push({ field: '(body)', message: `is required by ${spec.name}` });
    else {
      const checked = collect(spec.body, input.body);
      if (checked !== undefined) bodyText = JSON.stringify(checked);
    }
  } else if (input.body !== undefined && input.body !== null) {
    issues.push({ field: '(body)', message: `${spec.name} takes no request body` });
  }

  if (issues.length > 0) {
    throw new DcsValidationError(`${spec.name} request is invalid, nothing was sent: ${formatIssues(issues)}`, issues, {
      operation: spec.name,
    });
  }
  return { path, query, bodyText };
}
