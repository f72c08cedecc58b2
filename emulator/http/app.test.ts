import { describe, expect, it } from 'vitest';
import { signRequest } from '../../dcs/signing/index.js';
import type { EmulatorContext, OperationHandler } from '../context.js';
import { createDataPlane } from '../data-plane/index.js';
import { FaultRules } from '../faults/fault-rules.js';
import { InstanceRegistry } from '../instances/instance-registry.js';
import { TaskStore } from '../tasks/task-store.js';
import { createBaseApp, mountDcsOperations } from './app.js';
import { RequestLog } from './request-log.js';
import type { EmulatedOperation } from '../emulated-operations.js';
import { TokenStore } from './token-store.js';

// The request pipeline in-process (hono's app.request): an operation that fails unexpectedly is answered with
// 500 DCS.5000 in Huawei's shape, without its message or stack, and the app keeps serving.

function context(): EmulatorContext {
  return {
    credentials: { ak: 'PIPELINEACCESSKEY001', sk: 'pipeline-secret', projectId: 'project1' },
    iamUser: { name: 'u', password: 'p' },
    dataDir: '/nonexistent',
    timings: { creatingMs: 0, terminatingMs: 0, exchangingMs: 0, pollJitterMs: 0 },
    store: new TaskStore(),
    instances: new InstanceRegistry('/nonexistent'),
    faults: new FaultRules(1),
    tokens: new TokenStore(60_000),
    requestLog: new RequestLog(),
    dataPlane: createDataPlane(),
    incrementalSpelling: 'INCRMIGEATING',
    jitter: () => 0,
    now: () => Date.now(),
  };
}

function signedInit(ctx: EmulatorContext, url: string): RequestInit {
  // Only x-sdk-date is signed: an in-process request has no Host header to sign.
  const signed = signRequest(
    { method: 'GET', url, headers: {} },
    { accessKey: ctx.credentials.ak, secretKey: ctx.credentials.sk },
    { signedHeaders: ['x-sdk-date'] },
  );
  return { headers: signed.headers };
}

describe('request pipeline', () => {
  it('turns an unexpected failure into 500 DCS.5000 with no message or stack, reports it, and keeps serving', async () => {
    const ctx = context();
    const reported: unknown[] = [];
    const app = createBaseApp(ctx, (error) => reported.push(error));
    const failing: OperationHandler = () => {
      throw new TypeError('cannot read properties of undefined (secret detail)');
    };
    const handlers = {
      ListMigrationTask: failing,
      ShowMigrationTask: () => ({ status: 200, body: { ok: true } }),
    } as unknown as Record<EmulatedOperation, OperationHandler | undefined>;
    mountDcsOperations(app, ctx, handlers);

    const url = 'http://emulator.local/v2/project1/migration-tasks';
    const response = await app.request(url, signedInit(ctx, url));
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error_code: 'DCS.5000', error_msg: 'Internal service error.', error_ext_msg: null });
    expect(JSON.stringify(body)).not.toContain('secret detail');
    expect(reported).toHaveLength(1);
    expect(ctx.requestLog.list().at(-1)).toMatchObject({
      operation: 'ListMigrationTask',
      status: 500,
      errorCode: 'DCS.5000',
    });

    const next = 'http://emulator.local/v2/project1/migration-task/abc';
    expect((await app.request(next, signedInit(ctx, next))).status).toBe(200);
  });
});
