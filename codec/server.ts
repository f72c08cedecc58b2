/**
 * The codec server the Temporal Web UI calls to show encrypted payloads decoded: `POST /decode` and
 * `POST /encode` over `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }` (the protobuf JSON the UI sends),
 * answered in the same shape. The browser calls it directly, so it answers CORS for the UI's origins only; with a
 * token configured every call must carry `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP, type AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';
import { PayloadDecryptionError } from './encryption-codec.js';

export { CODEC_CORS_ORIGINS_VAR, CODEC_TOKEN_VAR } from './codec-env.js';
/** The dev server's UI and the docker-compose UI, on localhost and loopback. */
export const DEFAULT_UI_ORIGINS = [
  'http://localhost:8233',
  'http://127.0.0.1:8233',
  'http://localhost:8080',
  'http://127.0.0.1:8080',
];

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins of the Temporal UI allowed to call from a browser; `DEFAULT_UI_ORIGINS` when omitted. */
  corsOrigins?: string[];
  /** Bearer token every call must carry; no auth when omitted or empty. */
  token?: string | undefined;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
// Protobuf JSON omits an empty repeated field, so a request with no payloads (the Temporal CLI sends one for a
// query without input) arrives as `{}` or with no body at all: that is zero payloads, not a bad request.
const bodySchema = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).optional(),
        data: base64.optional(),
      }),
    )
    .nullish(),
});

/** The codec server's routes (no network): mount it, or call `app.request(...)`. */
export function createCodecApp(options: CodecServerOptions): Hono {
  const app = new Hono();
  app.use(
    '*',
    cors({
      origin: options.corsOrigins ?? DEFAULT_UI_ORIGINS,
      allowMethods: ['POST', 'OPTIONS'],
      // The UI sends its namespace and, when configured, the user's access token.
      allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
      credentials: true,
      maxAge: 600,
    }),
  );
  const token = options.token ? Buffer.from(options.token, 'utf8') : undefined;
  app.use('*', async (c, next) => {
    // Preflights carry no credentials by design; the cors middleware has answered them already.
    if (token && c.req.method !== 'OPTIONS' && !bearerMatches(c.req.header('Authorization'), token)) {
      return c.json({ error: 'missing or invalid bearer token' }, 401, { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  });
  app.post('/encode', (c) => transcode(c, (payloads) => options.codec.encode(payloads)));
  app.post('/decode', (c) => transcode(c, (payloads) => options.codec.decode(payloads)));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path} (POST /encode or /decode)` }, 404));
  return app;
}

async function transcode(c: Context, run: (payloads: Payload[]) => Promise<Payload[]>): Promise<Response> {
  let raw: unknown;
  try {
    const text = await c.req.text();
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return c.json({ error: 'the body is not JSON' }, 400);
  }
  const parsed = bodySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return c.json({ error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` }, 400);
  }
  const payloads: Payload[] = (parsed.data.payloads ?? []).map((payload) => ({
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data ?? '', 'base64'),
  }));
  let result: Payload[];
  try {
    result = await run(payloads);
  } catch (error) {
    // Decryption errors name a key id at most; anything else is not echoed.
    if (error instanceof PayloadDecryptionError) return c.json({ error: error.message }, 422);
    return c.json({ error: 'the codec failed' }, 500);
  }
  return c.json({
    payloads: result.map((payload) => ({
      metadata: Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
      ),
      data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
    })),
  });
}

function bearerMatches(header: string | undefined, token: Buffer): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].trim(), 'utf8');
  return given.length === token.length && timingSafeEqual(given, token);
}

export interface RunningCodecServer {
  /** e.g. `http://127.0.0.1:41234`: what `--ui-codec-endpoint` / `TEMPORAL_CODEC_ENDPOINT` point at. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** True for an address only this machine can reach: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return isIP(bare) === 6 && /^(0*:)*:?0*1$/.test(bare);
}

/** Thrown before listening: a codec server anyone on the network can reach, with no token, decrypts for anyone. */
export class UnprotectedCodecServerError extends Error {
  override name = 'UnprotectedCodecServerError';
}

export interface ListenOptions {
  host?: string;
  port?: number;
  /**
   * Listen on a non-loopback address without a token. For a container, which must listen on 0.0.0.0 inside its
   * network, when what is outside is restricted otherwise (docker-compose.yml publishes the port on 127.0.0.1).
   */
  insecureAllowNoToken?: boolean;
}

/** Serves `createCodecApp(options)` on `host:port` (a free port when omitted). */
export async function startCodecServer(options: CodecServerOptions & ListenOptions): Promise<RunningCodecServer> {
  const host = options.host ?? '127.0.0.1';
  if (!options.token && !options.insecureAllowNoToken && !isLoopbackHost(host)) {
    throw new UnprotectedCodecServerError(
      `${host} is not a loopback address and no token is set: anyone who reaches it could decrypt every payload`,
    );
  }
  const app = createCodecApp(options);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(created));
    created.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
