/**
 * The standard `temporal` CLI is a first-class client of the migration workflow: with nothing but the binary
 * (`temporal workflow start / list / query / update execute / signal / result / cancel / show`), an operator
 * starts a migration from its raw JSON input, finds it by search attribute, reads its status, cuts it over (a
 * premature cutover is refused), cancels another, and reads an encrypting worker's payloads through the codec
 * server. Real Temporal dev server, real DCS emulator over real redis-servers, the production worker.
 * The commands are the ones docs/temporal-cli.md documents; the last case checks that every command and flag that
 * page names exists in the CLI.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../local/wait.js';
import { createSecretResolver } from '../activities/index.js';
import { generateKeyRing } from '../codec/codec-keys.js';
import { dataConverterFor } from '../codec/data-converter.js';
import { EncryptionCodec, ENCRYPTED_ENCODING } from '../codec/encryption-codec.js';
import { startCodecServer, type RunningCodecServer } from '../codec/server.js';
import type { CutoverAccepted, MigrationResult, MigrationStatus } from '../common/workflow-contract.js';
import { projectRoot, resolveTemporalCli } from '../local/tools.js';
import { createMigrationWorker } from '../worker/create-worker.js';
import {
  onlineInput,
  PASSWORD_ENV,
  startMigrationTestEnv,
  type MigrationTestEnv,
  type RunningWorker,
} from './workflow-env.js';

const CODEC_TOKEN = 'cli-codec-token-5d1e';
const ring = generateKeyRing('cli-key');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A payload as the CLI prints it in JSON when it does not shorthand it: metadata and data in base64. */
interface RawPayload {
  metadata?: Record<string, string>;
  data?: string;
}
interface ListedExecution {
  execution: { workflowId: string; runId: string };
  status: string;
  searchAttributes?: { indexedFields?: Record<string, RawPayload> };
}

const base64 = (text: string | undefined): string => Buffer.from(text ?? '', 'base64').toString('utf8');

/** The value of a search attribute as `temporal workflow list -o json` prints it (a JSON payload in base64). */
function searchAttribute(execution: ListedExecution | undefined, name: string): unknown {
  const payload = execution?.searchAttributes?.indexedFields?.[name];
  return payload ? JSON.parse(base64(payload.data)) : undefined;
}

