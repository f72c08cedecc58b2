/**
 * The flows end to end: real Temporal dev server, real worker from the production factory, real DCS client, real
 * emulator moving data between real redis-servers. Each test checks what an operator relies on: the workflow's
 * result, the remote task's final status, and the target holding the source's data; the client switch, the restart
 * of a failed task and the refusal of a task another migration drives, once each with the CLI where an operator
 * uses it. Every rule around them is tested on the time-skipping layer (workflow-control, -faults, -safety,
 * -switch, -restart, -timing).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../client/testing/run-cli.js';
import { DcsPhase, DcsRemoteStatus, DcsTaskId } from '../common/search-attributes.js';
import {
  cutoverUpdate,
  rollbackUpdate,
  statusQuery,
  type MigrationPhase,
  type TaskLogEntry,
} from '../common/workflow-contract.js';
import { callDcs } from '../emulator/testing/signed-http.js';
import { startRedisServer } from '../local/redis-server.js';
import { seedSampleData, startTraffic } from '../local/sample-data.js';
import { compareRedis } from '../verify/compare.js';
import { waitFor } from '../local/wait.js';
import { callsSince } from './harness/emulator-requests.js';
import { DEFAULT_PAIR, instancePair, onlineInput as pairInput, passwordEnv } from './harness/stack.js';
import {
  failureOf,
  FAST_POLLING,
  onlineInput,
  PASSWORD_ENV,
  resultOf,
  saveHistory,
  startMigrationTestEnvWithWorker,
  type MigrationTestEnv,
} from './workflow-env.js';

/** Instances the client switch can run between: the same password on both (and the same port, as all have). */
const SWITCH_PASSWORD = 'same-on-both-pw-5d2c';
const SWITCH_PAIR = instancePair(
  ['swf-source', 'swf-target'],
  [SWITCH_PASSWORD, SWITCH_PASSWORD],
  ['SWITCH_SOURCE_PASSWORD', 'SWITCH_TARGET_PASSWORD'],
);

async function phaseOf(handle: WorkflowHandle, phase: MigrationPhase): Promise<void> {
  await waitFor(`phase ${phase}`, async () => (await handle.query(statusQuery)).phase === phase, 60_000, 100);
}

