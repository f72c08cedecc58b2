import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { faultRuleInputSchema } from '../faults/fault-rules.js';
import { CACHE_MODES, InstanceIdError } from '../instances/instance-registry.js';
import type { RegisteredRedis } from '../instances/instance-registry.js';
import { formatTopology, InstanceSpecError, parseTopology, type InstanceTopology } from '../instances/topology.js';
import type { EmulatorApp } from './app.js';
import { EmulatorApiError, apiErrors } from './api-error.js';
import { parseJsonBody } from './json-body.js';
import { formatRateLimit, parseRateLimit } from '../../common/rate-limit.js';

/** What the admin API can do to the emulator beyond the shared context. */
export interface AdminActions {
  reset(): Promise<void>;
  addInstance(options: {
    id: string;
    password?: string | undefined;
    topology?: InstanceTopology | undefined;
  }): Promise<unknown>;
  registerInstance(options: RegisteredRedis): unknown;
  tasks(): unknown[];
}

/**
 * `{id, password?, topology?}` starts a redis-server (`topology` as `--instance` spells it: `single`, `ha[:N]`,
 * `cluster[:M[xR]]`); with `host` and `port` an existing Redis is registered instead.
 */
const InstanceRequest = z
  .strictObject({
    id: z.string().min(1),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    /** A registered Redis that needs TLS: its CA certificate (PEM text), the name to verify, or no verification. */
    tls: z
      .strictObject({
        ca: z.string().min(1).optional(),
        servername: z.string().min(1).optional(),
        insecure: z.boolean().optional(),
      })
      .optional(),
    topology: z.string().min(1).optional(),
  })
  .refine((body) => (body.host === undefined) === (body.port === undefined), {
    error: 'give both host and port, or neither',
    path: ['port'],
  })
  .refine((body) => body.host === undefined || body.topology === undefined, {
    error: 'a registered Redis has no topology to start',
    path: ['topology'],
  })
  .refine((body) => body.host !== undefined || (body.username === undefined && body.tls === undefined), {
    error: 'an ACL user or TLS is for a registered Redis (give host and port)',
    path: ['tls'],
  });

