/**
 * The workflow's optional verify step end to end: real Temporal dev server, production worker, the DCS emulator
 * moving data between real redis-servers, then the worker comparing source and target key by key.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutoverUpdate, statusQuery } from '../common/workflow-contract.js';
import { seedSampleData } from '../local/sample-data.js';
import { Redis } from 'ioredis';
import { waitFor } from '../local/wait.js';
import {
  onlineInput,
  resultOf,
  startMigrationTestEnv,
  type MigrationTestEnv,
  type RunningWorker,
} from './workflow-env.js';

describe('migration workflow: verify step', () => {
  let env: MigrationTestEnv;
  let worker: RunningWorker | undefined;
  beforeAll(async () => {
    env = await startMigrationTestEnv();
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
  });

  const address = (id: string) => `${env.emu.instance(id).endpoint.host}:${env.emu.instance(id).endpoint.port}`;
  const verifyBlock = (extra: Record<string, unknown> = {}) => {
    return {
      source: { address: address('source'), password: { env: 'SOURCE_REDIS_PASSWORD' } },
      target: { address: address('target'), password: { env: 'TARGET_REDIS_PASSWORD' } },
      roundInterval: '200ms',
      ...extra,
    };
  };

  async function withRedis<T>(use: (redis: Redis) => Promise<T>, id = 'target'): Promise<T> {
    const { host, port, password } = env.emu.instance(id).endpoint;
    const redis = new Redis({ host, port, password });
    try {
      return await use(redis);
    } finally {
      redis.disconnect();
    }
  }

  it('a full migration with verify reports 0 differences in its result, status and current details', async () => {
    worker = await env.startWorker();
    await withRedis((redis) => redis.flushall());
    await seedSampleData(env.emu.instance('source').endpoint, { keys: 1_500, seed: 3 });
    // The worker logs in as an ACL user whose password (unlike the default user's) is in a file: a verify step that
    // ignored the username would fail authentication.
    const passwordFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'verify-acl-')), 'password');
    await writeFile(passwordFile, 'verifier-file-pw\n');
    for (const id of ['source', 'target'])
      await withRedis(
        (redis) => redis.call('ACL', 'SETUSER', 'verifier', 'on', '>verifier-file-pw', '~*', '+@all'),
        id,
      );
    const asVerifier = (id: string) => ({
      address: address(id),
      username: 'verifier',
      password: { file: passwordFile },
    });
    const handle = await env.start(
      onlineInput('full', { verify: verifyBlock({ source: asVerifier('source'), target: asVerifier('target') }) }),
      'verify-clean',
    );
    const result = await resultOf(handle);
    expect(result.outcome).toBe('succeeded');
    expect(result.verification).toMatchObject({ outcome: 'clean', mode: 'full', totalDifferences: 0, differences: [] });
    expect(result.verification?.keysCompared).toBeGreaterThanOrEqual(1_500);
    expect(result.apiCalls['verifyData']).toBe(1);
    expect((await handle.query(statusQuery)).verification?.outcome).toBe('clean');
    const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
    expect(metadata.currentDetails).toMatch(/\*\*Verification:\*\* 0 differences in \d+ keys \(full\)/);
    expect(JSON.stringify(result)).not.toMatch(/secret-pw/);
  }, 120_000);

  it('names a key the target has and the source does not, and resumes from its checkpoint after a worker restart', async () => {
    worker ??= await env.startWorker();
    await withRedis((redis) => redis.flushall(), 'source');
    await seedSampleData(env.emu.instance('source').endpoint, { keys: 1_500, seed: 3 });
    await withRedis(async (redis) => {
      await redis.flushall();
      await redis.set('planted:extra', 'only on the target');
    });
    // Slow enough (500 keys/s over ~1,500 keys twice) that the worker can be stopped mid-way.
    const handle = await env.start(
      onlineInput('full', { verify: verifyBlock({ keysPerSecond: 500, rounds: 1 }) }),
      'verify-restart',
    );
    await waitForHeartbeat(handle);
    await worker?.stop();
    worker = await env.startWorker();
    const result = await resultOf(handle);
    expect(result.verification).toMatchObject({ outcome: 'differences', totalDifferences: 1, byKind: { EXTRA: 1 } });
    const target = env.emu.instance('target').endpoint;
    expect(result.verification?.differences).toEqual([
      {
        db: 0,
        shard: `${target.host}:${target.port}`,
        key: 'planted:extra',
        kind: 'EXTRA',
        detail: 'string exists only on the target',
      },
    ]);
    // Resumed, not restarted: every key counted once (1,500 source keys, then 1,501 target keys in the reverse scan).
    expect(result.verification?.keysCompared).toBe(1_500 + 1_501);
    expect(result.activityAttempts).toBeGreaterThan(Object.values(result.apiCalls).reduce((a, b) => a + b, 0));
  }, 180_000);

  it('an incremental migration is verified after the cutover request, before its task is stopped', async () => {
    worker ??= await env.startWorker();
    await withRedis((redis) => redis.flushall());
    const handle = await env.start(
      onlineInput('incremental', { verify: verifyBlock({ mode: 'length' }) }),
      'verify-incremental',
    );
    await waitFor(
      'the incremental hold',
      async () => (await handle.query(statusQuery)).phase === 'incremental-hold',
      60_000,
      200,
    );
    await handle.executeUpdate(cutoverUpdate, { args: [{ note: 'verify test' }] });
    const result = await resultOf(handle);
    expect(result).toMatchObject({ outcome: 'cut-over', remoteStatus: 'TERMINATED' });
    expect(result.verification).toMatchObject({ outcome: 'clean', mode: 'length', totalDifferences: 0 });
    // The comparison ran while the task was still syncing: its activity was scheduled before the stop call.
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).flatMap((event) =>
      event.activityTaskScheduledEventAttributes?.activityType?.name
        ? [event.activityTaskScheduledEventAttributes.activityType.name]
        : [],
    );
    expect(scheduled.indexOf('verifyData')).toBeGreaterThanOrEqual(0);
    expect(scheduled.indexOf('verifyData')).toBeLessThan(scheduled.indexOf('stopTask'));
  }, 120_000);

  async function waitForHeartbeat(handle: Awaited<ReturnType<MigrationTestEnv['start']>>): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const description = await handle.describe();
      const pending = description.raw.pendingActivities?.find(
        (activity) => activity.activityType?.name === 'verifyData',
      );
      if (pending?.heartbeatDetails?.payloads?.length) return;
      if (Date.now() > deadline) throw new Error('no heartbeat from verifyData within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
