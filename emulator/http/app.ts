import { randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { percentDecode, splitUrl, type SignableRequest } from '../../dcs/signing/index.js';
import type { EmulatorContext, OperationHandler, OperationResult } from '../context.js';
import type { DataPlaneFaults } from '../data-plane/contract.js';
import type { IpSwitchFaults } from '../faults/fault-rules.js';
import { authenticate } from './authenticate.js';
import { EmulatorApiError, apiErrors, errorBody } from './api-error.js';
import type { EmulatedOperation } from '../emulated-operations.js';
import { matchDcsRoute } from './routes.js';

/** Hono environment of the emulator app: node bindings (for dropping connections) and per-request variables. */
export interface EmulatorEnv {
  Bindings: Partial<HttpBindings>;
  Variables: {
    requestId: string;
    operation: EmulatedOperation | undefined;
    dropped: boolean;
    faults: string[] | undefined;
    errorCode: string | undefined;
  };
}

export type EmulatorApp = Hono<EmulatorEnv>;

/** Larger bodies are refused before parsing; real requests are a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The request pipeline shared by every route: an `X-Request-Id` on every response, the request log, and errors in
 * Huawei's shape (never a stack trace: anything unexpected is DCS.5000).
 */
export function createBaseApp(ctx: EmulatorContext, onInternalError: (error: unknown) => void): EmulatorApp {
  const app = new Hono<EmulatorEnv>();
  app.use('*', async (c, next) => {
    const requestId = randomUUID().replaceAll('-', '');
    c.set('requestId', requestId);
    c.set('dropped', false);
    const started = performance.now();
    await next();
    // Whatever the answer says (a task created, a status read) is on disk before it leaves (emulator/state).
    if (ctx.persist) await savedOrError(ctx.persist, c, onInternalError);
    c.header('X-Request-Id', requestId);
    c.header('Server', 'api-gateway');
    ctx.requestLog.add({
      time: new Date().toISOString(),
      requestId,
      method: c.req.method,
      path: c.req.path,
      operation: c.get('operation'),
      status: c.get('dropped') ? 0 : c.res.status,
      durationMs: Math.round(performance.now() - started),
      faults: c.get('faults'),
      errorCode: c.get('errorCode'),
    });
  });
  app.onError((error, c) => {
    const apiError = error instanceof EmulatorApiError ? error : apiErrors.internal();
    if (!(error instanceof EmulatorApiError)) onInternalError(error);
    return errorResponse(c, apiError);
  });
  return app;
}

/**
 * An answer whose change could not be saved is replaced by DCS.5000: the client must not rely on what the emulator
 * may not have after a restart.
 */
async function savedOrError(persist: () => Promise<void>, c: Context<EmulatorEnv>, onError: (error: unknown) => void) {
  try {
    await persist();
  } catch (error) {
    onError(error);
    c.res = errorResponse(c, apiErrors.internal());
  }
}

/** Renders a EmulatorApiError (and notes its code for the request log). */
export function errorResponse(c: Context<EmulatorEnv>, error: EmulatorApiError): Response {
  c.set('errorCode', error.code);
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(errorBody(error, c.get('requestId')), error.status);
}

/**
 * Mounts the DCS operations: route match (DCS.4001 / DCS.5001), authentication and project check, the tenant's
 * rate limit, fault rules, then the operation. Faults come after authentication so a rule never hides a signing bug.
 */
export function mountDcsOperations(
  app: EmulatorApp,
  ctx: EmulatorContext,
  handlers: Readonly<Record<EmulatedOperation, OperationHandler | undefined>>,
): void {
  app.all('*', async (c) => {
    const wireUrl = c.env?.incoming?.url ?? `${c.req.path}${new URL(c.req.url).search}`;
    const { path, query } = splitUrl(wireUrl);
    const match = matchDcsRoute(c.req.method, path);
    if (match.kind === 'not-found') throw apiErrors.unknownRoute();
    if (match.kind === 'method-not-allowed') throw apiErrors.methodNotAllowed();
    c.set('operation', match.operation);
    const handler = handlers[match.operation];
    if (!handler) throw apiErrors.unknownRoute();

    if (Number(c.req.header('content-length') ?? 0) > MAX_BODY_BYTES)
      throw apiErrors.invalidParameter('body', `larger than ${MAX_BODY_BYTES} bytes`);
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > MAX_BODY_BYTES) throw apiErrors.invalidParameter('body', `larger than ${MAX_BODY_BYTES} bytes`);
    const signable: SignableRequest = { method: c.req.method, url: wireUrl, headers: requestHeaders(c), body };
    authenticate(ctx, signable, percentDecode(match.projectId));
    // The gateway throttles an authenticated tenant before its call reaches DCS (and before injected faults).
    ctx.rateLimit?.admit(percentDecode(match.projectId), ctx.now());

    const faults = await applyFaults(c, ctx, match.operation);
    if (faults.dropNow) return dropConnection(c);

    const params = Object.fromEntries(Object.entries(match.params).map(([key, value]) => [key, percentDecode(value)]));
    const result = await handler({
      ctx,
      params,
      query: new URLSearchParams(query),
      rawBody: new TextDecoder().decode(body),
      dataPlaneFaults: faults.dataPlane,
      ipSwitchFaults: faults.ipSwitch,
    });
    if (faults.dropAfter) return dropConnection(c);
    return render(c, result);
  });
}

/**
 * Evaluates the fault rules for one request: waits out added latency, throws an injected error, and says whether
 * to drop the connection before or after the operation runs.
 */
export async function applyFaults(
  c: Context<EmulatorEnv>,
  ctx: EmulatorContext,
  operation: EmulatedOperation,
): Promise<{
  dropNow: boolean;
  dropAfter: boolean;
  dataPlane: DataPlaneFaults | undefined;
  ipSwitch: IpSwitchFaults | undefined;
}> {
  const decision = ctx.faults.evaluate(operation, ctx.rateLimit?.rate);
  if (decision.firedRuleIds.length > 0) c.set('faults', decision.firedRuleIds);
  if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
  const outcome = decision.outcome;
  if (outcome?.kind === 'error') {
    const headers: Record<string, string> = {};
    if (outcome.retryAfterMs !== undefined) headers['Retry-After'] = String(Math.ceil(outcome.retryAfterMs / 1000));
    throw new EmulatorApiError(
      outcome.status as EmulatorApiError['status'],
      outcome.errorCode,
      outcome.errorMessage,
      headers,
    );
  }
  return {
    dropNow: outcome?.kind === 'drop',
    dropAfter: outcome?.kind === 'commitThenDrop',
    dataPlane: decision.dataPlane,
    ipSwitch: decision.ipSwitch,
  };
}

function requestHeaders(c: Context<EmulatorEnv>): SignableRequest['headers'] {
  if (c.env?.incoming) return c.env.incoming.headers;
  return Object.fromEntries(c.req.raw.headers);
}

function render(c: Context<EmulatorEnv>, result: OperationResult): Response {
  for (const [name, value] of Object.entries(result.headers ?? {})) c.header(name, value);
  if (result.status === 204) return c.body(null, 204);
  return c.json(result.body ?? {}, result.status);
}

/** Destroys the TCP connection so the client sees a reset instead of an answer, as a broken network would. */
export function dropConnection(c: Context<EmulatorEnv>): Response {
  c.set('dropped', true);
  const socket = c.env?.incoming?.socket;
  if (!socket) throw apiErrors.internal();
  socket.destroy();
  return c.body(null, 500);
}
