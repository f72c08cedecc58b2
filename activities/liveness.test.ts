import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { withLivenessHeartbeats } from './liveness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a 400 ms activity wrapped for liveness under `heartbeatTimeoutMs`; returns its result and the beats seen. */
async function run(heartbeatTimeoutMs: number | undefined): Promise<{ result: string; beats: number }> {
  const env = new MockActivityEnvironment(heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs });
  let beats = 0;
  env.on('heartbeat', () => (beats += 1));
  const { slow } = withLivenessHeartbeats({ slow: async (label: string) => (await sleep(400), `done ${label}`) });
  const result: string = await env.run(slow, 'x');
  // Beats after the end would tell Temporal a finished attempt is still running.
  const atEnd = beats;
  await sleep(250);
  expect(beats).toBe(atEnd);
  return { result, beats };
}

describe('liveness heartbeats', () => {
  it('beat about three times per heartbeat timeout while the activity runs, and stop when it ends', async () => {
    const { result, beats } = await run(300);
    expect(result).toBe('done x');
    // 400 ms at one beat per 100 ms: three or four beats, whatever the timer jitter.
    expect(beats).toBeGreaterThanOrEqual(3);
    expect(beats).toBeLessThanOrEqual(4);
  });

  it('do nothing for an activity scheduled without a heartbeat timeout', async () => {
    expect(await run(undefined)).toEqual({ result: 'done x', beats: 0 });
  });
});
