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
 * A run that ended meanwhile fails the wait at once with its error; a timeout says where the run stood, so a
 * failure tells a run that failed from one that is slow or stuck.
 */
export async function waitForDrain(run: DataPlaneRun, timeoutMs = 30_000): Promise<void> {
  const where = () => `phase ${run.phase()}, error ${run.error() ?? 'none'}, stats ${JSON.stringify(run.stats())}`;
  const outcome = await waitFor(
    'the change queue to drain',
    () => {
      if (!run.stats().isMigrating) return 'ended';
      return run.phase() === 'incremental' && run.stats().offset === 0 && 'drained';
    },
    timeoutMs,
    20,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message} (${where()})`);
  });
  if (outcome === 'ended') throw new Error(`the run ended before its change queue drained: ${where()}`);
}
