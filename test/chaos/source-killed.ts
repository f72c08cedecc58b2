/**
 * The source redis-server killed with SIGKILL during full sync. The source is a self-hosted Redis (`addrs`) this
 * scenario starts itself, with 12 MB of data and a 1 MB/s bandwidth limit: the data plane writes batches of up to
 * 4 MB, so the full sync lasts about 12 s and the kill lands between batches.
 *
 * - `resumeMode: manual`: the remote task must end FAILED and the workflow fail as RemoteTaskFailed with a
 *   message that says what happened (the source connection), without the password.
 * - `resumeMode: auto`: the source comes back a second later on the same port with the same data (its RDB file);
 *   the emulator's data plane reconnects and resyncs (as DCS's auto resume does), and the migration succeeds with
 *   the target equal to the source.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { Redis } from 'ioredis';
import { seededRandom } from '../../common/seeded-random.js';
import { MigrationFailureType } from '../../common/workflow-contract.js';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { compareRedis } from '../../verify/compare.js';
import { chaosInput, sleep, startChaosStack, waitUntil, type ChaosStack } from './harness.js';
import { settleMigrations, type MigrationOutcome } from './outcomes.js';
import { formatSeconds, scenarioReport, type ScenarioReport } from './report.js';

export interface SourceKilledOptions {
  seed: number;
  workflowBundle: string;
}

const SELF_HOSTED_PASSWORD = randomBytes(12).toString('base64url');
const KEYS = 1_500;
const VALUE_BYTES = 8_000;

export async function sourceKilledScenario(options: SourceKilledOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const stack = await startChaosStack({
    name: 'source-killed',
    workflowBundle: options.workflowBundle,
    sourceKeys: 0,
    seed: options.seed,
    workerEnv: { SELF_HOSTED_REDIS_PASSWORD: SELF_HOSTED_PASSWORD },
  });
  const sourceDir = path.join(stack.dir, 'self-hosted-source');
  await mkdir(sourceDir);
  let source: RedisServer | undefined;
  try {
    source = await startRedisServer({ name: 'chaos-source', dir: sourceDir, password: SELF_HOSTED_PASSWORD });
    await seedValues(source, options.seed);
    const port = source.port;
    await stack.startWorker('w');
    const problems: string[] = [];
    const figures: Record<string, string | number> = {
      'source data': `${KEYS} keys, ${(KEYS * VALUE_BYTES) / 1e6} MB at 1 MB/s`,
    };
    const input = (resumeMode: 'manual' | 'auto') =>
      chaosInput('full', {
        source: { addrs: `127.0.0.1:${port}`, password: { env: 'SELF_HOSTED_REDIS_PASSWORD' } },
        resumeMode,
        bandwidthLimitMb: 1,
      });

    // manual: the task fails, the workflow fails with the typed reason.
    await emptyTarget(stack);
    const manual = await stack.start(input('manual'), `chaos-source-${options.seed}-manual`);
    const manualKilledAt = await killDuringFullSync(stack, manual, source, problems);
    const [manualOutcome] = (await settleMigrations(
      stack,
      [{ handle: manual, expect: { failureType: MigrationFailureType.RemoteTaskFailed } }],
      60_000,
    )) as [MigrationOutcome];
    // Recovery here is the migration ending as it should: failed saying why (manual), succeeded (auto).
    const recoveryMs = [Date.now() - manualKilledAt];
    figures['manual: kill → workflow failed'] = formatSeconds(recoveryMs[0]!);
    figures['manual: remote task'] = stack.remoteTasksOf(manual.workflowId)[0]?.status ?? 'none';
    figures['manual: reason'] = `${manualOutcome.failureType}: ${manualOutcome.failureMessage}`;
    if (figures['manual: remote task'] !== 'FAILED')
      problems.push(`manual: the remote task is ${figures['manual: remote task']}, not FAILED`);
    if (!/source Redis/.test(manualOutcome.failureMessage ?? ''))
      problems.push('manual: the failure message does not say the source was lost');
    if (manualOutcome.failureMessage?.includes(SELF_HOSTED_PASSWORD))
      problems.push('manual: the failure message contains the source password');

    // auto: the source comes back with its data; the run reconnects, resyncs and succeeds.
    source = await startRedisServer({ name: 'chaos-source', dir: sourceDir, password: SELF_HOSTED_PASSWORD, port });
    await emptyTarget(stack);
    const auto = await stack.start(input('auto'), `chaos-source-${options.seed}-auto`);
    const autoKilledAt = await killDuringFullSync(stack, auto, source, problems);
    await sleep(1_000);
    source = await startRedisServer({ name: 'chaos-source', dir: sourceDir, password: SELF_HOSTED_PASSWORD, port });
    const [autoOutcome] = (await settleMigrations(stack, [{ handle: auto, expect: 'complete' }], 120_000)) as [
      MigrationOutcome,
    ];
    figures['auto: source down'] = '1.0 s';
    recoveryMs.push(Date.now() - autoKilledAt);
    figures['auto: kill → workflow succeeded'] = formatSeconds(recoveryMs[1]!);
    const comparison = await compareRedis(
      { host: source.host, port: source.port, password: SELF_HOSTED_PASSWORD },
      stack.emu.instance('target').endpoint,
    );
    figures['auto: key differences'] = comparison.totalDifferences;
    if (comparison.totalDifferences !== 0)
      problems.push(`auto: target differs from source: ${comparison.totalDifferences} differences`);
    return scenarioReport(
      'source redis killed in full sync',
      [manualOutcome, autoOutcome],
      Date.now() - started,
      figures,
      problems,
      recoveryMs.sort((a, b) => a - b),
    );
  } finally {
    await source?.stop();
    await stack.teardown();
  }
}

/**
 * Waits until the remote task is in full sync with a tenth of the keys on the (emptied) target, then SIGKILLs the
 * source; returns when.
 */
async function killDuringFullSync(
  stack: ChaosStack,
  handle: WorkflowHandle,
  source: RedisServer,
  problems: string[],
): Promise<number> {
  const probe = new Redis({ ...stack.emu.instance('target').endpoint, lazyConnect: true });
  try {
    const inFullSync = await waitUntil(async () => {
      const task = stack.remoteTasksOf(handle.workflowId)[0];
      return task?.status === 'FULLMIGRATING' && (await probe.dbsize()) >= KEYS / 10;
    }, 60_000);
    if (!inFullSync) problems.push(`${handle.workflowId}: never saw the full sync under way`);
    const killedAt = Date.now();
    await source.kill();
    if ((await probe.dbsize()) >= KEYS) problems.push(`${handle.workflowId}: the full sync had ended before the kill`);
    return killedAt;
  } finally {
    probe.disconnect();
  }
}

async function emptyTarget(stack: ChaosStack): Promise<void> {
  const client = new Redis(stack.emu.instance('target').endpoint);
  try {
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

/** 12 MB of seeded incompressible values, saved to the RDB file so a restarted source has them again. */
async function seedValues(source: RedisServer, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const client = source.client();
  try {
    const pipeline = client.pipeline();
    for (let index = 0; index < KEYS; index++) {
      const value = Buffer.alloc(VALUE_BYTES);
      for (let offset = 0; offset < VALUE_BYTES; offset += 4)
        value.writeUInt32LE(Math.floor(random() * 2 ** 32), offset);
      pipeline.set(`chaos:${index}`, value);
    }
    await pipeline.exec();
    await client.save();
  } finally {
    client.disconnect();
  }
}
