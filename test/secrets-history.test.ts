/**
 * Nothing leaked: a migration runs on a real Temporal dev server and the DCS emulator with Redis passwords and
 * AK/SK set and the encryption codec on, then the RAW history (the bytes the Temporal server stores) and every
 * line the worker logged are searched for the secrets and for the plaintext input. A failing migration checks
 * that failure messages are stored encrypted too. The decoded history (a client with the codec) still shows it all.
 */
import { Writable } from 'node:stream';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter, type DataConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver } from '../activities/index.js';
import { parseMigrationInput } from '../common/migration-input.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE, type MigrationResult } from '../common/workflow-contract.js';
import { generateKeyRing } from '../codec/codec-keys.js';
import { dataConverterFor } from '../codec/data-converter.js';
import { EncryptionCodec, ENCRYPTED_ENCODING } from '../codec/encryption-codec.js';
import { seedSampleData } from '../local/sample-data.js';
import { createMigrationWorker } from '../worker/create-worker.js';
import { createJsonLogger } from '../worker/logger.js';
import {
  onlineInput,
  PASSWORD_ENV,
  SOURCE_PASSWORD,
  startMigrationTestEnv,
  TARGET_PASSWORD,
  type MigrationTestEnv,
} from './workflow-env.js';

// Every line the worker logs (SDK, Core, workflows, activities), through the production JSON logger at DEBUG.
const logLines: string[] = [];
Runtime.install({
  logger: createJsonLogger(
    'debug',
    new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }),
  ),
});

const ring = generateKeyRing('test-key');
const dataConverter: DataConverter = dataConverterFor(ring);
const codec = new EncryptionCodec(ring);
const MISSING_TARGET = 'no-such-instance-5e1b';

describe('secrets never reach the Temporal server or the logs', () => {
  let env: MigrationTestEnv;
  let client: Client;
  let stopWorker: () => Promise<void>;
  beforeAll(async () => {
    env = await startMigrationTestEnv();
    client = new Client({
      connection: env.temporal.env.connection,
      namespace: env.temporal.server.namespace,
      dataConverter,
    });
    const worker = await createMigrationWorker({
      connection: env.temporal.env.nativeConnection,
      namespace: env.temporal.server.namespace,
      taskQueue: env.taskQueue,
      dcs: env.dcs,
      secrets: createSecretResolver({ env: PASSWORD_ENV }),
      backoff: { initialMs: 100, factor: 2, maxMs: 1_000 },
      shutdownGraceTime: '1s',
      dataConverter,
    });
    const running = worker.run();
    stopWorker = async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    };
  });
  afterAll(async () => {
    await stopWorker?.();
    await env?.teardown();
  });

  async function rawHistory(workflowId: string): Promise<proto.temporal.api.history.v1.IHistory> {
    const response = await client.workflowService.getWorkflowExecutionHistory({
      namespace: env.temporal.server.namespace,
      execution: { workflowId },
    });
    return response.history ?? {};
  }
  function secrets(): Record<string, string> {
    return { SOURCE_PASSWORD, TARGET_PASSWORD, AK: env.emu.credentials.ak, SK: env.emu.credentials.sk };
  }
  function expectAbsent(haystack: string, needles: Record<string, string>, where: string): void {
    for (const [name, needle] of Object.entries(needles))
      expect(haystack.includes(needle), `${name} found in ${where}`).toBe(false);
  }

  it('a migration from a self-hosted source address: raw history and logs hold no secret and no plaintext input', async () => {
    const source = env.emu.instance('source').endpoint;
    const sourceAddress = `${source.host}:${source.port}`;
    await seedSampleData(source, { keys: 300, seed: 5 });
    const input = onlineInput('full', { source: { addrs: sourceAddress, password: { env: 'SOURCE_REDIS_PASSWORD' } } });
    const handle = await client.workflow.start(
      MIGRATION_WORKFLOW_TYPE,
      buildMigrationStartOptions({
        input: parseMigrationInput(input),
        workflowId: 'secrets-online-full',
        taskQueue: env.taskQueue,
      }),
    );
    const result = (await handle.result()) as MigrationResult;
    expect(result).toMatchObject({ outcome: 'succeeded', remoteStatus: 'SUCCESS' });

    const history = await rawHistory(handle.workflowId);
    const bytes = Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
    // Sanity: the search is over the real, complete history (the remote task id is a search attribute, which
    // Temporal stores in clear for visibility; the events are there).
    expect(bytes).toContain(result.taskId);
    expect(history.events?.length).toBeGreaterThan(10);
    expectAbsent(
      bytes,
      { ...secrets(), sourceAddress, passwordEnvName: 'SOURCE_REDIS_PASSWORD', vpc: 'vpc-test' },
      'the raw history',
    );

    // Every payload of the history is ciphertext under the test key.
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const [inputPayload] = (started?.input?.payloads ?? []) as Payload[];
    expect(Buffer.from(inputPayload?.metadata?.['encoding'] ?? []).toString()).toBe(ENCRYPTED_ENCODING);

    // Decoded with the codec, the history still shows the input, as the UI does through the codec server.
    const [decoded] = await codec.decode([inputPayload as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toMatchObject({ source: { addrs: sourceAddress } });

    const logs = logLines.join('');
    expect(logLines.length).toBeGreaterThan(0);
    expectAbsent(logs, secrets(), 'the worker logs');
  });

  it('a failing migration: the failure message is stored encrypted, and a client with the codec reads it', async () => {
    const input = onlineInput('full', {
      target: { instanceId: MISSING_TARGET, password: { env: 'TARGET_REDIS_PASSWORD' } },
    });
    const handle = await client.workflow.start(
      MIGRATION_WORKFLOW_TYPE,
      buildMigrationStartOptions({
        input: parseMigrationInput(input),
        workflowId: 'secrets-missing-target',
        taskQueue: env.taskQueue,
      }),
    );
    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const decodedMessages = chainOf(failure).join('\n');

    const history = await rawHistory(handle.workflowId);
    const failedEvent = history.events?.find((event) => event.workflowExecutionFailedEventAttributes);
    const storedFailure = failedEvent?.workflowExecutionFailedEventAttributes?.failure;
    expect(storedFailure?.message).toBe('Encoded failure');
    expect(Buffer.from(storedFailure?.encodedAttributes?.metadata?.['encoding'] ?? []).toString()).toBe(
      ENCRYPTED_ENCODING,
    );
    const bytes = Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
    expectAbsent(bytes, { ...secrets(), MISSING_TARGET }, 'the raw history of the failed run');
    // The decoded failure is what the operator reads: not "Encoded failure", but the real reason (here the
    // pre-flight check that found the target missing, before anything was created).
    expect(decodedMessages).toMatch(
      /target-exists \(DCS has no instance no-such-instance-5e1b \(.*DCS\.3022: This DCS instance does not exist/,
    );
    expect(decodedMessages).not.toMatch(/^Encoded failure$/m);
    expectAbsent(logLines.join(''), secrets(), 'the worker logs');
  });
});

/** Messages of an error and its causes, outermost first. */
function chainOf(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 6; depth += 1) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages;
}
