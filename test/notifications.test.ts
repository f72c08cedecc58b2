/**
 * Notifications (input `notify`) end to end: a real worker, Temporal dev server and emulator, and a local webhook
 * receiver. The events of a short migration arrive in order, a 500 is retried, a webhook that refuses shows as a
 * warning without failing the migration, and neither the payloads nor the history hold a secret (passwords, the
 * token in the webhook URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMigrationInput } from '../common/migration-input.js';
import { statusQuery } from '../common/workflow-contract.js';
import type { NotificationPayload } from '../activities/notify.js';
import { onlineInput, passwordEnv, startTestStack, type TestStack } from './harness/stack.js';
import { startHttpReceiver, type HttpReceiver } from './harness/http-receiver.js';

const TOKEN = 'T0SECRET/B0HOOK/xoxb-notify-token-4e1d';
const FAST_POLLING = { initialInterval: 100, maxInterval: 400, backoffFactor: 1.5 };

describe('notifications', () => {
  let stack: TestStack;
  let receiver: HttpReceiver;
  beforeAll(async () => {
    // The first JSON event is answered 500 once; `/gone` always 404 (a revoked Slack URL).
    receiver = await startHttpReceiver((request, earlier) => {
      if (request.path.startsWith('/gone')) return 404;
      return request.path.startsWith('/json') && !earlier.some((before) => before.path.startsWith('/json')) ? 500 : 200;
    });
    stack = await startTestStack({ name: 'notify', sourceKeys: 200 });
    await stack.startWorker({
      env: {
        ...passwordEnv(stack.pair),
        JSON_HOOK: `${receiver.url}/json/${TOKEN}`,
        SLACK_HOOK: `${receiver.url}/slack/${TOKEN}`,
        GONE_HOOK: `${receiver.url}/gone/${TOKEN}`,
      },
    });
  });
  afterAll(async () => {
    await stack?.teardown();
    await receiver?.close();
  });

  it('a short migration: every phase change in order, a 500 retried, a refusing webhook a warning, no secret anywhere', async () => {
    const handle = await stack.start(
      onlineInput('full', {
        polling: FAST_POLLING,
        notify: {
          webhooks: [
            { url: { env: 'JSON_HOOK' } },
            { url: { env: 'SLACK_HOOK' }, format: 'slack', events: ['succeeded', 'failed'] },
            { url: { env: 'GONE_HOOK' }, events: ['succeeded'] },
          ],
        },
      }),
    );
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');

    const json = receiver.requests.filter((request) => request.path.startsWith('/json'));
    const events = json.map((request) => JSON.parse(request.body.toString()) as NotificationPayload);
    // The first event twice (500, then its retry), then each change once, each starting where the last one ended.
    expect(events[1]).toEqual(events[0]);
    const delivered = events.slice(1);
    expect(delivered[0]).toMatchObject({ source: 'dcs-migrate', migration: handle.workflowId, event: 'phase', from: 'validating', phase: 'creating' });
    for (let i = 1; i < delivered.length; i++) expect(delivered[i]?.from).toBe(delivered[i - 1]?.phase);
    expect(delivered.map((event) => event.phase)).toEqual(expect.arrayContaining(['provisioning', 'configuring', 'migrating']));
    expect(delivered.at(-1)).toMatchObject({ event: 'succeeded', phase: 'succeeded', taskId: result.taskId, remoteStatus: 'SUCCESS' });
    expect(json[0]?.headers['content-type']).toBe('application/json');

    const slack = receiver.requests.filter((request) => request.path.startsWith('/slack'));
    expect(slack).toHaveLength(1);
    expect(JSON.parse(slack[0]!.body.toString())).toEqual({ text: expect.stringMatching(new RegExp(`migration ${handle.workflowId} .*is succeeded`)) });

    // The refusal (404) is not retried; the migration succeeded and says what went wrong.
    expect(receiver.requests.filter((request) => request.path.startsWith('/gone'))).toHaveLength(1);
    const status = await handle.query(statusQuery);
    expect(status.warnings).toEqual([
      expect.objectContaining({ field: 'notify.webhooks[2]', message: expect.stringContaining('succeeded not delivered: notify.webhooks[2]: webhook answered HTTP 404') }),
    ]);

    const secrets = [TOKEN, 'xoxb-notify-token', stack.pair.source.password, stack.pair.target.password];
    const history = JSON.stringify(await handle.fetchHistory());
    for (const secret of secrets) {
      for (const request of receiver.requests) expect(request.body.toString()).not.toContain(secret);
      expect(history).not.toContain(secret);
      expect(JSON.stringify(status)).not.toContain(secret);
    }
  });

  it('a webhook URL written in the file is refused, and so is an unknown event, each naming the field', () => {
    expect(() => parseMigrationInput(onlineInput('full', { notify: { webhooks: [{ url: `${receiver.url}/json/${TOKEN}` }] } }))).toThrow(
      /notify\.webhooks\.0\.url: a webhook URL is given as a reference, \{ env: NAME \} or \{ file: PATH \}/,
    );
    expect(() => parseMigrationInput(onlineInput('full', { notify: { webhooks: [{ url: { env: 'HOOK' }, events: ['done'] }] } }))).toThrow(
      /notify\.webhooks\.0\.events\.0: /,
    );
  });
});
