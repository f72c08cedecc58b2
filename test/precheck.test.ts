/**
 * The pre-flight checks against the real emulator (ShowInstance over its settable instance attributes) and real
 * redis-servers: each seeded misconfiguration produces its named failing check with a remedy, a clean pair passes,
 * and no DCS task exists afterwards. One migration goes through Temporal to show the workflow ends
 * `PrecheckFailed` before creating anything; `check --json` and `start --dry-run` run as the CLI binary.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretResolver } from '../activities/index.js';
import { runPrechecks } from '../activities/prechecks/index.js';
import { jsonOf, runCli } from '../client/testing/run-cli.js';
import { parseMigrationInput, type MigrationInputFile } from '../common/migration-input.js';
import { PRECHECK_IDS, type PrecheckOutcome } from '../common/precheck.js';
import { MigrationFailureType, statusQuery, type MigrationResult } from '../common/workflow-contract.js';
import type { DcsClient } from '../dcs/client.js';
import type { InstanceAttributes } from '../emulator/index.js';
import { callsSince } from './harness/emulator-requests.js';
import { expectOutputSchema } from './harness/output-schemas.js';
import { DEFAULT_PAIR, onlineInput, passwordEnv, startTestStack, type TestStack } from './harness/stack.js';

const WRITES = [
  'CreateMigrationTask',
  'CreateOnlineMigrationTask',
  'SetOnlineMigrationTask',
  'StopMigrationTask',
  'StopMigrationTaskSync',
  'BatchStopMigrationTasks',
  'BatchRestartOnlineMigrationTasks',
  'DeleteMigrationTask',
  'UpdateMigrationTask',
  'ExchangeInstanceIp',
  'RollbackExchangeInstanceIp',
];

describe('pre-flight checks', () => {
  let stack: TestStack;
  let dcs: DcsClient;
  beforeAll(async () => {
    stack = await startTestStack({ name: 'precheck' });
    dcs = stack.dcsClient();
  }, 60_000);
  afterAll(() => stack?.teardown());
  beforeEach(() => stack.reset());

  const input = (extra: Record<string, unknown> = {}) =>
    parseMigrationInput({ ...onlineInput('incremental'), prechecks: { redis: true }, ...extra } as MigrationInputFile);
  const check = (extra: Record<string, unknown> = {}, env: Record<string, string> = passwordEnv()) =>
    runPrechecks(input(extra), { dcs, secrets: createSecretResolver({ env }) });
  // One in-process worker for the tests that go through Temporal, started by the first of them.
  let worker: Promise<unknown> | undefined;
  const ensureWorker = () => (worker ??= stack.startWorker());
  const set = (id: string, attributes: Partial<InstanceAttributes>) => stack.emu.setInstanceAttributes(id, attributes);
  const failing = (outcomes: PrecheckOutcome[]) => outcomes.filter((outcome) => outcome.verdict === 'fail');

  async function withSource<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis({ ...stack.emu.instance(DEFAULT_PAIR.source.id).endpoint });
    try {
      return await use(redis);
    } finally {
      redis.disconnect();
    }
  }

  it('ShowInstance reports the staged attributes and the redis-server memory; the admin route sets them, a reset restores them', async () => {
    const admin = (method: string, body?: unknown) =>
      fetch(`${stack.emu.url}/_emulator/instances/target`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await admin('PATCH', { status: 'CREATING', cacheMode: 'cluster', enablePublicIp: true })).status).toBe(200);
    const refused = await admin('PATCH', { cacheMode: 'sharded' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error_msg: string }).error_msg).toContain('cacheMode');
    const shown = await dcs.showInstance('target');
    expect(shown).toMatchObject({
      instance_id: 'target',
      status: 'CREATING',
      cache_mode: 'cluster',
      enable_publicip: true,
      enable_ssl: false,
      engine_version: '7.0',
    });
    expect(Number(shown.used_memory)).toBeGreaterThan(0);
    // Where clients reach it (its service address), not its redis-server's own port.
    const service = stack.emu.instance('target').service!;
    expect([shown.ip, shown.port]).toEqual([service.host, service.port]);
    await expect(dcs.showInstance('nobody')).rejects.toMatchObject({ name: 'DcsNotFoundError', errorCode: 'DCS.3022' });
    await stack.emu.reset();
    expect(await dcs.showInstance('target')).toMatchObject({ status: 'RUNNING', cache_mode: 'single' });
  });

  it('a clean pair passes every check it runs, and no outcome carries a password', async () => {
    const outcomes = await check();
    expect(failing(outcomes)).toEqual([]);
    const ids = outcomes.map((outcome) => outcome.id);
    for (const id of [
      'target-exists',
      'target-running',
      'source-running',
      'engine-version',
      'target-memory',
      'target-ssl',
      'source-auth',
      'target-auth',
      'target-empty',
    ]) {
      expect(ids).toContain(id);
    }
    for (const id of ids) expect(PRECHECK_IDS).toContain(id);
    const text = JSON.stringify(outcomes);
    for (const secret of [DEFAULT_PAIR.source.password, DEFAULT_PAIR.target.password])
      expect(text).not.toContain(secret);
  });

  // Each seeded misconfiguration, and the check that must name it.
  const scenarios: Array<{
    id: string;
    seed: () => Promise<unknown> | unknown;
    extra?: Record<string, unknown>;
    env?: Record<string, string>;
  }> = [
    { id: 'target-exists', seed: () => undefined, extra: { target: { instanceId: 'no-such-instance' } } },
    { id: 'target-running', seed: () => set('target', { status: 'CREATING' }) },
    { id: 'source-running', seed: () => set('source', { status: 'FROZEN' }) },
    { id: 'source-not-proxy-cluster', seed: () => set('source', { cacheMode: 'proxy' }) },
    {
      id: 'engine-version',
      seed: () => (set('source', { engineVersion: '6.0' }), set('target', { engineVersion: '5.0' })),
    },
    { id: 'target-memory', seed: () => set('target', { maxMemoryMb: 1 }) },
    { id: 'target-ssl', seed: () => set('target', { enableSsl: true }) },
    {
      id: 'multi-db-into-cluster',
      seed: () => (
        set('target', { cacheMode: 'cluster' }),
        withSource((redis) => redis.select(1).then(() => redis.set('in-db-1', 'x')))
      ),
    },
    {
      id: 'source-auth',
      seed: () => undefined,
      env: { ...passwordEnv(), [DEFAULT_PAIR.source.env]: 'not-the-source-password' },
    },
    {
      id: 'target-auth',
      seed: () => undefined,
      env: { ...passwordEnv(), [DEFAULT_PAIR.target.env]: 'not-the-target-password' },
    },
    {
      id: 'source-output-buffer',
      seed: () =>
        withSource(async (redis) => {
          await redis.config('SET', 'maxmemory', String(100 * 1024 * 1024));
          await redis.config('SET', 'client-output-buffer-limit', 'replica 1mb 1mb 60');
        }),
    },
    {
      id: 'target-empty',
      seed: async () => {
        const redis = new Redis({ ...stack.emu.instance(DEFAULT_PAIR.target.id).endpoint });
        await redis.set('left-over', 'x').finally(() => redis.disconnect());
      },
    },
  ];

  it(`${scenarios.length} seeded misconfigurations each fail their named check, with a remedy; no task is created`, async () => {
    const requestsBefore = stack.emu.requests().length;
    for (const scenario of scenarios) {
      await stack.reset();
      await scenario.seed();
      const outcomes = await check(scenario.extra, scenario.env);
      const named = outcomes.find((outcome) => outcome.id === scenario.id);
      expect(named, `${scenario.id}: ${JSON.stringify(outcomes)}`).toMatchObject({
        verdict: 'fail',
        remedy: expect.stringMatching(/\w/),
      });
      expect(named?.evidence, scenario.id).toMatch(/\w/);
    }
    await withSource(async (redis) => {
      await redis.config('SET', 'maxmemory', '0');
      await redis.config('SET', 'client-output-buffer-limit', 'replica 256mb 64mb 60');
    });
    expect(stack.emu.tasks()).toHaveLength(0);
    expect(callsSince(stack.emu, requestsBefore, ...WRITES)).toHaveLength(0);
  });

  it('a reference that does not resolve fails source-auth without a value; targetNotEmpty: overwrite turns target-empty into a warning', async () => {
    const unresolved = await check({}, { [DEFAULT_PAIR.target.env]: DEFAULT_PAIR.target.password });
    expect(unresolved.find((outcome) => outcome.id === 'source-auth')).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining('SOURCE_REDIS_PASSWORD'),
    });
    const redis = new Redis({ ...stack.emu.instance(DEFAULT_PAIR.target.id).endpoint });
    await redis.set('left-over', 'x').finally(() => redis.disconnect());
    const overwrite = await check({ targetNotEmpty: 'overwrite' });
    expect(overwrite.find((outcome) => outcome.id === 'target-empty')).toMatchObject({ verdict: 'warn' });
    expect(() => input({ targetNotEmpty: 'yes' })).toThrow(/targetNotEmpty: must be "refuse" .* or "overwrite"/);
  });

  it('through Temporal: a target that is not RUNNING ends the workflow PrecheckFailed, naming the check, with no task', async () => {
    await ensureWorker();
    set('target', { status: 'RESTARTING' });
    const requestsBefore = stack.emu.requests().length;
    const handle = await stack.start(onlineInput('full'), `precheck-wf-${Date.now()}`);
    const error = await handle.result().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(MigrationFailureType.PrecheckFailed);
    expect(cause.message).toMatch(/pre-flight check failed, nothing was created: target-running \(status RESTARTING\)/);
    const details = cause.details?.[0] as { outcomes: PrecheckOutcome[] };
    expect(details.outcomes.find((outcome) => outcome.id === 'target-running')).toMatchObject({ verdict: 'fail' });
    expect(stack.emu.tasks()).toHaveLength(0);
    expect(callsSince(stack.emu, requestsBefore, ...WRITES)).toHaveLength(0);
    expect(callsSince(stack.emu, requestsBefore, 'ShowInstance').length).toBeGreaterThan(0);
    const status = await handle.query(statusQuery);
    expect(status.phase).toBe('failed');
    expect(status.taskId).toBeUndefined();
    expect(status.prechecks?.map((outcome) => `${outcome.id} ${outcome.verdict}`)).toEqual(['target-running fail']);
  });

  it('prechecks.mode warn: the failing check is reported in the result, and the migration goes on', async () => {
    await ensureWorker();
    // A check the emulator does not enforce itself (SSL on the target, say, it refuses with DCS.4982).
    set('target', { maxMemoryMb: 1 });
    const handle = await stack.start(
      onlineInput('full', { prechecks: { mode: 'warn' }, polling: { initialInterval: '200ms', maxInterval: '400ms' } }),
      `precheck-warn-${Date.now()}`,
    );
    const result = (await handle.result()) as MigrationResult;
    expect(result).toMatchObject({ outcome: 'succeeded', remoteStatus: 'SUCCESS' });
    expect(result.prechecks?.map((outcome) => `${outcome.id} ${outcome.verdict}`)).toEqual(['target-memory fail']);
    expect(stack.emu.tasks()).toHaveLength(1);
  });

  it('check --json: the outcomes and exit 6 on a failure; start --dry-run on a clean pair: exit 0, no DCS write, no workflow', async () => {
    const file = path.join(stack.dir, 'migration.json');
    await writeFile(file, JSON.stringify({ ...onlineInput('full'), taskName: 'precheck-dry-run' }));
    set('target', { enableSsl: true });
    const failed = await runCli(['check', '--file', file, '--json'], stack.cliEnv());
    expect(failed.code, failed.stderr).toBe(6);
    const report = jsonOf<{ ok: boolean; outcomes: PrecheckOutcome[] }>(failed);
    expectOutputSchema('check', report);
    expect(report.ok).toBe(false);
    expect(report.outcomes.filter((outcome) => outcome.verdict === 'fail').map((outcome) => outcome.id)).toEqual([
      'target-ssl',
    ]);
    set('target', { enableSsl: false });

    const requestsBefore = stack.emu.requests().length;
    const dry = await runCli(['start', '--file', file, '--dry-run', '--id', 'precheck-dry'], stack.cliEnv());
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('source.password: env SOURCE_REDIS_PASSWORD resolves');
    expect(dry.stdout).toMatch(/CreateOnlineMigrationTask\s+write/);
    expect(dry.stdout).toContain('ready to start');
    for (const secret of [DEFAULT_PAIR.source.password, DEFAULT_PAIR.target.password])
      expect(dry.stdout + dry.stderr).not.toContain(secret);
    const seen = callsSince(stack.emu, requestsBefore, ...WRITES, 'ShowInstance', 'ListMigrationTask');
    expect(seen.map((request) => request.operation)).toEqual(['ShowInstance', 'ShowInstance']);
    expect(stack.emu.tasks()).toHaveLength(0);
    const described = await stack.temporal.client.workflow
      .getHandle('precheck-dry')
      .describe()
      .then(
        () => 'started',
        () => 'absent',
      );
    expect(described).toBe('absent');
    const dryJson = await runCli(
      ['start', '--file', file, '--dry-run', '--id', 'precheck-dry', '--json', '--no-redis'],
      stack.cliEnv(),
    );
    expect(dryJson.code, dryJson.stderr).toBe(0);
    const plan = jsonOf<{ ok: boolean; calls: Array<{ operation: string }> }>(dryJson);
    expectOutputSchema('dry-run', plan);
    expect(plan.ok).toBe(true);
    expect(plan.calls.map((call) => call.operation)).toContain('CreateOnlineMigrationTask');
  });

  it('check --json on a backup import: an AOF file into a Redis Cluster target fails aof-into-cluster (exit 6)', async () => {
    const file = path.join(stack.dir, 'import.json');
    await writeFile(
      file,
      JSON.stringify({
        kind: 'backup_import',
        taskName: 'precheck-aof',
        target: { instanceId: DEFAULT_PAIR.target.id, password: { env: DEFAULT_PAIR.target.env } },
        backup: { source: 'obs', bucket: 'backups', files: [{ name: 'dump.rdb' }, { name: 'appendonly.aof' }] },
      }),
    );
    set('target', { cacheMode: 'cluster' });
    const failed = await runCli(['check', '--file', file, '--json'], stack.cliEnv());
    expect(failed.code, failed.stderr).toBe(6);
    const report = jsonOf<{ ok: boolean; outcomes: PrecheckOutcome[] }>(failed);
    expectOutputSchema('check', report);
    expect(report.outcomes.filter((outcome) => outcome.verdict === 'fail')).toEqual([
      expect.objectContaining({
        id: 'aof-into-cluster',
        evidence: 'the target is a Redis Cluster; AOF file(s) by name: appendonly.aof',
      }),
    ]);
    expect(stack.emu.tasks()).toHaveLength(0);
  });

  it('prechecks.mode off: DCS itself refuses an SSL target (DCS.4982) at SetOnlineMigrationTask; the workflow fails at once, not retrying', async () => {
    await ensureWorker();
    set('target', { enableSsl: true });
    const handle = await stack.start(
      onlineInput('full', { prechecks: { mode: 'off' }, polling: { initialInterval: '200ms', maxInterval: '400ms' } }),
      `precheck-off-ssl-${Date.now()}`,
    );
    const error = await handle.result().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const text = JSON.stringify(String((error as WorkflowFailedError).cause?.message));
    expect(text).toContain('DCS.4982');
    expect(text).toMatch(/remote task \S+ stopped \(TERMINATED\)/);
    expect(callsSince(stack.emu, 0, 'SetOnlineMigrationTask')).toHaveLength(1);
    const status = await handle.query(statusQuery);
    expect(status.phase).toBe('failed');
  });
});
