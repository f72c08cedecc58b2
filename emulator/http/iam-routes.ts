import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { EmulatorApiError } from './api-error.js';
import { applyFaults, dropConnection, type EmulatorApp } from './app.js';
import { parseJsonBody } from './json-body.js';

// IAM's own request shape (Keystone v3): this is not a DCS body, so it is defined here, next to its only server.
const nonEmpty = z.string().min(1);
const TokenRequest = z.object({
  auth: z.object({
    identity: z.object({
      methods: z
        .array(z.string())
        .refine((methods) => methods.includes('password'), { error: 'must include "password"' }),
      password: z.object({
        user: z.object({
          name: nonEmpty,
          password: nonEmpty,
          domain: z.object({ name: nonEmpty.optional(), id: nonEmpty.optional() }).optional(),
        }),
      }),
    }),
    scope: z.object({
      project: z
        .object({ id: nonEmpty.optional(), name: nonEmpty.optional() })
        .refine((project) => project.id ?? project.name, {
          error: 'needs id or name',
        }),
    }),
  }),
});

const wrongPassword = () => new EmulatorApiError(401, 'IAM.0004', 'The username or password is wrong.');

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * IAM `POST /v3/auth/tokens` (password identity, project scope), served on the emulator's own port so that token
 * authentication works without a cloud IAM. The token comes back in `X-Subject-Token`, valid for the token TTL.
 * A project given by name is taken as the emulator's one project (real names are region names).
 */
export function mountIamRoutes(app: EmulatorApp, ctx: EmulatorContext): void {
  app.post('/v3/auth/tokens', async (c) => {
    c.set('operation', 'KeystoneCreateUserTokenByPassword');
    const faults = await applyFaults(c, ctx, 'KeystoneCreateUserTokenByPassword');
    if (faults.dropNow) return dropConnection(c);
    const body = parseJsonBody(await c.req.text(), TokenRequest);
    const { user } = body.auth.identity.password;
    const expected = ctx.iamUser;
    const domainOk = expected.domain === undefined || user.domain?.name === expected.domain;
    if (user.name !== expected.name || !sameSecret(user.password, expected.password) || !domainOk)
      throw wrongPassword();
    const project = body.auth.scope.project;
    if (project.id !== undefined && project.id !== ctx.credentials.projectId) {
      throw new EmulatorApiError(400, 'IAM.0010', 'The project does not exist or does not belong to the account.');
    }
    const issued = ctx.tokens.issue(ctx.credentials.projectId, user.name, ctx.now());
    c.header('X-Subject-Token', issued.token);
    const domain = { id: 'emulator-domain', name: expected.domain ?? user.domain?.name ?? 'emulator' };
    if (faults.dropAfter) return dropConnection(c);
    return c.json(
      {
        token: {
          methods: ['password'],
          expires_at: new Date(issued.expiresAt).toISOString(),
          issued_at: new Date(issued.issuedAt).toISOString(),
          user: { id: 'emulator-user', name: user.name, domain },
          project: { id: ctx.credentials.projectId, name: project.name ?? 'emulator', domain },
          catalog: [],
          roles: [],
        },
      },
      201,
    );
  });
  app.all('/v3/auth/tokens', () => {
    throw new EmulatorApiError(405, 'DCS.5001', 'This request method is not allowed.');
  });
}
