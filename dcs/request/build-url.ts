import type { OperationSpec, PathParamName } from '../operations.js';
import { percentEncode } from '../signing/percent-encode.js';

/**
 * The request URL: endpoint + path template with `{project_id}` and the path parameters percent-encoded as whole
 * segments (so an id can never add a `/` or `?`), + the query in the order given.
 */
export function buildUrl(
  endpoint: string,
  spec: OperationSpec,
  projectId: string,
  path: Partial<Record<PathParamName, string>>,
  query: ReadonlyArray<readonly [string, string]>,
): string {
  const filled = spec.path.replace(/\{(\w+)\}/g, (_template, name: string) => {
    const value = name === 'project_id' ? projectId : path[name as PathParamName];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${spec.name}`);
    return percentEncode(value);
  });
  const queryText = query.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&');
  return `${endpoint}${filled}${queryText ? `?${queryText}` : ''}`;
}
