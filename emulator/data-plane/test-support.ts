import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { waitFor } from '../../local/wait.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import type { DataPlaneRun, RunPhase } from './contract.js';

/** Test helpers shared by the data-plane tests (not used by the emulator itself). */

/** The server's endpoint: its login user, password and (for a TLS server) CA. */
export function endpointOf(server: RedisServer): RedisEndpoint {
  return server.endpoint;
}

/** A source and a target redis-server with their own passwords; `stop()` stops both. */
export async function startPair(): Promise<{ source: RedisServer; target: RedisServer; stop(): Promise<void> }> {
  const [source, target] = await Promise.all([
    startRedisServer({ password: 'source-pw-9f2', name: 'source' }),
    startRedisServer({ password: 'target-pw-4c1', name: 'target' }),
  ]);
  return { source, target, stop: async () => void (await Promise.all([source.stop(), target.stop()])) };
}

/** The pair for a whole file: started before its tests, stopped after them; read `source` / `target` in a test. */
export function usePair(): { readonly source: RedisServer; readonly target: RedisServer } {
  let pair: Awaited<ReturnType<typeof startPair>> | undefined;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });
  const started = () => {
    if (!pair) throw new Error('the redis-server pair is not started (usePair() registers beforeAll)');
    return pair;
  };
  return {
    get source() {
      return started().source;
    },
    get target() {
      return started().target;
    },
  };
}

export async function flushAll(...servers: RedisServer[]): Promise<void> {
  for (const server of servers) {
    const client = server.client();
    await client.flushall();
    client.disconnect();
  }
}

export async function waitForPhase(run: DataPlaneRun, phase: RunPhase, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `data-plane phase ${phase} (now ${run.phase()}: ${run.error() ?? ''})`,
    async () => run.phase() === phase,
    timeoutMs,
    20,
  );
}

/**
 * Waits until an incremental run has applied every change it was told of (`offset` 0 in the incremental phase).
 * The wait lasts while the run moves (its phase, offset or keys copied change; a resync after a failover re-copies
 * the whole keyspace, which takes long on a busy machine) and fails after `stallMs` without a change, or after
 * `maxMs` in all. A run that ended meanwhile fails the wait at once with its error; a timeout says where the run
 * stood, so a failure tells a failed run from a stuck or a slow one.
 */
export async function waitForDrain(run: DataPlaneRun, { stallMs = 30_000, maxMs = 60_000 } = {}): Promise<void> {
  const where = () => `phase ${run.phase()}, error ${run.error() ?? 'none'}, stats ${JSON.stringify(run.stats())}`;
  const started = Date.now();
  const state = () => `${run.phase()} ${run.stats().offset} ${run.stats().keysCopied}`;
  let last = { state: state(), at: started };
  for (;;) {
    const stats = run.stats();
    if (!stats.isMigrating) throw new Error(`the run ended before its change queue drained: ${where()}`);
    if (run.phase() === 'incremental' && stats.offset === 0) return;
    const now = Date.now();
    if (state() !== last.state) last = { state: state(), at: now };
    if (now - last.at >= stallMs || now - started >= maxMs) {
      const why = now - last.at >= stallMs ? `no progress for ${stallMs} ms` : `still moving after ${maxMs} ms`;
      throw new Error(`the change queue did not drain (${why}): ${where()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
