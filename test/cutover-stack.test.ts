/**
 * `cutover.mode: auto` on the real stack (Temporal dev server, the emulator over real redis-servers, the
 * production worker) under a steady write load: the hold ends by itself, and only at the first moment its lag gate
 * holds. The bandwidth limit makes the gate wait: the writes made during the full copy are a backlog of hundreds
 * of keys when the task reaches the incremental state, drained at 1 MB/s while the load goes on.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationProgress } from '../common/workflow-contract.js';
import {
  onlineInput,
  resultOf,
  saveHistory,
  startMigrationTestEnv,
  type MigrationTestEnv,
  type RunningWorker,
} from './workflow-env.js';

/** Random bytes: DUMP payloads are LZF-compressed, and the bandwidth limit counts what is sent. */
const VALUE = randomBytes(4_096);
const MAX_OFFSET = 20;
const READS = 3;

/** Overwrites `keys` keys of 4 KiB round-robin, `perSecond` a second, until stopped: about 400 KiB/s. */
function steadyLoad(redis: Redis, keys: number, perSecond: number): { stop(): Promise<number> } {
  let running = true;
  let writes = 0;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const batch = redis.pipeline();
      for (let i = 0; i < perSecond / 10; i++) batch.set(`load:${writes++ % keys}`, VALUE);
      await batch.exec();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return writes;
    },
  };
}

describe('auto cutover on the real stack', () => {
  let env: MigrationTestEnv;
  let worker: RunningWorker;
  beforeAll(async () => {
    env = await startMigrationTestEnv({ timings: { creatingMs: 200, terminatingMs: 200 } });
    worker = await env.startWorker();
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
  });

  it('cuts over by itself only once the offset stayed at or below maxOffset for consecutiveReads reads', async () => {
    const { Redis } = await import('ioredis');
    const source = new Redis({ ...env.emu.instance('source').endpoint });
    try {
      // About 2 MiB to copy at 1 MB/s: two seconds of full copy in which the load queues changes.
      const seed = source.pipeline();
      for (let i = 0; i < 500; i++) seed.set(`seed:${i}`, VALUE);
      await seed.exec();
      const load = steadyLoad(source, 400, 100);
      const handle = await env.start(
        onlineInput('incremental', {
          bandwidthLimitMb: 1,
          polling: { initialInterval: 150, maxInterval: 150, backoffFactor: 1 },
          cutover: { mode: 'auto', gate: { maxOffset: MAX_OFFSET, consecutiveReads: READS } },
        }),
        `cutover-auto-${Date.now()}`,
      );
      const result = await resultOf(handle);
      // `npx tsx tools/record-histories.ts test/cutover-stack.test.ts`: the replay test then replays a policy-driven hold.
      await saveHistory(env, handle, 'online-incremental-auto-cutover');
      expect((await load.stop()) > 0).toBe(true);
      expect(result).toMatchObject({ outcome: 'cut-over', remoteStatus: 'TERMINATED', cutover: { by: 'auto' } });

      // What the workflow read, in order: the progress of each stats read before the stop call.
      const events = (await handle.fetchHistory()).events ?? [];
      const names = new Map<string, string>();
      const reads: MigrationProgress[] = [];
      for (const event of events) {
        const scheduled = event.activityTaskScheduledEventAttributes;
        if (scheduled?.activityType?.name) names.set(String(event.eventId), scheduled.activityType.name);
        if (scheduled?.activityType?.name === 'stopTask') break;
        const completed = event.activityTaskCompletedEventAttributes;
        if (completed && names.get(String(completed.scheduledEventId)) === 'showTaskStats') {
          reads.push(
            defaultPayloadConverter.fromPayload<{ progress: MigrationProgress }>(completed.result!.payloads![0]!)
              .progress,
          );
        }
      }
      // Reads in the hold: after the full copy finished.
      const offsets = reads
        .filter((progress) => progress.fullMigrationProgress === 100)
        .map((progress) => progress.offset ?? Infinity);
      const within = offsets.map((offset) => offset <= MAX_OFFSET);
      // The gate waited (the backlog), then held for exactly its reads: the stop came at the first run of three.
      expect(
        within.some((ok) => !ok),
        `offsets in the hold: ${offsets.join(', ')}`,
      ).toBe(true);
      expect(within.slice(-READS), `offsets in the hold: ${offsets.join(', ')}`).toEqual(
        Array<boolean>(READS).fill(true),
      );
      const firstRun = within.findIndex(
        (_, index) => index >= READS - 1 && within.slice(index - READS + 1, index + 1).every(Boolean),
      );
      expect(firstRun, `offsets in the hold: ${offsets.join(', ')}`).toBe(within.length - 1);
      expect(result.cutover?.reason).toBe(`auto, offset ≤ ${MAX_OFFSET} for ${READS} consecutive reads`);
    } finally {
      source.disconnect();
    }
  }, 60_000);
});
