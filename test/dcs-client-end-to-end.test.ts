import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DcsClient } from '../dcs/client.js';
import { loadDcsConfig } from '../dcs/config.js';
import type { ListMigrationTaskLogsQuery } from '../dcs/schemas/index.js';
import { readTaskLogs } from '../dcs/task-logs.js';
import type { Emulator } from '../emulator/index.js';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { waitFor } from '../local/wait.js';
import { compareRedis } from '../verify/compare.js';
import { DEFAULT_PAIR, startTestStack, type TestStack } from './harness/stack.js';

// Cross-cutting (dcs/, emulator/, verify/): data through the whole stack: the project's DCS client (AK/SK and IAM-token auth) drives the emulator's API,
// the data plane moves keys between real redis-servers, and the key-by-key comparison finds no difference.

let stack: TestStack;
let emu: Emulator;
let source: Redis;
let target: Redis;
let akskClient: DcsClient;
let tokenClient: DcsClient;

beforeAll(async () => {
  stack = await startTestStack({
    temporal: false,
    name: 'e2e',
    emulator: { timings: { creatingMs: 200, terminatingMs: 100 } },
  });
  emu = stack.emu;
  source = stack.redis('source');
  target = stack.redis('target');
  akskClient = stack.dcsClient();
  tokenClient = new DcsClient({
    config: loadDcsConfig(
      {},
      {
        endpoint: emu.url,
        projectId: emu.credentials.projectId,
        iamUsername: emu.iamUser.name,
        iamPassword: emu.iamUser.password,
        iamEndpoint: emu.url,
      },
    ),
  });
  stack.onTeardown(() => tokenClient.close());
});

afterAll(async () => {
  await stack?.teardown();
});

beforeEach(() => stack.reset());

/** Every value type, TTLs, binary data and several databases. */
async function seed(redis: Redis, keys: number): Promise<void> {
  for (const db of [0, 3]) {
    await redis.select(db);
    const pipeline = redis.pipeline();
    for (let i = 0; i < keys; i++) pipeline.set(`s:${i}`, `value-${i}-${'x'.repeat(i % 50)}`);
    pipeline.hset('h', Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, `${i}`])));
    pipeline.rpush('l', ...Array.from({ length: 300 }, (_, i) => `item${i}`));
    pipeline.sadd('set', 'a', 'b', 'c');
    pipeline.zadd('z', 1, 'one', 2.5, 'two-and-a-half');
    pipeline.xadd('stream', '*', 'field', 'value');
    pipeline.set('ttl-key', 'expiring', 'EX', 3600);
    pipeline.set(Buffer.from([0xff, 0x00, 0xfe]), Buffer.from([0x01, 0x02, 0x80]));
    await pipeline.exec();
  }
  await redis.select(0);
}

async function waitForStatus(client: DcsClient, taskId: string, statuses: string[]): Promise<string> {
  return waitFor(
    `task ${taskId} to reach ${statuses.join('|')}`,
    async () => {
      const detail = await client.showMigrationTask(taskId);
      return statuses.includes(String(detail.status)) ? String(detail.status) : undefined;
    },
    60_000,
    100,
  );
}

async function startOnline(
  client: DcsClient,
  method: 'full_amount_migration' | 'incremental_migration',
): Promise<string> {
  const created = await client.createOnlineMigrationTask({
    name: `e2e-${method}`,
    vpc_id: 'vpc',
    subnet_id: 'subnet',
    security_group_id: 'sg',
  });
  const taskId = created.instance_id;
  await waitFor('the migration machine', async () =>
    (await client.showJobInfo(String(created.job_id))).status === 'SUCCESS' ? true : undefined,
  );
  await client.setOnlineMigrationTask(taskId, {
    migration_method: method,
    resume_mode: 'auto',
    source_instance: { id: 'source', password: DEFAULT_PAIR.source.password },
    target_instance: { id: 'target', password: DEFAULT_PAIR.target.password },
  });
  return taskId;
}

