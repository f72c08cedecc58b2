import { coversAllSlots } from '../../local/cluster-topology.js';
import { RedisConnections } from './connections.js';
import type { RedisEndpoint } from './contract.js';
import type { Side } from './redis-address.js';
import { sleep } from './run-lifecycle.js';

/** Nodes of a cluster side the run has seen (masters and replicas), to find the cluster again after losing a node. */
export async function knownNodes(side: RedisConnections): Promise<Array<{ host: string; port: number }>> {
  const topology = await side.knownTopology();
  if (topology?.kind !== 'cluster') return [];
  return topology.topology.masters.flatMap((master) => [{ host: master.host, port: master.port }, ...master.replicas]);
}

/**
 * Waits (up to `timeoutMs`) until the cluster a side belongs to is whole again after a failover: some node it
 * knows answers with `cluster_state:ok`, every slot is served and every master answers. Returns that node's
 * endpoint (the given one when it still works), or undefined when the cluster stays broken or unreachable.
 */
export async function awaitHealthyCluster(
  side: Side,
  given: RedisEndpoint,
  known: Array<{ host: string; port: number }>,
  timeoutMs: number,
): Promise<RedisEndpoint | undefined> {
  const candidates = [given, ...known.map(({ host, port }) => ({ ...given, host, port }))];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const candidate of candidates) if (await isHealthy(side, candidate)) return candidate;
    await sleep(250);
  }
  return undefined;
}

/** True when a standalone server answers PING, or a cluster node reports a healthy cluster (see above). */
export async function isHealthy(side: Side, endpoint: RedisEndpoint): Promise<boolean> {
  const probe = new RedisConnections(side, endpoint);
  try {
    const topology = await probe.topology();
    if (topology.kind === 'standalone') return (await (await probe.db(0)).ping()) === 'PONG';
    if (!coversAllSlots(topology.topology)) return false;
    const info = String(await (await probe.db(0)).call('CLUSTER', 'INFO'));
    if (!/^cluster_state:ok/m.test(info)) return false;
    for (const master of topology.masters) {
      const connection = await master.db(0);
      if (!/^role:master/m.test(await connection.info('replication'))) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}
