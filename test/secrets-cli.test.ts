/**
 * Payload encryption as an operator turns it on: `dcs-migrate worker` and `dcs-migrate start` / `status` in child
 * processes with DCS_MIGRATE_CODEC_KEYS set. The stored history is ciphertext (no password, AK/SK or input in
 * clear), the worker's log file holds no secret, the CLI still shows the migration, and a bad key setting exits 2.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { jsonOf, runCli, type CliWorker } from '../client/testing/run-cli.js';
import type { MigrationInputFile } from '../common/migration-input.js';
import { startTestStack, instancePair, type TestStack } from './harness/stack.js';

const SOURCE_PASSWORD = 'src-codec-Pa55-4d1e';
const TARGET_PASSWORD = 'tgt-codec-Pa55-8b2f';
const KEY = randomBytes(32).toString('base64');

const PAIR = instancePair(
  ['src', 'tgt'],
  [SOURCE_PASSWORD, TARGET_PASSWORD],
  ['CLI_TEST_SOURCE_PASSWORD', 'CLI_TEST_TARGET_PASSWORD'],
);

let stack: TestStack;
let worker: CliWorker;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startTestStack({
    name: 'secrets-cli',
    pair: PAIR,
    emulator: { timings: { creatingMs: 200, terminatingMs: 200 } },
    sourceKeys: 200,
  });
  env = stack.cliEnv({ DCS_MIGRATE_LOG_LEVEL: 'debug', DCS_MIGRATE_CODEC_KEYS: `ops-2026:${KEY}` });
  worker = await stack.startCliWorker(['--shutdown-grace', '5s'], env);
});

afterAll(async () => {
  await stack?.teardown();
});

describe('payload encryption through the CLI and the worker command', () => {
  it('start --wait and status work with the keys; the stored history and the worker log hold no secret', async () => {
    const sourceAddress = `${stack.emu.instance('src').endpoint.host}:${stack.emu.instance('src').endpoint.port}`;
    const input: MigrationInputFile = {
      kind: 'online',
      source: { addrs: sourceAddress, password: { env: 'CLI_TEST_SOURCE_PASSWORD' } },
      target: { instanceId: 'tgt', password: { env: 'CLI_TEST_TARGET_PASSWORD' } },
      network: { vpcId: 'vpc-1', subnetId: 'subnet-1', securityGroupId: 'sg-1' },
      method: 'full',
      polling: { initialInterval: '300ms', maxInterval: '600ms' },
    };
    const file = path.join(stack.dir, 'm.yaml');
    await writeFile(file, toYaml(input));
    const started = await runCli(['start', '--file', file, '--id', 'secrets-cli-full', '--wait'], env);
    expect(started.code, started.stdout + started.stderr).toBe(0);

    const status = jsonOf<{ workflowId: string; phase: string }>(
      await runCli(['status', 'secrets-cli-full', '--json'], env),
    );
    expect(status).toMatchObject({ workflowId: 'secrets-cli-full', phase: 'succeeded' });

    const { history } = await stack.temporal.client.workflowService.getWorkflowExecutionHistory({
      namespace: stack.temporal.server.namespace,
      execution: { workflowId: 'secrets-cli-full' },
    });
    const input0 = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(Buffer.from(input0?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('ops-2026');
    const raw = Buffer.from(proto.temporal.api.history.v1.History.encode(history ?? {}).finish()).toString('latin1');
    const secrets = {
      SOURCE_PASSWORD,
      TARGET_PASSWORD,
      AK: stack.emu.credentials.ak,
      SK: stack.emu.credentials.sk,
      KEY,
    };
    for (const [name, value] of Object.entries({ ...secrets, sourceAddress }))
      expect(raw.includes(value), `${name} in the raw history`).toBe(false);

    const log = await readFile(worker.logFile, 'utf8');
    expect((await worker.logLines()).find((line) => line.msg === 'worker started')).toMatchObject({
      payloadEncryption: 'on',
    });
    for (const [name, value] of Object.entries(secrets))
      expect(log.includes(value), `${name} in the worker log`).toBe(false);
    for (const [name, value] of Object.entries(secrets))
      expect((started.stdout + started.stderr).includes(value), `${name} in the CLI output`).toBe(false);
  });

  it('without the keys, the CLI says the data is encrypted and which variable to set', async () => {
    const { DCS_MIGRATE_CODEC_KEYS: _keys, ...withoutKeys } = env;
    const run = await runCli(['status', 'secrets-cli-full'], withoutKeys, 60_000);
    // status reports what it could not read as the run's failure line rather than failing as a whole.
    expect(run.stdout + run.stderr).toContain(
      `this workflow's data is encrypted (key id "ops-2026") and no codec keys are configured: set DCS_MIGRATE_CODEC_KEYS or DCS_MIGRATE_CODEC_KEY_FILE`,
    );
  });

  it('a bad key setting: the worker and the CLI exit 2 naming the variable, never the key', async () => {
    const short = randomBytes(20).toString('base64');
    const bad = { ...env, DCS_MIGRATE_CODEC_KEYS: `ops:${short}` };
    for (const args of [['worker'], ['status', 'secrets-cli-full']]) {
      const run = await runCli(args, bad, 60_000);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain('DCS_MIGRATE_CODEC_KEYS: key "ops" must be 32 bytes (AES-256), got 20');
      expect(run.stdout + run.stderr).not.toContain(short);
    }
  });
});