describe('end to end through the DCS client', () => {
  it('full migration (AK/SK): SUCCESS and no difference between source and target', async () => {
    await seed(source, 3000);
    const taskId = await startOnline(akskClient, 'full_amount_migration');
    expect(await waitForStatus(akskClient, taskId, ['SUCCESS', 'FAILED'])).toBe('SUCCESS');
    const report = await compareRedis(emu.instance('source').endpoint, emu.instance('target').endpoint);
    expect(report.totalDifferences).toBe(0);
    expect(report.dbs[3]?.keys).toBeGreaterThan(3000);
  });

  it('incremental migration (IAM token): live writes during the run, stop, no difference', async () => {
    await seed(source, 2000);
    const taskId = await startOnline(tokenClient, 'incremental_migration');
    await waitForStatus(tokenClient, taskId, ['INCRMIGEATING']);
    for (let i = 0; i < 200; i++) {
      await source.set(`live:${i}`, `${i}`);
      if (i % 10 === 0) await source.del(`s:${i}`);
      if (i % 25 === 0) await source.hset('h', `live${i}`, 'x');
    }
    await source.lpush('l', 'pushed-live');
    const stats = await tokenClient.showMigrationTaskStats(taskId);
    expect(String(stats.full_migration_progress)).toBe('100');
    await tokenClient.stopMigrationTask(taskId);
    expect(await waitForStatus(tokenClient, taskId, ['TERMINATED'])).toBe('TERMINATED');
    const report = await compareRedis(emu.instance('source').endpoint, emu.instance('target').endpoint);
    expect(report.differences).toEqual([]);
    expect(await target.get('live:199')).toBe('199');
  });

  describe('backup import', () => {
    let donor: RedisServer | undefined;
    afterAll(async () => donor?.stop());

    it('imports an RDB from an OBS bucket: SUCCESS and no difference from the Redis that wrote it', async () => {
      donor = await startRedisServer();
      const client = donor.client();
      await seed(client, 1500);
      await client.save();
      client.disconnect();
      await mkdir(path.join(emu.dataDir, 'buckets', 'e2e-bucket'), { recursive: true });
      await copyFile(path.join(donor.dir, 'dump.rdb'), path.join(emu.dataDir, 'buckets', 'e2e-bucket', 'backup.rdb'));
      const created = await akskClient.createMigrationTask({
        task_name: 'e2e-import',
        migration_type: 'backupfile_import',
        migration_method: 'full_amount_migration',
        backup_files: {
          file_source: 'self_build_obs',
          bucket_name: 'e2e-bucket',
          files: [{ file_name: 'backup.rdb' }],
        },
        target_instance: { id: 'target', password: DEFAULT_PAIR.target.password },
      });
      expect(await waitForStatus(akskClient, String(created.id), ['SUCCESS', 'FAILED'])).toBe('SUCCESS');
      const report = await compareRedis({ host: donor.host, port: donor.port }, emu.instance('target').endpoint);
      expect(report.differences).toEqual([]);
      expect(report.totalDifferences).toBe(0);
    });
  });
});

describe('task logs through the DCS client (dcs/task-logs.ts)', () => {
  it('reads the whole log or only its end, across pages, oldest first, with known secrets scrubbed', async () => {
    const { instance_id: taskId } = await akskClient.createOnlineMigrationTask({
      name: 'e2e-logs',
      vpc_id: 'v',
      subnet_id: 's',
      security_group_id: 'g',
    });
    // Every UpdateMigrationTask appends a line: enough for three pages of the reader's 100.
    for (let i = 0; i < 120; i++)
      await akskClient.updateMigrationTask(taskId, { resume_mode: i % 2 === 0 ? 'auto' : 'manual' });
    const pages: ListMigrationTaskLogsQuery[] = [];
    const listPage = (query: ListMigrationTaskLogsQuery) => (
      pages.push(query),
      akskClient.listMigrationTaskLogs(taskId, query)
    );
    const all = await readTaskLogs(listPage);
    expect(all.total).toBeGreaterThan(120);
    expect(all.entries).toHaveLength(all.total);
    expect(all.entries.at(-1)).toMatchObject({
      level: 'INFO',
      code: 'migration.update',
      message: 'Resume mode set to manual.',
    });
    expect(pages.map((page) => page.offset)).toEqual([0, 100]);

    pages.length = 0;
    const tail = await readTaskLogs(listPage, { last: 3, knownSecrets: ['manual'] });
    expect(tail.entries.map((entry) => entry.message)).toEqual([
      'Resume mode set to [REDACTED].',
      'Resume mode set to auto.',
      'Resume mode set to [REDACTED].',
    ]);
    // The first page tells the total, the second starts where the end does.
    expect(pages.map((page) => page.offset)).toEqual([0, all.total - 3]);
    expect(await readTaskLogs(listPage, { level: 'ERROR' })).toEqual({ entries: [], total: 0 });
  });
});
