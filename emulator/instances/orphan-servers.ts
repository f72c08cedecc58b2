import { connectRedis } from '../../redis/connect.js';
import { redisOptions } from '../../redis/connection-options.js';
import { isRunning } from '../../local/processes.js';
import { waitFor } from '../../local/wait.js';
import type { SavedInstances } from './instance-registry.js';

/**
 * Stops the redis-servers an emulator killed with SIGKILL left running (its shutdown never ran, and nothing kills a
 * child with its parent), before they are started again on their ports from their AOF: never two servers for one
 * instance, and nothing written to the old one is lost (SIGTERM: Redis fsyncs the AOF as it shuts down; with
 * `appendfsync always` it was on disk already). Restarting rather than adopting keeps every server a child of the
 * emulator that runs it, stopped with it and in the pid registry under its pid (local/processes.ts).
 *
 * A server is recognised by its port answering, with the instance's password, an INFO whose `process_id` is the
 * pid saved: a pid reused by another process, or a port someone else took, is left alone (a port taken makes the
 * restart fail, naming it). Returns the pids stopped.
 */
export async function stopOrphanServers(saved: SavedInstances): Promise<number[]> {
  const servers = saved.instances.flatMap(({ started }) => {
    const nodes = (started?.layout.shards ?? []).flatMap(({ master, replicas }) => [master, ...replicas]);
    return nodes.map((server) => ({ ...server, password: started?.password }));
  });
  const stopped = await Promise.all(
    servers.map(async ({ port, pid, password }) => {
      if (await runsOn(port, pid, password)) return stopProcess(pid);
      return undefined;
    }),
  );
  return stopped.filter((pid): pid is number => pid !== undefined);
}

async function runsOn(port: number, pid: number, password: string | undefined): Promise<boolean> {
  if (!isRunning(pid)) return false;
  try {
    // redis/: fails at once rather than retrying (nothing there is an answer too).
    const redis = await connectRedis(redisOptions({ host: '127.0.0.1', port, password }, { connectTimeout: 1_000 }));
    try {
      return new RegExp(`^process_id:${pid}\\r?$`, 'm').test(await redis.info('server'));
    } finally {
      redis.disconnect();
    }
  } catch {
    // Nothing answers there, or not with this password: not the server saved.
    return false;
  }
}

async function stopProcess(pid: number): Promise<number> {
  process.kill(pid, 'SIGTERM');
  try {
    await waitFor(`the redis-server left running (pid ${pid}) to stop`, async () => !isRunning(pid), 10_000, 50);
  } catch {
    // A server that does not shut down in 10 s (a huge AOF rewrite) is killed: its AOF is fsynced on every write.
    if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    await waitFor(`the redis-server left running (pid ${pid}) to die`, async () => !isRunning(pid), 5_000, 50);
  }
  return pid;
}
