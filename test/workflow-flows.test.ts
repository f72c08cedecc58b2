/**
 * The three flows end to end: real Temporal dev server, real worker from the production factory, real DCS client,
 * real emulator moving data between real redis-servers. Each test checks what an operator relies on: the
 * workflow's result, the remote task's final status, and the target holding the source's data.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcsPhase, DcsRemoteStatus, DcsTaskId } from '../common/search-attributes.js';
import { cutoverUpdate, statusQuery } from '../common/workflow-contract.js';
import { callDcs } from '../emulator/testing/signed-http.js';
import { startRedisServer } from '../local/redis-server.js';
import { seedSampleData, startTraffic } from '../local/sample-data.js';
import { compareRedis } from '../verify/compare.js';
import { waitFor } from '../local/wait.js';
import { FAST_POLLING, onlineInput, PASSWORD_ENV, resultOf, saveHistory, startMigrationTestEnvWithWorker, type MigrationTestEnv } from './workflow-env.js';

describe('migration workflow flows', () => {
  let env: MigrationTestEnv;
  beforeAll(async () => {
    // The worker runs until teardown.
    ({ env } = await startMigrationTestEnvWithWorker());
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function emptyTarget(): Promise<void> {
    const target = env.emu.instance('target').endpoint;
    const redis = await startClient(target);
    await redis.flushall();
    redis.disconnect();
  }

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
      await waitFor('the incremental hold', async () => (await handle.query(statusQuery)).phase === 'incremental-hold', 60_000, 200);
      // The emulator really answers with the other spelling on the wire; the client normalises it once for everyone.
      const wire = await callDcs(env.emu, 'GET', '/migration-tasks?name=dcsm-flow-corrected-spelling');
      expect(wire.body.migration_tasks[0].status).toBe('INCRMIGRATING');
      const listed = await env.dcs.listMigrationTask({ name: 'dcsm-flow-corrected-spelling' });
      expect(listed.migration_tasks?.[0]?.status).toBe('INCRMIGEATING');
      expect((await handle.query(statusQuery)).remoteStatus).toBe('INCRMIGEATING');
      await waitFor('the search attribute', async () => (await handle.describe()).typedSearchAttributes.get(DcsRemoteStatus) === 'INCRMIGEATING');
      const listedByAttribute = env.temporal.client.workflow.list({ query: `WorkflowId = "flow-corrected-spelling" AND DcsRemoteStatus = "INCRMIGEATING"` });
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
    await expect(handle.executeUpdate(cutoverUpdate, { args: [{ note: 'too early' }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);

    const traffic = startTraffic(source, { keys: 2_000, seed: 11, opsPerSecond: 300 });
    try {
      await waitFor('the incremental hold', async () => (await handle.query(statusQuery)).phase === 'incremental-hold', 60_000, 200);
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
      await seedSampleData({ host: scratch.host, port: scratch.port, password: 'scratch-pw' }, { keys: 1_500, seed: 5, dbs: [0, 1] });
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
      const report = await compareRedis({ host: scratch.host, port: scratch.port, password: 'scratch-pw' }, env.emu.instance('target').endpoint);
      expect(report.totalDifferences).toBe(0);
      await saveHistory(env, handle, 'backup-import');
    } finally {
      await scratch.stop();
    }
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
  const { Redis } = await import('ioredis');
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
