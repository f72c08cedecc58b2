/**
 * The codec server the Temporal UI calls, over real HTTP: it decodes what the worker's codec encoded, refuses
 * calls without the bearer token, answers CORS preflights for the UI's origin only, and names what is wrong with
 * a bad request. `dcs-migrate codec-server` serves it as a command.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, runCli } from '../client/testing/run-cli.js';
import { parseKeyRing } from '../codec/codec-keys.js';
import { EncryptionCodec } from '../codec/encryption-codec.js';
import {
  isLoopbackHost,
  startCodecServer,
  UnprotectedCodecServerError,
  type RunningCodecServer,
} from '../codec/server.js';
import { startProcess } from '../local/processes.js';
import { projectRoot } from '../local/tools.js';
import { portAcceptsConnections, waitFor } from '../local/wait.js';
import { useTempDir } from './harness/temp-dir.js';

const KEY = randomBytes(32).toString('base64');
const TOKEN = 'codec-token-3f9e1c';
const UI_ORIGIN = 'http://127.0.0.1:8233';
const codec = new EncryptionCodec(parseKeyRing(`k1:${KEY}`, undefined));

/** A payload as the UI sends it: protobuf JSON, bytes in base64. */
function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}
function fromJson(json: { metadata: Record<string, string>; data: string }): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(json.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(json.data, 'base64'),
  };
}

describe('codec server over HTTP', () => {
  let server: RunningCodecServer;
  beforeAll(async () => {
    server = await startCodecServer({ codec, token: TOKEN, corsOrigins: [UI_ORIGIN] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  function post(
    route: string,
    body: unknown,
    headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` },
  ): Promise<Response> {
    return fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI_ORIGIN, ...headers },
      body: JSON.stringify(body),
    });
  }

  it('POST /decode returns what the worker codec encrypted, in the JSON the UI reads', async () => {
    const value = { source: { addrs: '10.1.2.3:6379' }, method: 'incremental' };
    const encoded = await codec.encode([
      defaultPayloadConverter.toPayload(value),
      defaultPayloadConverter.toPayload('second'),
    ]);
    const response = await post('/decode', { payloads: encoded.map(toJson) });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const body = (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(body.payloads).toHaveLength(2);
    expect(Buffer.from(body.payloads[0]?.metadata['encoding'] ?? '', 'base64').toString()).toBe('json/plain');
    expect(body.payloads.map((payload) => defaultPayloadConverter.fromPayload(fromJson(payload)))).toEqual([
      value,
      'second',
    ]);
  });

  it('POST /encode produces payloads the codec decodes (and pass-through of plain payloads on /decode)', async () => {
    const plain = defaultPayloadConverter.toPayload({ note: 'from the UI' });
    const response = await post('/encode', { payloads: [toJson(plain)] });
    const body = (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    const [encrypted] = body.payloads.map(fromJson);
    expect(Buffer.from(encrypted?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('k1');
    const [decoded] = await codec.decode([encrypted as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual({ note: 'from the UI' });

    const passed = (await (await post('/decode', { payloads: [toJson(plain)] })).json()) as {
      payloads: Array<{ metadata: Record<string, string>; data: string }>;
    };
    expect(passed.payloads[0]).toEqual(toJson(plain));
  });

  it('refuses a call without the bearer token, or with another one, and never echoes it', async () => {
    const encoded = await codec.encode([defaultPayloadConverter.toPayload('secret value')]);
    for (const headers of [{}, { Authorization: 'Bearer wrong-token' }, { Authorization: TOKEN }] as Array<
      Record<string, string>
    >) {
      const response = await post('/decode', { payloads: encoded.map(toJson) }, headers);
      expect(response.status).toBe(401);
      const text = await response.text();
      expect(text).toContain('missing or invalid bearer token');
      expect(text).not.toContain('secret value');
      expect(text).not.toContain(TOKEN);
    }
  });

  it('answers the CORS preflight for the UI origin (no token needed) and not for another origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
        },
      });
    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');

    const other = await preflight('http://evil.example:8233');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a request without payloads (no body, {}, null: the Temporal CLI sends these) with no payloads', async () => {
    for (const route of ['/decode', '/encode']) {
      for (const body of [undefined, '', '{}', '{"payloads":null}', '{"payloads":[]}']) {
        const response = await fetch(`${server.url}${route}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
          ...(body === undefined ? {} : { body }),
        });
        expect(response.status, `${route} ${String(body)}`).toBe(200);
        expect(await response.json()).toEqual({ payloads: [] });
      }
    }
  });

  it('a bad request names the field; an unknown key id is 422 naming the id', async () => {
    const notBase64 = await post('/decode', { payloads: [{ metadata: {}, data: 'not base64!' }] });
    expect(notBase64.status).toBe(400);
    expect(await notBase64.json()).toEqual({ error: 'payloads.0.data: must be base64' });
    const notArray = await post('/decode', { payloads: 'abc' });
    expect(notArray.status).toBe(400);
    expect(((await notArray.json()) as { error: string }).error).toMatch(/^payloads: /);

    const other = new EncryptionCodec(parseKeyRing(`old-key:${randomBytes(32).toString('base64')}`, undefined));
    const unknown = await post('/decode', {
      payloads: (await other.encode([defaultPayloadConverter.toPayload(1)])).map(toJson),
    });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: string }).error).toContain('key id "old-key", which is not configured');
  });
});

