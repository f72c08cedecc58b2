import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import getPort from 'get-port';
import { afterEach, describe, expect, it } from 'vitest';
import { DcsClient } from './client.js';
import { loadDcsConfig } from './config.js';
import { DcsAbortedError, DcsNetworkError, DcsTimeoutError, type DcsError } from './errors/index.js';
import { isRetryable } from './retry.js';
import { verifyRequestSignature } from './signing/index.js';

// These tests use real sockets: a real HTTP server on a free loopback port, or a port nobody listens on.
const AK = 'AK-TRANSPORT';
const SK = 'SK-TRANSPORT-secret';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function listen(
  handler: (request: IncomingMessage, body: string, respond: (status: number, body: unknown) => void) => void,
): Promise<string> {
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () =>
      handler(request, body, (status, payload) => {
        response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'real-rid' });
        response.end(JSON.stringify(payload));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function clientFor(endpoint: string, timeouts: { headersMs?: number; connectMs?: number } = {}) {
  const client = new DcsClient({
    config: loadDcsConfig(
      { DCS_ENDPOINT: endpoint, DCS_PROJECT_ID: 'proj', CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK },
      { timeouts },
    ),
  });
  cleanup.push(() => client.close());
  return client;
}

describe('over real sockets', () => {
  it('the Host header undici sends is the one that was signed', async () => {
    let verdict: unknown;
    const endpoint = await listen((request, body, respond) => {
      verdict = verifyRequestSignature(
        { method: request.method!, url: request.url!, headers: request.headers as Record<string, string>, body },
        { secretKeyFor: (ak) => (ak === AK ? SK : undefined) },
      );
      respond(200, { id: 't-1', name: 'n', status: 'FULLMIGRATING' });
    });
    await clientFor(endpoint).setOnlineMigrationTask('t:1', {
      migration_method: 'full_amount_migration',
      resume_mode: 'manual',
      source_instance: { addrs: '127.0.0.1:1' },
      target_instance: { id: 'x' },
    });
    expect(verdict).toEqual({ ok: true, accessKey: AK });
  });

  it('a refused connection is a retryable DcsNetworkError that names the operation', async () => {
    const port = await getPort();
    const error = (await clientFor(`http://127.0.0.1:${port}`)
      .showMigrationTask('t-1')
      .catch((e: unknown) => e)) as DcsError;
    expect(error).toBeInstanceOf(DcsNetworkError);
    expect(error.message).toContain('ShowMigrationTask');
    expect(error.message).toContain('ECONNREFUSED');
    expect(isRetryable(error)).toBe(true);
  });

  it('a server that never answers gives a retryable DcsTimeoutError after the headers timeout', async () => {
    const endpoint = await listen(() => undefined);
    const started = Date.now();
    const error = (await clientFor(endpoint, { headersMs: 300 })
      .showMigrationTask('t-1')
      .catch((e: unknown) => e)) as DcsError;
    expect(error).toBeInstanceOf(DcsTimeoutError);
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an aborted call is a DcsAbortedError, not retryable', async () => {
    const endpoint = await listen(() => undefined);
    const controller = new AbortController();
    const pending = clientFor(endpoint).showMigrationTask('t-1', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = (await pending.catch((e: unknown) => e)) as DcsError;
    expect(error).toBeInstanceOf(DcsAbortedError);
    expect(isRetryable(error)).toBe(false);
  });
});
