/**
 * Traces and notifications end to end, on one stack (real Temporal dev server, emulator over real redis-servers)
 * and one worker from the production factory, tracing into memory and over OTLP/HTTP at once:
 *
 * - one migration is one trace: the workflow run over its activities over their DCS HTTP requests (each with the
 *   DCS request id), with no secret in any attribute, event or status;
 * - the same spans reach a local OTLP receiver (`/v1/traces`), the endpoint derived as from the standard
 *   environment variables;
 * - a migration's phase changes reach a local webhook receiver in order (a 500 retried; a 404 becomes a status
 *   warning and the migration still succeeds), with no secret (passwords, the token in the webhook URL) in a
 *   payload, the status or the history.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationPayload } from '../activities/notify.js';
import { parseMigrationInput } from '../common/migration-input.js';
import { statusQuery } from '../common/workflow-contract.js';
import { DCS_SPAN_ATTRIBUTES } from '../dcs/request/trace.js';
import { waitFor } from '../local/wait.js';
import { otlpTracesEndpoint } from '../worker/tracing-endpoint.js';
import { otlpSpanProcessor, startTracing, type WorkerTracing } from '../worker/tracing.js';
import { startHttpReceiver, type HttpReceiver } from '../common/testing/http-receiver.js';
import { onlineInput, passwordEnv, startTestStack, type TestStack } from './harness/stack.js';
import { saveHistory } from './workflow-env.js';

const FAST_POLLING = { initialInterval: 100, maxInterval: 400, backoffFactor: 1.5 };
const TOKEN = 'T0SECRET/B0HOOK/xoxb-notify-token-4e1d';

let stack: TestStack;
let receiver: HttpReceiver;
let tracing: WorkerTracing;
const exporter = new InMemorySpanExporter();
beforeAll(async () => {
  // Webhooks: the first JSON event is answered 500 once; `/gone` always 404 (a revoked Slack URL). OTLP: 200.
  receiver = await startHttpReceiver((request, earlier) => {
    if (request.path.startsWith('/gone')) return 404;
    return request.path.startsWith('/json') && !earlier.some((before) => before.path.startsWith('/json')) ? 500 : 200;
  });
  stack = await startTestStack({ name: 'telemetry', sourceKeys: 200 });
  const endpoint = otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/` });
  tracing = startTracing([new SimpleSpanProcessor(exporter), otlpSpanProcessor(endpoint!)], {
    serviceName: 'traces-test-worker',
  });
  await stack.startWorker({
    tracing,
    env: {
      ...passwordEnv(stack.pair),
      JSON_HOOK: `${receiver.url}/json/${TOKEN}`,
      SLACK_HOOK: `${receiver.url}/slack/${TOKEN}`,
      GONE_HOOK: `${receiver.url}/gone/${TOKEN}`,
      CANCEL_HOOK: `${receiver.url}/cancel/${TOKEN}`,
    },
  });
});
afterAll(async () => {
  await stack?.teardown();
  await tracing?.shutdown();
  await receiver?.close();
});

function secrets(): string[] {
  return [
    TOKEN,
    'xoxb-notify-token',
    stack.pair.source.password,
    stack.pair.target.password,
    stack.emu.credentials.ak,
    stack.emu.credentials.sk,
  ];
}

describe('traces, in memory', () => {
  it('workflow span → activity spans → DCS request spans with the request id, in one trace, no secret anywhere', async () => {
    const handle = await stack.start(onlineInput('full', { polling: FAST_POLLING }));
    await handle.result();
    // Workflow spans reach the processor through a sink, after the activation that ended them.
    const run = await waitFor(
      'the workflow span',
      () => exporter.getFinishedSpans().find((span) => span.name === 'RunWorkflow:dcsMigration'),
      10_000,
    );

    const spans = exporter
      .getFinishedSpans()
      .filter((span) => span.spanContext().traceId === run.spanContext().traceId);
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const parentOf = (span: ReadableSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);

    const creates = spans.filter((span) => span.name === 'DCS CreateOnlineMigrationTask');
    expect(creates).toHaveLength(1);
    const create = creates[0]!;
    expect(create.attributes).toMatchObject({
      [DCS_SPAN_ATTRIBUTES.operation]: 'CreateOnlineMigrationTask',
      [DCS_SPAN_ATTRIBUTES.method]: 'POST',
      [DCS_SPAN_ATTRIBUTES.statusCode]: 200,
    });
    expect(create.attributes[DCS_SPAN_ATTRIBUTES.requestId]).toEqual(expect.any(String));
    const runActivity = parentOf(create);
    expect(runActivity?.name).toBe('RunActivity:createOnlineTask');
    const startActivity = parentOf(runActivity!);
    expect(startActivity?.name).toBe('StartActivity:createOnlineTask');
    expect(parentOf(startActivity!)).toBe(run);

    // Every DCS request of the migration is in the trace, each under its activity.
    const dcsSpans = spans.filter((span) => span.name.startsWith('DCS '));
    expect(dcsSpans.map((span) => span.name)).toEqual(
      expect.arrayContaining(['DCS SetOnlineMigrationTask', 'DCS ListMigrationTask']),
    );
    for (const span of dcsSpans) {
      expect(parentOf(span)?.name).toMatch(/^RunActivity:/);
      expect(span.attributes[DCS_SPAN_ATTRIBUTES.requestId]).toEqual(expect.any(String));
    }

    const everything = JSON.stringify(
      spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })),
    );
    for (const secret of secrets()) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/SDK-HMAC-SHA256|Signature=/);
  });
});

describe('notifications', () => {
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
    await saveHistory(stack, handle, 'online-full-notify');

    const json = receiver.requests.filter((request) => request.path.startsWith('/json'));
    const events = json.map((request) => JSON.parse(request.body.toString()) as NotificationPayload);
    // The first event twice (500, then its retry), then each change once, each starting where the last one ended.
    expect(events[1]).toEqual(events[0]);
    const delivered = events.slice(1);
    expect(delivered[0]).toMatchObject({
      source: 'dcs-migrate',
      migration: handle.workflowId,
      event: 'phase',
      from: 'validating',
      phase: 'prechecking',
    });
    for (let i = 1; i < delivered.length; i++) expect(delivered[i]?.from).toBe(delivered[i - 1]?.phase);
    expect(delivered.map((event) => event.phase)).toEqual(
      expect.arrayContaining(['creating', 'provisioning', 'configuring', 'migrating']),
    );
    expect(delivered.at(-1)).toMatchObject({
      event: 'succeeded',
      phase: 'succeeded',
      taskId: result.taskId,
      remoteStatus: 'SUCCESS',
    });
    expect(json[0]?.headers['content-type']).toBe('application/json');

    const slack = receiver.requests.filter((request) => request.path.startsWith('/slack'));
    expect(slack).toHaveLength(1);
    expect(JSON.parse(slack[0]!.body.toString())).toEqual({
      text: expect.stringMatching(new RegExp(`migration ${handle.workflowId} .*is succeeded`)),
    });

    // The refusal (404) is not retried; the migration succeeded and says what went wrong.
    expect(receiver.requests.filter((request) => request.path.startsWith('/gone'))).toHaveLength(1);
    const status = await handle.query(statusQuery);
    expect(status.warnings).toEqual([
      expect.objectContaining({
        field: 'notify.webhooks[2]',
        message: expect.stringContaining('succeeded not delivered: notify.webhooks[2]: webhook answered HTTP 404'),
      }),
    ]);

    // The whole stored history, payloads and all, as bytes; sanity: the env names and the task id are in it.
    const history = Buffer.from(
      proto.temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish(),
    ).toString('latin1');
    expect(history).toContain('JSON_HOOK');
    expect(history).toContain(result.taskId);
    for (const secret of secrets()) {
      for (const request of receiver.requests) expect(request.body.toString()).not.toContain(secret);
      expect(history).not.toContain(secret);
      expect(JSON.stringify(status)).not.toContain(secret);
    }
  });

  it('a migration cancelled through Temporal still sends its cancelled event, after the remote task is stopped', async () => {
    const handle = await stack.start(
      onlineInput('incremental', {
        polling: FAST_POLLING,
        notify: { webhooks: [{ url: { env: 'CANCEL_HOOK' }, events: ['in-sync', 'cancelled'] }] },
      }),
    );
    const inSync = () =>
      receiver.requests.some(
        (request) => request.path.startsWith('/cancel') && request.body.toString().includes('"in-sync"'),
      );
    await waitFor('the in-sync event', inSync, 30_000);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const events = receiver.requests
      .filter((request) => request.path.startsWith('/cancel'))
      .map((request) => JSON.parse(request.body.toString()) as NotificationPayload);
    expect(events.map((event) => event.event)).toEqual(['in-sync', 'cancelled']);
    expect(events[1]).toMatchObject({ phase: 'cancelled', remoteStatus: 'TERMINATED' });
  });
});

describe('OTLP export', () => {
  it('the same spans reach the OTLP/HTTP receiver, with the service name and without secrets', async () => {
    await tracing.spanProcessor.forceFlush();
    const exports = receiver.requests.filter((request) => request.method === 'POST' && request.path === '/v1/traces');
    expect(exports.length).toBeGreaterThan(0);
    expect(exports[0]?.headers['content-type']).toMatch(/^application\/json/);
    const bodies = exports.map((request) => request.body.toString());
    const names = bodies.flatMap((body) => [...body.matchAll(/"name":"([^"]+)"/g)].map((match) => match[1]));
    expect(names).toEqual(
      expect.arrayContaining([
        'RunWorkflow:dcsMigration',
        'RunActivity:createOnlineTask',
        'DCS CreateOnlineMigrationTask',
        'RunActivity:sendNotification',
      ]),
    );
    expect(bodies.join('')).toContain('traces-test-worker');
    for (const secret of secrets()) for (const body of bodies) expect(body).not.toContain(secret);
  });

  it('the endpoint comes from the standard variables, and none (or an explicit off) means no tracing', () => {
    expect(otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      otlpTracesEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces',
      }),
    ).toBe('http://b:4318/traces');
    expect(otlpTracesEndpoint({})).toBeUndefined();
    expect(
      otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_TRACES_EXPORTER: 'none' }),
    ).toBeUndefined();
    expect(
      otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBeUndefined();
  });
});

describe('notify input', () => {
  it('a webhook URL written in the file is refused, and so is an unknown event, each naming the field', () => {
    expect(() =>
      parseMigrationInput(onlineInput('full', { notify: { webhooks: [{ url: `${receiver.url}/json/${TOKEN}` }] } })),
    ).toThrow(/notify\.webhooks\.0\.url: a webhook URL is given as a reference, \{ env: NAME \} or \{ file: PATH \}/);
    expect(() =>
      parseMigrationInput(onlineInput('full', { notify: { webhooks: [{ url: { env: 'HOOK' }, events: ['done'] }] } })),
    ).toThrow(/notify\.webhooks\.0\.events\.0: /);
  });
});