/** `PUT /_emulator/rate-limit`: calls per window, as `--rate-limit` spells it (`200/5m`). */
const RateLimitRequest = z.strictObject({
  rateLimit: z.string().transform((text, ctx) => {
    try {
      return parseRateLimit(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
});

/** `PATCH /_emulator/instances/:id`: what ShowInstance reports, for staging states DCS refuses to migrate into. */
const InstanceAttributesRequest = z.strictObject({
  status: z.string().trim().min(1).optional(),
  engineVersion: z
    .string()
    .regex(/^\d+(\.\d+)*$/, 'must be a version such as 5.0')
    .optional(),
  capacityGb: z.number().positive().optional(),
  maxMemoryMb: z.number().int().min(0).optional(),
  cacheMode: z.enum(CACHE_MODES).optional(),
  enableSsl: z.boolean().optional(),
  enablePublicIp: z.boolean().optional(),
});

/**
 * The emulator's own control API under `/_emulator` (not part of DCS, not authenticated: the emulator listens on
 * loopback unless told otherwise). Never returns passwords or keys.
 */
export function mountAdminRoutes(app: EmulatorApp, ctx: EmulatorContext, actions: AdminActions): void {
  const started = Date.now();
  app.get('/_emulator/health', (c) =>
    c.json({
      status: 'ok',
      uptimeMs: Date.now() - started,
      projectId: ctx.credentials.projectId,
      tasks: ctx.store.all().length,
      instances: ctx.instances.list().length,
    }),
  );
  app.get('/_emulator/faults', (c) => c.json({ faults: ctx.faults.list() }));
  app.post('/_emulator/faults', async (c) => {
    // One rule or an array of rules; each is appended. Answers the ids in order.
    const raw = await c.req.text();
    // Parsed by shape rather than as a union, so that an error names the bad field instead of "body".
    const rules = Array.isArray(parseJsonBody(raw, z.unknown()))
      ? parseJsonBody(raw, z.array(faultRuleInputSchema))
      : [parseJsonBody(raw, faultRuleInputSchema)];
    return c.json({ ids: rules.map((rule) => ctx.faults.add(rule)) }, 201);
  });
  app.delete('/_emulator/faults', (c) => {
    ctx.faults.clear();
    return c.body(null, 204);
  });
  app.delete('/_emulator/faults/:id', (c) => {
    if (!ctx.faults.remove(c.req.param('id')))
      throw new EmulatorApiError(404, 'DCS.4001', `No fault rule ${c.req.param('id')}.`);
    return c.body(null, 204);
  });
  // The per-tenant rate limit: `{"rateLimit": "200/5m"}` sets it, DELETE lifts it.
  app.get('/_emulator/rate-limit', (c) =>
    c.json({ rateLimit: ctx.rateLimit?.rate ? formatRateLimit(ctx.rateLimit.rate) : null }),
  );
  app.put('/_emulator/rate-limit', async (c) => {
    const body = parseJsonBody(await c.req.text(), RateLimitRequest);
    ctx.rateLimit?.set(body.rateLimit);
    return c.json({ rateLimit: formatRateLimit(body.rateLimit) });
  });
  app.delete('/_emulator/rate-limit', (c) => {
    ctx.rateLimit?.set(undefined);
    return c.body(null, 204);
  });
  app.post('/_emulator/reset', async (c) => {
    await actions.reset();
    return c.body(null, 204);
  });
  app.get('/_emulator/tasks', (c) => c.json({ tasks: actions.tasks() }));
  app.get('/_emulator/requests', (c) => c.json({ requests: ctx.requestLog.list() }));
  app.get('/_emulator/instances', (c) =>
    c.json({
      instances: ctx.instances.list().map(({ id, endpoint, service, topology }) => ({
        id,
        host: endpoint.host,
        port: endpoint.port,
        ...(service ? { service } : {}),
        ...(topology ? { topology: formatTopology(topology.type) } : {}),
      })),
    }),
  );
  app.post('/_emulator/instances', async (c) => {
    const body = parseJsonBody(await c.req.text(), InstanceRequest);
    try {
      if (body.host !== undefined && body.port !== undefined)
        actions.registerInstance({ ...body, host: body.host, port: body.port });
      else {
        const { topology, ...rest } = body;
        await actions.addInstance({
          ...rest,
          ...(topology === undefined ? {} : { topology: parseTopology(topology) }),
        });
      }
    } catch (error) {
      if (error instanceof InstanceIdError) throw apiErrors.invalidParameter('id', error.message);
      if (error instanceof InstanceSpecError) throw apiErrors.invalidParameter('topology', error.message);
      throw error;
    }
    const instance = ctx.instances.get(body.id)!;
    return c.json(
      {
        id: instance.id,
        host: instance.endpoint.host,
        port: instance.endpoint.port,
        ...(instance.service ? { service: instance.service } : {}),
      },
      201,
    );
  });
  app.get('/_emulator/instances/:id', (c) => {
    const attributes = ctx.instances.attributesOf(c.req.param('id'));
    if (!attributes) throw apiErrors.instanceNotFound('id');
    return c.json({ id: c.req.param('id'), attributes });
  });
  app.patch('/_emulator/instances/:id', async (c) => {
    const body = parseJsonBody(await c.req.text(), InstanceAttributesRequest);
    if (!ctx.instances.attributesOf(c.req.param('id'))) throw apiErrors.instanceNotFound('id');
    return c.json({ id: c.req.param('id'), attributes: ctx.instances.setAttributes(c.req.param('id'), body) });
  });
  app.all('/_emulator/*', () => {
    throw apiErrors.unknownRoute();
  });
}