describe('the Temporal CLI alone drives a migration', () => {
  let env: MigrationTestEnv;
  let worker: RunningWorker;
  let temporalCli: string;
  let codecServer: RunningCodecServer;
  let stopEncryptingWorker: () => Promise<void>;
  let encryptedQueue: string;
  /** What the CLI printed for the premature cutover (the non-retryable check below reads it). */
  let prematureRejection: string | undefined;

  beforeAll(async () => {
    temporalCli = await resolveTemporalCli();
    // Provisioning lasts 1.5 s so a cutover sent right after the start is certainly early.
    env = await startMigrationTestEnv({ timings: { creatingMs: 1_500, terminatingMs: 200 } });
    worker = await env.startWorker();

    // A second worker, on its own task queue, that encrypts every payload; and the codec server for the CLI.
    encryptedQueue = `${env.taskQueue}-encrypted`;
    const encrypting = await createMigrationWorker({
      connection: env.temporal.env.nativeConnection,
      namespace: env.temporal.server.namespace,
      taskQueue: encryptedQueue,
      dcs: env.dcs,
      secrets: createSecretResolver({ env: PASSWORD_ENV }),
      backoff: { initialMs: 100, factor: 2, maxMs: 1_000 },
      shutdownGraceTime: '1s',
      dataConverter: dataConverterFor(ring),
    });
    const running = encrypting.run();
    stopEncryptingWorker = async () => {
      if (encrypting.getState() === 'RUNNING') encrypting.shutdown();
      await running;
    };
    codecServer = await startCodecServer({ codec: new EncryptionCodec(ring), token: CODEC_TOKEN });
  });
  afterAll(async () => {
    await codecServer?.stop();
    await stopEncryptingWorker?.();
    await worker?.stop();
    await env?.teardown();
  });

  /** Runs `temporal <args> --address … --namespace …`; never throws on a non-zero exit. */
  function temporal(args: string[]): Promise<CliRun> {
    const connection = ['--address', env.temporal.server.address, '--namespace', env.temporal.server.namespace];
    return new Promise((resolve) => {
      execFile(
        temporalCli,
        [...args, ...connection],
        { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }
  /** Runs a command with `-o json` that must succeed, and parses what it printed. */
  async function temporalJson<T>(args: string[]): Promise<T> {
    const run = await temporal([...args, '-o', 'json']);
    expect(run.code, `temporal ${args.join(' ')}: ${run.stderr}`).toBe(0);
    return JSON.parse(run.stdout) as T;
  }
  /** Runs `temporal <args>` without connection flags (help texts). */
  function temporalBare(args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(temporalCli, args, { timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, stdout, stderr }),
      );
    });
  }
  const codecFlags = (): string[] => ['--codec-endpoint', codecServer.url, '--codec-auth', `Bearer ${CODEC_TOKEN}`];

  /** `temporal workflow start` with the raw input file as JSON, as docs/temporal-cli.md documents it. */
  /** `temporal workflow start` of a migration with the raw input, refusing a reused id as docs/temporal-cli.md says to. */
  function startArgs(workflowId: string, taskQueue: string, input: unknown, { conflictPolicy = true } = {}): string[] {
    return [
      ...[
        'workflow',
        'start',
        '--type',
        'dcsMigration',
        '--task-queue',
        taskQueue,
        '--workflow-id',
        workflowId,
        '--id-reuse-policy',
        'RejectDuplicate',
      ],
      ...(conflictPolicy ? ['--id-conflict-policy', 'Fail'] : []),
      ...['--input', JSON.stringify(input)],
    ];
  }

  /** `temporal workflow signal` of the cancel signal with its JSON argument. */
  function cancelSignalArgs(workflowId: string, input: string): string[] {
    return ['workflow', 'signal', '--workflow-id', workflowId, '--name', 'cancel', '--input', input];
  }

  /** `temporal workflow update execute` of the cutover update with its JSON argument. */
  function cutoverArgs(workflowId: string, input: string): string[] {
    return ['workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', 'cutover', '--input', input];
  }

  async function start(workflowId: string, input: unknown, extra: string[] = []): Promise<string> {
    const started = await temporalJson<{ workflowId: string; runId: string }>([
      ...startArgs(workflowId, env.taskQueue, input),
      ...extra,
    ]);
    expect(started.workflowId).toBe(workflowId);
    return started.runId;
  }
  async function listed(query: string): Promise<ListedExecution[]> {
    return (await temporalJson<ListedExecution[] | null>(['workflow', 'list', '--query', query])) ?? [];
  }
  /** Waits until visibility lists the workflow under `query`, and returns its listing. */
  async function waitListed(workflowId: string, query: string): Promise<ListedExecution> {
    let found: ListedExecution | undefined;
    await waitFor(
      `${workflowId} listed by ${query}`,
      async () => {
        found = (await listed(query)).find((execution) => execution.execution.workflowId === workflowId);
        return found !== undefined;
      },
      60_000,
      250,
    );
    return found as ListedExecution;
  }
  async function queryStatus(workflowId: string, extra: string[] = []): Promise<MigrationStatus> {
    const answer = await temporalJson<{ queryResult: [MigrationStatus] }>([
      'workflow',
      'query',
      '--workflow-id',
      workflowId,
      '--type',
      'status',
      ...extra,
    ]);
    return answer.queryResult[0];
  }

  it('start from the raw input, list by DcsPhase, query status, refuse an early cutover, cut over by update', async () => {
    const workflowId = 'cli-incremental';
    const runId = await start(workflowId, onlineInput('incremental'));

    // Right after the start the migration is validating, creating or provisioning: the update is refused.
    const early = await temporal([
      'workflow',
      'update',
      'execute',
      '--workflow-id',
      workflowId,
      '--name',
      'cutover',
      '--input',
      '{"note":"too early"}',
    ]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      /cutover is only possible in the incremental hold; the migration is (validating|creating|provisioning|configuring|migrating)/,
    );
    prematureRejection = early.stderr;
    expect((await queryStatus(workflowId)).cutover).toBeUndefined();

    // The workflow publishes its search attributes itself (the CLI start set none): find it in the hold.
    const holding = await waitListed(workflowId, 'DcsPhase = "incremental-hold"');
    expect(holding.execution.runId).toBe(runId);
    expect(holding.status).toBe('WORKFLOW_EXECUTION_STATUS_RUNNING');
    expect(searchAttribute(holding, 'DcsMigrationType')).toBe('online:incremental');
    expect(searchAttribute(holding, 'DcsRemoteStatus')).toBe('INCRMIGEATING');
    const taskId = searchAttribute(holding, 'DcsTaskId');
    expect(typeof taskId).toBe('string');
    const byType = await listed(
      `DcsMigrationType = "online:incremental" AND DcsTaskId = "${String(taskId)}" AND ExecutionStatus = "Running"`,
    );
    expect(byType.map((execution) => execution.execution.workflowId)).toEqual([workflowId]);

    const status = await queryStatus(workflowId);
    expect(status).toMatchObject({
      phase: 'incremental-hold',
      kind: 'online',
      taskId,
      taskName: 'dcsm-cli-incremental',
      remoteStatus: 'INCRMIGEATING',
    });
    expect(status.cutover).toBeUndefined();

    const accepted = await temporalJson<{ name: string; result: CutoverAccepted }>([
      ...cutoverArgs(workflowId, '{"note":"cut over by the temporal CLI"}'),
    ]);
    expect(accepted.name).toBe('cutover');
    expect(typeof accepted.result.acceptedAt).toBe('string');
    expect(accepted.result.offset === undefined || typeof accepted.result.offset === 'number').toBe(true);
    // A second one is refused: already requested, or the hold has ended already.
    const again = await temporal(['workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', 'cutover']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cutover already requested|cutover is only possible in the incremental hold/);

    const result = await temporalJson<{ status: string; result: MigrationResult }>([
      'workflow',
      'result',
      '--workflow-id',
      workflowId,
    ]);
    expect(result.status).toBe('COMPLETED');
    expect(result.result).toMatchObject({
      outcome: 'cut-over',
      cutover: { by: 'operator' },
      remoteStatus: 'TERMINATED',
      taskId,
    });
    expect(env.emu.tasks().find((task) => task.id === taskId)?.status).toBe('TERMINATED');
    await waitListed(workflowId, 'DcsPhase = "cut-over" AND ExecutionStatus = "Completed"');

    // The id is taken for good: a second start with it starts nothing (the CLI prints the existing run, exit 0).
    // Without --id-conflict-policy: the CLI's default for an id whose run has closed.
    const reused = await temporal([
      ...startArgs(workflowId, env.taskQueue, onlineInput('incremental'), { conflictPolicy: false }),
      '-o',
      'json',
    ]);
    expect(reused.code).toBe(0);
    expect((JSON.parse(reused.stdout) as { runId: string }).runId).toBe(runId);
    expect((await temporalJson<{ status: string }>(['workflow', 'result', '--workflow-id', workflowId])).status).toBe(
      'COMPLETED',
    );
  });

  // A refused cutover is not worth retrying: the update validator throws a non-retryable CutoverRejected, which the
  // CLI prints as `(type: CutoverRejected, retryable: false)` (a plain Error would come out retryable).
  it('the CLI reports the early cutover refusal as not retryable', () => {
    expect(prematureRejection).toContain('retryable: false');
    expect(prematureRejection).toContain('CutoverRejected');
  });

  it('the cancel signal with delete: the run ends CANCELED, the remote task is stopped and deleted', async () => {
    const workflowId = 'cli-cancel';
    await start(workflowId, onlineInput('incremental'));
    await waitListed(workflowId, 'DcsPhase = "incremental-hold"');
    const { taskId } = await queryStatus(workflowId);
    expect(env.emu.tasks().find((task) => task.id === taskId)?.status).toBe('INCRMIGEATING');
    const callsBefore = env.emu.requests().length;

    const signalled = await temporal([
      ...cancelSignalArgs(workflowId, '{"reason":"abandoned from the temporal CLI","delete":true}'),
    ]);
    expect(signalled.code, signalled.stderr).toBe(0);

    // `workflow result` waits for the end; it exits 1 for a run that did not complete and still prints how it ended.
    const ended = await temporal(['workflow', 'result', '--workflow-id', workflowId, '-o', 'json']);
    expect(ended.code).toBe(1);
    expect((JSON.parse(ended.stdout) as { status: string }).status).toBe('CANCELED');

    const described = await temporalJson<{ workflowExecutionInfo: { status: string } }>([
      'workflow',
      'describe',
      '--workflow-id',
      workflowId,
    ]);
    expect(described.workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_CANCELED');
    await waitListed(workflowId, 'DcsPhase = "cancelled" AND ExecutionStatus = "Canceled"');
    expect((await queryStatus(workflowId)).cancel).toEqual({ reason: 'abandoned from the temporal CLI', delete: true });

    // Stopped (waited for TERMINATED), then deleted: the emulator no longer knows the task.
    const operations = env.emu
      .requests()
      .slice(callsBefore)
      .map((entry) => entry.operation ?? '');
    const stopAt = operations.findIndex((operation) => /Stop/.test(operation));
    const deleteAt = operations.findIndex((operation) => /Delete/.test(operation));
    expect(stopAt).toBeGreaterThanOrEqual(0);
    expect(deleteAt).toBeGreaterThan(stopAt);
    expect(env.emu.tasks().find((task) => task.id === taskId)).toBeUndefined();
  });

  it('an encrypting worker: through the codec server the CLI encodes the start input and the update, decodes the query, the update answer and the result', async () => {
    const workflowId = 'cli-encrypted';
    const input = onlineInput('incremental');
    const started = await temporal([...startArgs(workflowId, encryptedQueue, input), ...codecFlags(), '-o', 'json']);
    expect(started.code, started.stderr).toBe(0);

    // The server stores the input encrypted: the CLI called the codec server's /encode.
    const history = await temporalJson<{
      events: Array<{ workflowExecutionStartedEventAttributes?: { input?: { payloads?: RawPayload[] } } }>;
    }>(['workflow', 'show', '--workflow-id', workflowId]);
    const stored = history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(base64(stored?.metadata?.['encoding'])).toBe(ENCRYPTED_ENCODING);
    expect(base64(stored?.metadata?.['encryption-key-id'])).toBe('cli-key');
    expect(JSON.stringify(history)).not.toContain('vpc-test');

    // A query has no input: the CLI sends the codec server a request without payloads, then decodes the answer.
    let status: MigrationStatus | undefined;
    await waitFor(
      'the incremental hold, read through the codec server',
      async () => {
        status = await queryStatus(workflowId, codecFlags());
        return status.phase === 'incremental-hold';
      },
      60_000,
      250,
    );
    expect(status).toMatchObject({ kind: 'online', taskName: 'dcsm-cli-encrypted', remoteStatus: 'INCRMIGEATING' });

    // Without the codec the answer is ciphertext; without the token the codec server refuses.
    const raw = await temporalJson<{ queryResult: { payloads?: RawPayload[] } }>([
      'workflow',
      'query',
      '--workflow-id',
      workflowId,
      '--type',
      'status',
    ]);
    expect(base64(raw.queryResult.payloads?.[0]?.metadata?.['encoding'])).toBe(ENCRYPTED_ENCODING);
    const noToken = await temporal([
      'workflow',
      'query',
      '--workflow-id',
      workflowId,
      '--type',
      'status',
      '--codec-endpoint',
      codecServer.url,
    ]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('missing or invalid bearer token');

    // The update through the codec: its argument is stored encrypted, its answer and the refusal come back decoded.
    const accepted = await temporalJson<{ result: CutoverAccepted }>([
      ...cutoverArgs(workflowId, '{"note":"encrypted cutover"}'),
      ...codecFlags(),
    ]);
    expect(typeof accepted.result.acceptedAt).toBe('string');
    const result = await temporalJson<{ status: string; result: MigrationResult }>([
      'workflow',
      'result',
      '--workflow-id',
      workflowId,
      ...codecFlags(),
    ]);
    expect(result.status).toBe('COMPLETED');
    expect(result.result).toMatchObject({
      outcome: 'cut-over',
      cutover: { by: 'operator' },
      remoteStatus: 'TERMINATED',
    });
    const after = await temporalJson<{
      events: Array<{
        workflowExecutionUpdateAcceptedEventAttributes?: {
          acceptedRequest?: { input?: { args?: { payloads?: RawPayload[] } } };
        };
      }>;
    }>(['workflow', 'show', '--workflow-id', workflowId]);
    const updateArgs = after.events.find((event) => event.workflowExecutionUpdateAcceptedEventAttributes)
      ?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads?.[0];
    expect(base64(updateArgs?.metadata?.['encoding'])).toBe(ENCRYPTED_ENCODING);
    expect(JSON.stringify(after)).not.toContain('encrypted cutover');
  });

  it('an encrypting worker: a start without the codec goes in clear; a refused update reads "Encoded failure" without the codec, the reason with it; a signal through the codec is encrypted', async () => {
    const workflowId = 'cli-encrypted-early';
    const started = await temporal(startArgs(workflowId, encryptedQueue, onlineInput('incremental')));
    expect(started.code, started.stderr).toBe(0);
    const encoded = await temporal(['workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', 'cutover']);
    expect(encoded.code).toBe(1);
    expect(encoded.stderr).toContain('Encoded failure');
    const decoded = await temporal([
      'workflow',
      'update',
      'execute',
      '--workflow-id',
      workflowId,
      '--name',
      'cutover',
      ...codecFlags(),
    ]);
    expect(decoded.code).toBe(1);
    expect(decoded.stderr).toContain('cutover is only possible in the incremental hold');

    // A signal through the codec is stored encrypted too, and the workflow reads it.
    const signalled = await temporal([
      ...cancelSignalArgs(workflowId, '{"reason":"cancelled through the codec"}'),
      ...codecFlags(),
    ]);
    expect(signalled.code, signalled.stderr).toBe(0);
    const ended = await temporal(['workflow', 'result', '--workflow-id', workflowId, '-o', 'json']);
    expect((JSON.parse(ended.stdout) as { status: string }).status).toBe('CANCELED');
    expect((await queryStatus(workflowId, codecFlags())).cancel).toEqual({ reason: 'cancelled through the codec' });
    const history = await temporalJson<{
      events: Array<{
        workflowExecutionStartedEventAttributes?: { input?: { payloads?: RawPayload[] } };
        workflowExecutionSignaledEventAttributes?: { input?: { payloads?: RawPayload[] } };
      }>;
    }>(['workflow', 'show', '--workflow-id', workflowId]);
    // Started without the codec endpoint: the input went in clear, and the encrypting worker still ran it.
    expect(
      base64(history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.metadata?.['encoding']),
    ).toBe('json/plain');
    const signalArgs = history.events.find((event) => event.workflowExecutionSignaledEventAttributes)
      ?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
    expect(base64(signalArgs?.metadata?.['encoding'])).toBe(ENCRYPTED_ENCODING);
  });

  it("Temporal's own cancellation ends the migration like the cancel signal, with a default reason", async () => {
    const workflowId = 'cli-temporal-cancel';
    await start(workflowId, onlineInput('incremental'));
    await waitListed(workflowId, 'DcsPhase = "incremental-hold"');
    // The CLI takes no --reason with a workflow id (that is for batch cancellations).
    const withReason = await temporal(['workflow', 'cancel', '--workflow-id', workflowId, '--reason', 'no']);
    expect(withReason.code).toBe(1);
    expect(withReason.stderr).toContain('cannot set reason when workflow ID is set');

    const cancelled = await temporal(['workflow', 'cancel', '--workflow-id', workflowId]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const ended = await temporal(['workflow', 'result', '--workflow-id', workflowId, '-o', 'json']);
    expect((JSON.parse(ended.stdout) as { status: string }).status).toBe('CANCELED');
    const final = await queryStatus(workflowId);
    expect(final).toMatchObject({ phase: 'cancelled', cancel: { reason: 'workflow cancellation requested' } });
    expect(env.emu.tasks().find((task) => task.id === final.taskId)?.status).toBe('TERMINATED');
  });

  it('the commands docs/temporal-cli.md shows name only flags the CLI has', async () => {
    const section = await readFile(path.join(projectRoot, 'docs', 'temporal-cli.md'), 'utf8');
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    const inline = [...section.matchAll(/`(temporal [^`]+)`/g)].map((match) => match[1] ?? '');
    const commands = [...blocks.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n')), ...inline]
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line.startsWith('temporal '));
    expect(commands.length).toBeGreaterThanOrEqual(10);
    const globalFlags = (await temporalBare(['options'])).stdout;
    for (const command of commands) {
      const words = command.split(/\s+/).slice(1);
      const firstFlag = words.findIndex((word) => word.startsWith('-'));
      const subcommand = firstFlag === -1 ? words : words.slice(0, firstFlag);
      const help = await temporalBare([...subcommand, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, `${command}: not a command`).toContain(`temporal ${subcommand.join(' ')} [flags]`);
      for (const flag of command.match(/(?<=\s)--[a-z-]+/g) ?? []) {
        expect(`${help.stdout}\n${globalFlags}`, `${command}: ${flag}`).toMatch(new RegExp(`${flag}[\\s,=]`));
      }
    }
  });
});
