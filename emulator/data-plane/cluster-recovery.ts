import type { Redis } from 'ioredis';
import { coversAllSlots } from '../../redis/cluster-topology.js';
import { RedisConnections } from './connections.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import type { Side } from './redis-address.js';
import { sleep } from './run-lifecycle.js';

/**
 * Nodes of a cluster side the run has seen (masters and replicas), to find the cluster again after losing a node,
 * and the slot map's signature then (to tell a failover from a dropped connection).
 */
export async function knownNodes(
  side: RedisConnections,
): Promise<{ nodes: Array<{ host: string; port: number }>; signature: string } | undefined> {
  const topology = await side.knownTopology();
  if (topology?.kind !== 'cluster') return undefined;
  return {
    nodes: topology.topology.masters.flatMap((master) => [
      { host: master.host, port: master.port },
      ...master.replicas,
    ]),
    signature: topology.topology.signature,
  };
}

/** A side that answers again: where to connect, and (for a cluster) its slot map's signature ('' when standalone). */
export interface HealthySide {
  endpoint: RedisEndpoint;
  signature: string;
}

/**
 * Waits (up to `timeoutMs`) until the cluster a side belongs to is whole again after a failover: some node it
 * knows serves every slot, and every master it names answers as master with `cluster_state:ok`. Returns that node's
 * endpoint (the given one when it still works), or undefined when the cluster stays broken or unreachable.
 */
export async function awaitHealthyCluster(
  side: Side,
  given: RedisEndpoint,
  known: Array<{ host: string; port: number }>,
  timeoutMs: number,
  /** Gives up early (the run is being stopped). */
  cancelled: () => boolean = () => false,
): Promise<HealthySide | undefined> {
  const candidates = [given, ...known.map(({ host, port }) => ({ ...given, host, port }))];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !cancelled()) {
    for (const candidate of candidates) {
      const signature = await healthySignature(side, candidate);
      if (signature !== undefined) return { endpoint: candidate, signature };
    }
    await sleep(250);
  }
  return undefined;
}

async function reportsClusterOk(node: Redis): Promise<boolean> {
  return /^cluster_state:ok/m.test(String(await node.call('CLUSTER', 'INFO')));
}

/** '' when a standalone server answers PING; the slot map's signature when a cluster node reports a healthy cluster (see above). */
async function healthySignature(side: Side, endpoint: RedisEndpoint): Promise<string | undefined> {
  const probe = new RedisConnections(side, endpoint);
  try {
    const topology = await probe.topology();
    if (topology.kind === 'standalone') return (await (await probe.db(0)).ping()) === 'PONG' ? '' : undefined;
    if (!coversAllSlots(topology.topology)) return undefined;
    if (!(await reportsClusterOk(await probe.db(0)))) return undefined;
    // Every master, not only the node asked: nodes learn of a failover one by one, and a master that still counts
    // its cluster as down refuses the resync's scripts.
    for (const master of topology.masters) {
      const connection = await master.db(0);
      if (!/^role:master/m.test(await connection.info('replication'))) return undefined;
      if (!(await reportsClusterOk(connection))) return undefined;
    }
    return topology.topology.signature;
  } catch {
    return undefined;
  } finally {
    await probe.close();
  }
}
