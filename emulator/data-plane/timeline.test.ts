import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { DcsClient } from '../../dcs/client.js';
import { loadDcsConfig } from '../../dcs/config.js';
import { startEmulator, type Emulator } from '../index.js';
import { waitFor } from '../../local/wait.js';

// The timeline data plane through the real HTTP API: statuses follow the schedule with no Redis behind the
// addresses, progress grows with time, and every status change is recorded with its time.

const FULL_SYNC_MS = 600;
let emu: Emulator;
let client: DcsClient;

beforeAll(async () => {
  emu = await startEmulator({
    timings: { creatingMs: 50, terminatingMs: 50 },
    dataPlane: { timeline: { fullSyncMs: FULL_SYNC_MS, stopMs: 100 } },
  });
  client = new DcsClient({
    config: loadDcsConfig(
      {},
      {
        endpoint: emu.url,
        projectId: emu.credentials.projectId,
        accessKey: emu.credentials.ak,
        secretKey: emu.credentials.sk,
      },
    ),
  });
});

afterAll(async () => {
  await client?.close();
  await emu?.stop();
});

beforeEach(async () => {
  await emu.reset();
});

/** Creates an online task and configures it against addresses where no Redis listens: nothing is ever copied. */
async function startOnline(
  method: 'full_amount_migration' | 'incremental_migration',
): Promise<{ taskId: string; configuredAt: number }> {
  const created = await client.createOnlineMigrationTask({
    name: `timeline-${method}`,
    vpc_id: 'vpc',
    subnet_id: 'subnet',
    security_group_id: 'sg',
  });
  const taskId = created.instance_id;
  await waitFor('the migration machine', async () =>
    (await client.showJobInfo(String(created.job_id))).status === 'SUCCESS' ? true : undefined,
  );
  const configuredAt = Date.now();
  await client.setOnlineMigrationTask(taskId, {
    migration_method: method,
    resume_mode: 'manual',
    source_instance: { addrs: '127.0.0.1:1', password: 'unused' },
    target_instance: { addrs: '127.0.0.1:2', password: 'unused' },
  });
  return { taskId, configuredAt };
}

async function status(taskId: string): Promise<string> {
  return String((await client.showMigrationTask(taskId)).status);
}

it('a full migration is FULLMIGRATING with growing progress for fullSyncMs, then SUCCESS at the recorded time', async () => {
  const { taskId, configuredAt } = await startOnline('full_amount_migration');
  expect(await status(taskId)).toBe('FULLMIGRATING');
  await new Promise((resolve) => setTimeout(resolve, FULL_SYNC_MS / 2));
  const halfway = await client.showMigrationTaskStats(taskId);
  expect(Number(halfway.full_migration_progress)).toBeGreaterThan(20);
  expect(Number(halfway.full_migration_progress)).toBeLessThan(100);
  await waitFor('SUCCESS', async () => ((await status(taskId)) === 'SUCCESS' ? true : undefined), 5000, 20);

  const changes = emu.statusChanges(taskId);
  expect(changes.map((change) => change.status)).toEqual(['FULLMIGRATING', 'SUCCESS']);
  const [started, succeeded] = changes;
  expect(started!.at).toBeGreaterThanOrEqual(configuredAt);
  expect(succeeded!.at - started!.at).toBe(FULL_SYNC_MS);
  expect(Number((await client.showMigrationTaskStats(taskId)).full_migration_progress)).toBe(100);
});

it('an incremental migration holds INCRMIGEATING until stopped, then TERMINATING and TERMINATED', async () => {
  const { taskId } = await startOnline('incremental_migration');
  await waitFor('INCRMIGEATING', async () => ((await status(taskId)) === 'INCRMIGEATING' ? true : undefined), 5000, 20);
  await new Promise((resolve) => setTimeout(resolve, FULL_SYNC_MS));
  expect(await status(taskId)).toBe('INCRMIGEATING');

  await client.stopMigrationTask(taskId);
  expect(await status(taskId)).toBe('TERMINATING');
  await waitFor('TERMINATED', async () => ((await status(taskId)) === 'TERMINATED' ? true : undefined), 5000, 20);
  const changes = emu.statusChanges(taskId);
  expect(changes.map((change) => change.status)).toEqual([
    'FULLMIGRATING',
    'INCRMIGEATING',
    'TERMINATING',
    'TERMINATED',
  ]);
  expect(changes[3]!.at - changes[2]!.at).toBe(100);
});

it('failAfterMs fails the run on schedule with a message', async () => {
  await emu.stop();
  emu = await startEmulator({
    timings: { creatingMs: 50 },
    dataPlane: { timeline: { fullSyncMs: 10_000, failAfterMs: 200 } },
  });
  await client.close();
  client = new DcsClient({
    config: loadDcsConfig(
      {},
      {
        endpoint: emu.url,
        projectId: emu.credentials.projectId,
        accessKey: emu.credentials.ak,
        secretKey: emu.credentials.sk,
      },
    ),
  });
  const { taskId } = await startOnline('full_amount_migration');
  await waitFor('FAILED', async () => ((await status(taskId)) === 'FAILED' ? true : undefined), 5000, 20);
  expect(emu.statusChanges(taskId).map((change) => change.status)).toEqual(['FULLMIGRATING', 'FAILED']);
  expect(emu.tasks()[0]?.errorMessage).toMatch(/timeline/);
});
