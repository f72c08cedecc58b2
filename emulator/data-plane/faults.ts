import type { Redis } from 'ioredis';
import type { DataPlaneFaults } from './contract.js';
import type { RedisConnections } from './connections.js';
import { DataPlaneError } from './failures.js';

/**
 * The faults a run was asked to inject, fired by full-sync progress so that a test gets the same outcome on
 * every run: `failAt` fails the run (whatever the resume mode), `dropSourceAtProgress` drops the source
 * connections once (the resume mode decides what follows).
 */
export class FaultSchedule {
  private dropped = false;

  constructor(private readonly faults: DataPlaneFaults = {}) {}

  /** Throws the injected failure when due; returns true when the source connections should be dropped now. */
  check(progress: number): { dropSource: boolean } {
    const failAt = this.faults.failAt;
    if (failAt && progress >= failAt.atProgress) {
      throw new DataPlaneError(
        failAt.message ?? `the migration failed at ${progress}% of the full migration (injected fault)`,
        false,
      );
    }
    const dropAt = this.faults.dropSourceAtProgress;
    if (dropAt !== undefined && !this.dropped && progress >= dropAt) {
      this.dropped = true;
      return { dropSource: true };
    }
    return { dropSource: false };
  }
}

/**
 * Drops every connection the run holds to `side`, the way a network fault or a server-side CLIENT KILL would:
 * the server closes them, so the run sees a real "connection lost" on its next command.
 */
export async function dropConnections(side: RedisConnections): Promise<void> {
  // Every node that holds connections: the server, or the node given and each master of a cluster.
  for (const node of await side.nodes()) await dropNodeConnections(node);
}

async function dropNodeConnections(side: RedisConnections): Promise<void> {
  if (!side.connectionName) return;
  const [any] = await side.opened();
  if (!any) return;
  const admin: Redis = any.duplicate({ connectionName: undefined });
  admin.on('error', () => {});
  try {
    const list = String(await admin.client('LIST'));
    const ids = [...list.matchAll(/^id=(\d+) .*? name=(\S*)/gm)]
      .filter((match) => match[2] === side.connectionName)
      .map((match) => match[1] as string);
    for (const id of ids) await admin.client('KILL', 'ID', id);
  } finally {
    admin.disconnect();
  }
}
