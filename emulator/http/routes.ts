import { OPERATIONS, OPERATION_NAMES, type HttpMethod } from '../../dcs/operations.js';
import type { EmulatedOperation } from '../emulated-operations.js';

/**
 * The routes of the DCS operations (real methods and paths under `/v2/{project_id}`, from the client's table). The
 * matcher tells an unknown path (DCS.4001) from a known path called with the wrong method (DCS.5001).
 */
interface RouteSpec {
  operation: EmulatedOperation;
  method: HttpMethod;
  /** Segments after `/v2/{project_id}/`; `:name` captures one segment. */
  pattern: string;
}

const PREFIX = '/v2/{project_id}/';

export const DCS_ROUTES: readonly RouteSpec[] = OPERATION_NAMES.map((name) => {
  const spec = OPERATIONS[name];
  if (!spec.path.startsWith(PREFIX)) throw new Error(`operation ${name} is not under ${PREFIX}`);
  return { operation: name, method: spec.method, pattern: spec.path.slice(PREFIX.length).replace(/\{(\w+)\}/g, ':$1') };
});

export type RouteMatch =
  | { kind: 'operation'; operation: EmulatedOperation; projectId: string; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

/**
 * Matches a decoded request path. Among the routes whose shape fits, a literal segment beats a capture, so
 * `POST /migration-task/batch-stop` is batch stop while `GET /migration-task/batch-stop` is Show of a task id
 * "batch-stop" (which then does not exist).
 */
export function matchDcsRoute(method: string, path: string): RouteMatch {
  const segments = path.split('/').filter((segment, index) => index > 0 || segment !== '');
  // Tolerate one trailing slash, as the API gateway does.
  if (segments.length > 1 && segments.at(-1) === '') segments.pop();
  const [version, projectId, ...rest] = segments;
  if (version !== 'v2' || projectId === undefined || projectId === '' || rest.length === 0)
    return { kind: 'not-found' };
  let best: { spec: RouteSpec; params: Record<string, string>; literals: number } | undefined;
  let shapeFits = false;
  for (const spec of DCS_ROUTES) {
    const fit = fitPattern(spec.pattern, rest);
    if (!fit) continue;
    shapeFits = true;
    if (spec.method !== method.toUpperCase()) continue;
    if (!best || fit.literals > best.literals) best = { spec, ...fit };
  }
  if (best) return { kind: 'operation', operation: best.spec.operation, projectId, params: best.params };
  return shapeFits ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}

function fitPattern(
  pattern: string,
  segments: string[],
): { params: Record<string, string>; literals: number } | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  let literals = 0;
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      params[part.slice(1)] = segment;
    } else if (part === segment) {
      literals++;
    } else {
      return undefined;
    }
  }
  return { params, literals };
}