describe('migration workflow flows', () => {
  let env: MigrationTestEnv;
  beforeAll(async () => {
    // The worker runs until teardown.
    ({ env } = await startMigrationTestEnvWithWorker({
      extraInstances: [SWITCH_PAIR.source, SWITCH_PAIR.target].map(({ id, password }) => ({ id, password })),
      workerEnv: passwordEnv(SWITCH_PAIR),
    }));
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function emptyInstance(id: string): Promise<void> {
    const redis = await startClient(env.emu.instance(id).endpoint);
    await redis.flushall();
    redis.disconnect();
  }
  const emptyTarget = () => emptyInstance('target');

  it('online full migration: target holds the source data, task SUCCESS, result reports the run', async () => {
    await emptyTarget();
    await seedSampleData(env.emu.instance('source').endpoint, { keys: 2_000, seed: 11 });
    const handle = await env.start(onlineInput('full'), 'flow-online-full');
    const result = await resultOf(handle);

    expect(result).toMatchObject({ outcome: 'succeeded', remoteStatus: 'SUCCESS', taskName: 'dcsm-flow-online-full' });
    expect(result.apiCalls['createOnlineTask']).toBe(1);
    expect(result.apiCalls['configureOnlineTask']).toBe(1);
    expect(result.timings.finishedAt).toBeDefined();
    const tasks = env.emu.tasks().filter((task) => task.name === result.taskName);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.status).toBe('SUCCESS');
    const report = await compareRedis(env.emu.instance('source').endpoint, env.emu.instance('target').endpoint);
    expect(report.totalDifferences).toBe(0);

    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(DcsTaskId)).toBe(result.taskId);
    expect(description.typedSearchAttributes.get(DcsRemoteStatus)).toBe('SUCCESS');
    expect(description.typedSearchAttributes.get(DcsPhase)).toBe('succeeded');
    await saveHistory(env, handle, 'online-full');
  });

  it('a DCS that spells the incremental state INCRMIGRATING ends in the same search attribute value and status', async () => {
    await emptyTarget();
    env.emu.setIncrementalSpelling('INCRMIGRATING');
    try {
      const handle = await env.start(onlineInput('incremental'), 'flow-corrected-spelling');
      await waitFor(
        'the incremental hold',
        async () => (await handle.query(statusQuery)).phase === 'incremental-hold',
        60_000,
        200,
      );
      // The emulator really answers with the other spelling on the wire; the client normalises it once for everyone.
      const wire = await callDcs(env.emu, 'GET', '/migration-tasks?name=dcsm-flow-corrected-spelling');
      expect(wire.body.migration_tasks[0].status).toBe('INCRMIGRATING');
      const listed = await env.dcs.listMigrationTask({ name: 'dcsm-flow-corrected-spelling' });
      expect(listed.migration_tasks?.[0]?.status).toBe('INCRMIGEATING');
      expect((await handle.query(statusQuery)).remoteStatus).toBe('INCRMIGEATING');
      await waitFor(
        'the search attribute',
        async () => (await handle.describe()).typedSearchAttributes.get(DcsRemoteStatus) === 'INCRMIGEATING',
      );
      const listedByAttribute = env.temporal.client.workflow.list({
        query: `WorkflowId = "flow-corrected-spelling" AND DcsRemoteStatus = "INCRMIGEATING"`,
      });
      await waitFor('visibility to index it', async () => {
        for await (const found of listedByAttribute) if (found.workflowId === 'flow-corrected-spelling') return true;
        return false;
      });
      await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'spelling test' }] });
      expect((await resultOf(handle)).outcome).toBe('cut-over');
    } finally {
      env.emu.setIncrementalSpelling('INCRMIGEATING');
    }
  });

  it('online incremental migration: holds in sync under live writes, cutover update ends it, target equals source', async () => {
    await emptyTarget();
    const source = env.emu.instance('source').endpoint;
    const handle = await env.start(onlineInput('incremental'), 'flow-online-incremental');
    // The update is refused (nothing recorded) until the migration holds in sync.
    await expect(handle.executeUpdate(cutoverUpdate, { args: [{ note: 'too early' }] })).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );

    const traffic = startTraffic(source, { keys: 2_000, seed: 11, opsPerSecond: 300 });
    try {
      await waitFor(
        'the incremental hold',
        async () => (await handle.query(statusQuery)).phase === 'incremental-hold',
        60_000,
        200,
      );
      const holding = await handle.query(statusQuery);
      expect(holding.remoteStatus).toBe('INCRMIGEATING');
      expect(holding.progress?.offset).toBeTypeOf('number');
      // The workflow page's "current details" (served by the SDK's metadata query) show the sync state.
      const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
      expect(metadata.currentDetails).toContain('**Phase:** incremental-hold');
      expect(metadata.currentDetails).toContain('**Sync offset:**');
    } finally {
      await traffic.stop();
    }
    const accepted = await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'maintenance window' }] });
    expect(accepted.acceptedAt).toBeTruthy();
    const result = await resultOf(handle);

    expect(result).toMatchObject({ outcome: 'cut-over', cutover: { by: 'operator' }, remoteStatus: 'TERMINATED' });
    expect(env.emu.tasks().find((task) => task.id === result.taskId)?.status).toBe('TERMINATED');
    const report = await compareRedis(source, env.emu.instance('target').endpoint);
    expect(report.totalDifferences).toBe(0);
    await saveHistory(env, handle, 'online-incremental');
  });

  it('incremental hold ends by itself at the configured deadline', async () => {
    await emptyTarget();
    const handle = await env.start(onlineInput('incremental', { hold: { maxDuration: '1s' } }), 'flow-online-deadline');
    const result = await resultOf(handle);
    expect(result).toMatchObject({ outcome: 'cut-over', cutover: { by: 'deadline' }, remoteStatus: 'TERMINATED' });
  });

  it('legacy one-call online migration (CreateMigrationTask online_migration) succeeds', async () => {
    await emptyTarget();
    const source = env.emu.instance('source').endpoint;
    const handle = await env.start(
      {
        kind: 'legacy_online',
        source: { addrs: `${source.host}:${source.port}`, password: { env: 'SOURCE_REDIS_PASSWORD' } },
        target: { instanceId: 'target', password: { env: 'TARGET_REDIS_PASSWORD' } },
        method: 'full',
        polling: FAST_POLLING,
      },
      'flow-legacy-online',
    );
    const result = await resultOf(handle);
    expect(result).toMatchObject({ outcome: 'succeeded', remoteStatus: 'SUCCESS' });
    expect(result.apiCalls['createLegacyOnlineTask']).toBe(1);
    const report = await compareRedis(source, env.emu.instance('target').endpoint);
    expect(report.totalDifferences).toBe(0);
    await saveHistory(env, handle, 'legacy-online');
  });

  it('backup import from an OBS bucket loads the dump into the target', async () => {
    await emptyTarget();
    // A real RDB: seed a scratch redis-server, SAVE, and drop the file into the emulator's bucket.
    const scratch = await startRedisServer({ password: 'scratch-pw' });
    try {
      await seedSampleData(
        { host: scratch.host, port: scratch.port, password: 'scratch-pw' },
        { keys: 1_500, seed: 5, dbs: [0, 1] },
      );
      const client = scratch.client();
      await client.save();
      client.disconnect();
      const bucketDir = path.join(env.emu.dataDir, 'buckets', 'backups');
      await mkdir(bucketDir, { recursive: true });
      await copyFile(path.join(scratch.dir, 'dump.rdb'), path.join(bucketDir, 'nightly.rdb'));

      const handle = await env.start(
        {
          kind: 'backup_import',
          target: { instanceId: 'target', password: { env: 'TARGET_REDIS_PASSWORD' } },
          backup: { source: 'obs', bucket: 'backups', files: [{ name: 'nightly.rdb' }] },
          polling: FAST_POLLING,
        },
        'flow-backup-import',
      );
      const result = await resultOf(handle);
      expect(result).toMatchObject({ outcome: 'succeeded', remoteStatus: 'SUCCESS' });
      const report = await compareRedis(
        { host: scratch.host, port: scratch.port, password: 'scratch-pw' },
        env.emu.instance('target').endpoint,
      );
      expect(report.totalDifferences).toBe(0);
      await saveHistory(env, handle, 'backup-import');
    } finally {
      await scratch.stop();
    }
  });

  it('client switch: source-address clients reach the target, the source again after rollback; switched again, cut over', async () => {
    const endpoint = (id: string) => env.emu.instance(id).endpoint;
    const [source, target] = await Promise.all([
      startClient(endpoint(SWITCH_PAIR.source.id)),
      startClient(endpoint(SWITCH_PAIR.target.id)),
    ]);
    // An application's client of the source's address: it reconnects by itself after the switch cuts it.
    const service = env.emu.instance(SWITCH_PAIR.source.id).service!;
    const app = new Redis({ ...service, password: SWITCH_PASSWORD, retryStrategy: () => 20, maxRetriesPerRequest: 5 });
    try {
      await source.set('copied', 'from source');
      // Addresses only: the rollback that keeps the writes is test/reverse-sync-stack.test.ts's.
      const canary = { canaryKey: 'dcs-migrate:canary' };
      const cutover = {
        switch: 'ip',
        rollback: 'addresses-only',
        rollbackWindow: '6s',
        afterRollback: 'hold',
        ...canary,
      };
      const handle = await env.start(
        pairInput('incremental', { polling: FAST_POLLING, cutover }, SWITCH_PAIR),
        'flow-switch',
      );
      await phaseOf(handle, 'incremental-hold');
      // Nothing to roll back yet: the CLI says so, and nothing is recorded.
      const early = await runCli(['rollback', handle.workflowId], env.cliEnv());
      expect(early.code).toBe(2);
      expect(early.stderr).toContain('rollback rejected');
      expect((await handle.query(statusQuery)).switch).toBeUndefined();
      await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'switch test' }] });
      await phaseOf(handle, 'switched');

      await target.set('only-on-target', 'new home');
      expect(await app.get('only-on-target')).toBe('new home');
      expect(await app.get('copied')).toBe('from source');
      const switched = await handle.query(statusQuery);
      expect(switched.switch).toMatchObject({ mode: 'ip', state: 'switched', check: { outcome: 'passed' } });
      expect(await target.get('dcs-migrate:canary')).toContain('dcs-migrate switch 1');

      const done = await handle.executeUpdate(rollbackUpdate, { args: [{ note: 'back' }] });
      expect(done.finishedAt).toBeDefined();
      await source.set('only-on-source', 'old home');
      expect(await app.get('only-on-source')).toBe('old home');
      expect(await app.get('only-on-target')).toBeNull();

      // afterRollback: hold — the same task copies again, and the next cutover switches again.
      await phaseOf(handle, 'incremental-hold');
      await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'again' }] });
      await phaseOf(handle, 'switched');
      expect(await app.get('only-on-source')).toBe('old home'); // copied to the target by the restarted task
      await target.set('second', 'switch');
      expect(await app.get('second')).toBe('switch');
      // No rollback this time: the window ends, the task is stopped, and the clients stay on the target.
      const result = await resultOf(handle);
      expect(result).toMatchObject({
        outcome: 'cut-over',
        remoteStatus: 'TERMINATED',
        switch: { state: 'switched', switches: 2 },
      });
      expect(await app.get('second')).toBe('switch');
      expect(env.emu.tasks().filter((task) => task.name === result.taskName)).toHaveLength(1);
      await saveHistory(env, handle, 'switch-rollback-hold-cutover');
    } finally {
      for (const client of [app, source, target]) client.disconnect();
    }
  });

  it('restart: a dropped source connection, restarted by policy or dcs-migrate restart, one task each; logs prints it', async () => {
    await Promise.all([emptyInstance('source'), emptyInstance('target')]);
    // One database: the dropped connections are the ones the copy goes on using (a fresh db's connection would not be).
    await seedSampleData(env.emu.instance('source').endpoint, { keys: 3_000, seed: 5, dbs: [0] });
    // Two migrations at once (each CLI call costs seconds, so they overlap): one restarted by its policy, one
    // waiting for an operator. The fault drops the source of each one's first run at 30 % of the full copy.
    env.emu.faults.add({ operation: 'SetOnlineMigrationTask', dataPlane: { dropSourceAt: 30 }, count: 2 });
    const before = env.emu.requests().length;
    const input = (restart: Record<string, unknown>) => onlineInput('full', { onFailure: 'keep', restart });
    const byPolicy = await env.start(
      input({ maxAttempts: 1, backoff: { initial: '100ms', max: '200ms' } }),
      'flow-restart-policy',
    );
    const byOperator = await env.start(input({ maxAttempts: 0, waitForOperator: '60s' }), 'flow-restart-operator');
    const pending = await waitFor(
      'a wait for an operator restart',
      async () => (await byOperator.query(statusQuery)).restartPending,
      30_000,
      100,
    );
    expect(pending).toMatchObject({ by: 'operator', reason: expect.stringMatching(/was lost/) });
    const policyResult = await resultOf(byPolicy);
    const [accepted, logs] = await Promise.all([
      runCli(['restart', 'flow-restart-operator', '--note', 'source is back'], env.cliEnv()),
      // The JSON end to end (the table's layout is unit-tested in cli-units).
      runCli(['logs', 'flow-restart-policy', '--json'], env.cliEnv()),
    ]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(
      /restart accepted for flow-restart-operator at .* \(the task had failed: .*was lost\)/,
    );
    const operatorResult = await resultOf(byOperator);

    expect(policyResult).toMatchObject({
      outcome: 'succeeded',
      remoteStatus: 'SUCCESS',
      restarts: { count: 1, byPolicy: 1 },
    });
    expect(operatorResult).toMatchObject({
      outcome: 'succeeded',
      restarts: { count: 1, byPolicy: 0, last: { by: 'operator', note: 'source is back' } },
    });
    // The same task each: two created, each restarted once by DCS, never another one.
    for (const name of ['dcsm-flow-restart-policy', 'dcsm-flow-restart-operator'])
      expect(env.emu.tasks().filter((task) => task.name === name)).toHaveLength(1);
    expect(callsSince(env.emu, before, 'CreateOnlineMigrationTask')).toHaveLength(2);
    expect(callsSince(env.emu, before, 'BatchRestartOnlineMigrationTasks')).toHaveLength(2);
    expect(
      (await compareRedis(env.emu.instance('source').endpoint, env.emu.instance('target').endpoint)).totalDifferences,
    ).toBe(0);
    await saveHistory(env, byPolicy, 'online-full-restart-policy');
    await saveHistory(env, byOperator, 'online-full-restart-operator');

    expect(logs.code, logs.stderr).toBe(0);
    const json = jsonOf<{ taskId: string; total: number; entries: TaskLogEntry[] }>(logs);
    const codes = json.entries.map((entry) => entry.code);
    expect(codes.slice(codes.indexOf('migration.connection.lost'))).toEqual(
      expect.arrayContaining([
        'migration.connection.lost',
        'migration.restart',
        'migration.full.start',
        'migration.success',
      ]),
    );
    expect(json.taskId).toBe(policyResult.taskId);
    expect(json.total).toBe(json.entries.length);
    for (const secret of [DEFAULT_PAIR.source.password, DEFAULT_PAIR.target.password, env.emu.credentials.sk])
      expect(logs.stdout).not.toContain(secret);
  });

  it("a second migration with a running one's task name is refused (owner found by visibility); the first cuts over", async () => {
    const taskName = 'flow-shared-task-name';
    const first = await env.start(onlineInput('incremental', { taskName }), 'flow-owner');
    await phaseOf(first, 'incremental-hold');
    const { taskId } = await first.query(statusQuery);
    const before = env.emu.requests().length;
    const failure = await failureOf(await env.start(onlineInput('full', { taskName }), 'flow-intruder'));
    expect(failure.type).toBe('RemoteTaskOwned');
    expect(failure.message).toContain(
      `remote task ${taskId} (${taskName}) is driven by the running migration flow-owner`,
    );
    expect(
      callsSince(env.emu, before, 'StopMigrationTask', 'DeleteMigrationTask', 'CreateOnlineMigrationTask'),
    ).toEqual([]);
    expect(env.emu.tasks().find((task) => task.id === taskId)?.status).toBe('INCRMIGEATING');
    await first.executeUpdate(cutoverUpdate, { args: [{ note: 'owner test' }] });
    expect(await resultOf(first)).toMatchObject({ outcome: 'cut-over', taskId, remoteStatus: 'TERMINATED' });
  });

  it('no password appears in history, search attributes or the status query', async () => {
    const handle = env.temporal.client.workflow.getHandle('flow-online-full');
    const history = decodedText(await handle.fetchHistory());
    expect(history).toContain('SOURCE_REDIS_PASSWORD'); // the reference is there, decoded: the check can see payloads
    const status = JSON.stringify(await handle.query(statusQuery));
    for (const secret of Object.values(PASSWORD_ENV)) {
      expect(history).not.toContain(secret);
      expect(status).not.toContain(secret);
    }
  });
});

async function startClient(endpoint: { host: string; port: number; password?: string | undefined }) {
  return new Redis({ host: endpoint.host, port: endpoint.port, password: endpoint.password });
}

/** Every string and every binary field (payload data) of a history, as text. */
function decodedText(value: unknown): string {
  const parts: string[] = [];
  const visit = (node: unknown): void => {
    if (node instanceof Uint8Array) parts.push(Buffer.from(node).toString('utf8'));
    else if (typeof node === 'string') parts.push(node);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') Object.values(node).forEach(visit);
  };
  visit(value);
  return parts.join('\n');
}
