/**
 * The notification activity on its own (no Temporal server: the SDK's mock activity environment), against a local
 * receiver: what each kind of answer becomes for the retry policy, and that no message names the URL, whose path
 * holds the webhook's token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../common/testing/http-receiver.js';
import { createNotifyActivities, type NotificationRequest } from './notify.js';
import { createSecretResolver } from './secrets.js';

const TOKEN = 'T0/B0/notify-unit-token-77aa';
const change: NotificationRequest['change'] = {
  event: 'failed',
  phase: 'failed',
  from: 'migrating',
  at: '2026-12-02T00:00:00.000Z',
  taskName: 'dcsm-x',
  error: { type: 'RemoteTaskFailed', message: 'task FAILED' },
};

describe('sendNotification', () => {
  let receiver: HttpReceiver;
  let dir: string;
  beforeAll(async () => {
    receiver = await startHttpReceiver((request) => Number(/^\/(\d{3})\//.exec(request.path)?.[1] ?? 200));
    dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-notify-'));
  });
  afterAll(async () => {
    await receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function send(url: string, format: 'json' | 'slack' = 'json'): Promise<unknown> {
    const { sendNotification } = createNotifyActivities(createSecretResolver({ env: { HOOK: url } }));
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'wf-notify', runId: 'r' } });
    return env
      .run(sendNotification, { field: 'notify.webhooks[0]', webhook: { url: { env: 'HOOK' }, format }, change })
      .catch((error: unknown) => error);
  }

  it('posts the change as JSON, or as Slack text', async () => {
    expect(await send(`${receiver.url}/200/${TOKEN}`)).toEqual({ attempts: 1 });
    expect(JSON.parse(receiver.requests.at(-1)!.body.toString())).toEqual({
      source: 'dcs-migrate',
      migration: 'wf-notify',
      ...change,
    });
    await send(`${receiver.url}/200/${TOKEN}`, 'slack');
    expect(JSON.parse(receiver.requests.at(-1)!.body.toString())).toEqual({
      text: 'dcs-migrate: migration wf-notify (task dcsm-x) is failed (was migrating): RemoteTaskFailed: task FAILED',
    });
  });

  it('5xx, 429 and no answer are retried; another 4xx and a value that is no URL are not; no message names the URL', async () => {
    const closed = await startHttpReceiver();
    await closed.close();
    await writeFile(path.join(dir, 'not-a-url'), 'hooks.slack.com/services/T0/B0/xyz\n');
    const fromFile = createNotifyActivities(createSecretResolver({ env: {} })).sendNotification;
    const cases: Array<[unknown, string, boolean]> = [
      [await send(`${receiver.url}/503/${TOKEN}`), 'WebhookFailed', false],
      [await send(`${receiver.url}/429/${TOKEN}`), 'WebhookFailed', false],
      [await send(`${closed.url}/${TOKEN}`), 'WebhookUnreachable', false],
      [await send(`${receiver.url}/404/${TOKEN}`), 'WebhookRejected', true],
      [
        await new MockActivityEnvironment()
          .run(fromFile, {
            field: 'notify.webhooks[1]',
            webhook: { url: { file: path.join(dir, 'not-a-url') }, format: 'json' as const },
            change,
          })
          .catch((error: unknown) => error),
        'SecretUnavailable',
        true,
      ],
    ];
    for (const [error, type, nonRetryable] of cases) {
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ type, nonRetryable });
      expect((error as Error).message).toMatch(/^notify\.webhooks\[\d\]/);
      expect((error as Error).message).not.toContain(TOKEN);
      expect((error as Error).message).not.toContain('xyz');
    }
    expect((cases[0]![0] as Error).message).toBe('notify.webhooks[0]: webhook answered HTTP 503');
    expect((cases[2]![0] as Error).message).toBe('notify.webhooks[0]: webhook unreachable (ECONNREFUSED)');
  });
});
