/**
 * The local stack (`dcs-migrate up`) encrypts payloads like production and still lets the Temporal UI show them:
 * the dev server's UI is configured with the stack's codec server, which answers the UI's origin and decodes
 * what the stack's client wrote; the session key the CLI needs is in a 0600 file removed on stop.
 */
import { Writable } from 'node:stream';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCodecKeyRing } from '../codec/codec-keys.js';
import { createStackLog } from '../stack/stack-log.js';
import { startLocalStack, type LocalStack } from '../stack/start-stack.js';

describe('local stack with payload encryption', () => {
  let stack: LocalStack | undefined;
  let logDir: string;
  let output = '';
  beforeAll(async () => {
    logDir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-secrets-stack-'));
    const host = '127.0.0.1';
    const log = createStackLog(
      new Writable({ write: (chunk: Buffer, _encoding, done) => ((output += chunk.toString()), done()) }),
    );
    const env = {
      DCS_MIGRATE_CODEC_KEYS: process.env['DCS_MIGRATE_CODEC_KEYS'],
      DCS_MIGRATE_CODEC_KEY_FILE: process.env['DCS_MIGRATE_CODEC_KEY_FILE'],
    };
    // The session key is generated only when none is configured: make sure none is.
    delete process.env['DCS_MIGRATE_CODEC_KEYS'];
    delete process.env['DCS_MIGRATE_CODEC_KEY_FILE'];
    try {
      stack = await startLocalStack(
        {
          keys: 100,
          port: await getPort({ host }),
          uiPort: await getPort({ host }),
          logDir,
          timings: { creatingMs: 200, terminatingMs: 200 },
        },
        log,
      );
    } finally {
      for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
    }
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(logDir, { recursive: true, force: true });
  });

  it('the UI is configured with the codec server, which answers the UI origin and decodes what the stack wrote', async () => {
    if (!stack) throw new Error(`the stack did not start:\n${output}`);
    const settings = (await (await fetch(`${stack.uiUrl}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
    };
    expect(settings.Codec?.Endpoint).toBe(stack.codecUrl);

    const preflight = await fetch(`${stack.codecUrl}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: stack.uiUrl,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(stack.uiUrl);

    // A workflow started through the stack's client: its stored input is ciphertext the codec server decodes.
    const handle = await stack.client.workflow.start('not-registered-workflow', {
      taskQueue: 'secrets-stack-probe',
      workflowId: `probe-${Date.now()}`,
      args: [{ probe: 'visible in the UI' }],
    });
    try {
      const { history } = await stack.client.workflowService.getWorkflowExecutionHistory({
        namespace: stack.temporal.namespace,
        execution: { workflowId: handle.workflowId },
      });
      const stored = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] as Payload;
      expect(Buffer.from(stored.metadata?.['encoding'] ?? []).toString()).toBe('binary/encrypted');
      expect(Buffer.from(stored.data ?? []).toString('latin1')).not.toContain('visible in the UI');
      const response = await fetch(`${stack.codecUrl}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: stack.uiUrl, 'X-Namespace': stack.temporal.namespace },
        body: JSON.stringify({
          payloads: [
            {
              metadata: Object.fromEntries(
                Object.entries(stored.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
              ),
              data: Buffer.from(stored.data ?? []).toString('base64'),
            },
          ],
        }),
      });
      const body = (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
      const decoded = body.payloads[0];
      const payload: Payload = {
        metadata: Object.fromEntries(
          Object.entries(decoded?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
        ),
        data: Buffer.from(decoded?.data ?? '', 'base64'),
      };
      expect(defaultPayloadConverter.fromPayload(payload)).toEqual({ probe: 'visible in the UI' });
    } finally {
      await handle.terminate('probe done');
    }
  });

  it('keeps the session key in a 0600 file for the CLI, and removes it on stop', async () => {
    if (!stack) throw new Error(`the stack did not start:\n${output}`);
    const keyFile = stack.codecKeyFile;
    expect(keyFile).toBe(path.join(logDir, `codec-keys-${stack.temporal.port}`));
    expect((await stat(keyFile ?? '')).mode & 0o777).toBe(0o600);
    expect(loadCodecKeyRing({ DCS_MIGRATE_CODEC_KEY_FILE: keyFile })?.keys.size).toBe(1);
    expect(output).not.toContain(
      loadCodecKeyRing({ DCS_MIGRATE_CODEC_KEY_FILE: keyFile })?.keys.values().next().value?.toString('base64') ?? '',
    );
    await stack.stop();
    stack = undefined;
    await expect(stat(keyFile ?? '')).rejects.toThrow(/ENOENT/);
  });
});