describe('dcs-migrate codec-server', () => {
  const dir = useTempDir('dcs-migrate-codec-server-');

  it('without keys: exit 2 naming the variables', async () => {
    const run = await runCli(['codec-server', '--port', '0'], {
      ...process.env,
      DCS_MIGRATE_CODEC_KEYS: '',
      DCS_MIGRATE_CODEC_KEY_FILE: '',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'no codec keys: set DCS_MIGRATE_CODEC_KEYS (id:base64key,…) or DCS_MIGRATE_CODEC_KEY_FILE',
    );
  });

  it('with a short key: exit 2 naming the variable and the key id, not the key', async () => {
    const short = randomBytes(8).toString('base64');
    const run = await runCli(['codec-server', '--port', '0'], {
      ...process.env,
      DCS_MIGRATE_CODEC_KEYS: `k1:${short}`,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DCS_MIGRATE_CODEC_KEYS: key "k1" must be 32 bytes (AES-256), got 8');
    expect(run.stdout + run.stderr).not.toContain(short);
  });

  it('refuses to listen on a non-loopback address without a token: exit 2 naming the variable and the opt-out, nothing listening', async () => {
    const port = await getPort({ host: '0.0.0.0' });
    const env = { ...process.env, DCS_MIGRATE_CODEC_KEYS: `k1:${KEY}`, DCS_MIGRATE_CODEC_TOKEN: '' };
    const run = await runCli(['codec-server', '--host', '0.0.0.0', '--port', String(port)], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--host 0.0.0.0: 0.0.0.0 is not a loopback address and no token is set');
    expect(run.stderr).toContain('Set DCS_MIGRATE_CODEC_TOKEN');
    expect(run.stderr).toContain('--insecure-allow-no-token');
    expect(run.stdout).not.toContain('listening');
    expect(await portAcceptsConnections(port)).toBe(false);
    // The library refuses too, before it binds, whoever calls it.
    await expect(startCodecServer({ codec, host: '0.0.0.0', port })).rejects.toThrow(UnprotectedCodecServerError);
    expect(await portAcceptsConnections(port)).toBe(false);
  });

  it('on a non-loopback address: serves with a token, or without one only by --insecure-allow-no-token', async () => {
    const withToken = await startCodecServer({ codec, host: '0.0.0.0', token: TOKEN });
    const optedOut = await startCodecServer({ codec, host: '0.0.0.0', insecureAllowNoToken: true });
    try {
      const call = (url: string, headers: Record<string, string> = {}) =>
        fetch(`${url}/decode`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: '{}',
        });
      expect((await call(withToken.url)).status).toBe(401);
      expect((await call(withToken.url, { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      expect((await call(optedOut.url)).status).toBe(200);
    } finally {
      await withToken.stop();
      await optedOut.stop();
    }
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '::ffff:10.0.0.5'])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('serves decode with the token from DCS_MIGRATE_CODEC_TOKEN, prints no key, stops on SIGTERM', async () => {
    const logFile = path.join(dir.path, 'codec-server.log');
    const proc = startProcess({
      name: 'dcs-migrate-codec-server',
      command: process.execPath,
      args: [CLI_BIN, 'codec-server', '--port', '0', '--cors-origin', UI_ORIGIN],
      cwd: projectRoot,
      env: { ...process.env, DCS_MIGRATE_CODEC_KEYS: `k1:${KEY}`, DCS_MIGRATE_CODEC_TOKEN: TOKEN },
      logFile,
    });
    try {
      let url = '';
      await waitFor(
        'the codec server to listen',
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`codec-server exited: ${await readFile(logFile, 'utf8')}`);
          url = /listening on (http:\/\/\S+)/.exec(await readFile(logFile, 'utf8').catch(() => ''))?.[1] ?? '';
          return url !== '';
        },
        30_000,
        100,
      );
      const encoded = await codec.encode([defaultPayloadConverter.toPayload({ hello: 'ui' })]);
      const response = await fetch(`${url}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ payloads: encoded.map(toJson) }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
      expect(
        defaultPayloadConverter.fromPayload(
          fromJson(body.payloads[0] as { metadata: Record<string, string>; data: string }),
        ),
      ).toEqual({ hello: 'ui' });

      await proc.stop(5_000);
      expect((await proc.exited).code).toBe(0);
      const output = await readFile(logFile, 'utf8');
      expect(output).toContain('keys: k1 (encoding with k1)');
      expect(output).toContain(`CORS origins: ${UI_ORIGIN}`);
      expect(output).not.toContain(KEY);
      expect(output).not.toContain(TOKEN);
    } finally {
      await proc.stop(2_000);
    }
  });
});
