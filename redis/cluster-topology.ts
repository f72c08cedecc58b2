import type { Redis } from 'ioredis';
import { formatAddress, type HostPort } from './address.js';
import { keySlot, SLOT_COUNT } from './key-slot.js';

/** One master of a Redis Cluster and the slots it serves. */
export interface ClusterMaster extends HostPort {
  /** Slot ranges `[first, last]` served by this master. */
  slots: Array<[number, number]>;
  /** Its replicas, as `CLUSTER SLOTS` lists them. */
  replicas: HostPort[];
}

/** Which master serves each slot, from the point of view of one node. */
export interface ClusterTopology {
  /** Masters serving slots, ordered by `host:port` (a stable order for logs and stats). */
  masters: ClusterMaster[];
  /** Per slot, the index in `masters` of the master serving it (-1: unserved). */
  slotOwners: Int16Array;
  /** Equal for two topologies with the same masters serving the same slots. */
  signature: string;
}

/** True when the node answers `cluster_enabled:1` to INFO cluster. */
export async function isClusterNode(node: Redis): Promise<boolean> {
  return /^cluster_enabled:1/m.test(await node.info('cluster'));
}

/**
 * The cluster's masters and slot map as `node` sees them (`CLUSTER SLOTS`). A node that does not know its own IP
 * yet answers an empty host: that is the one we asked, `givenHost`.
 */
export async function clusterTopology(node: Redis, givenHost: string): Promise<ClusterTopology> {
  type SlotRange = [number, number, ...Array<[string, number, ...unknown[]]>];
  const reply = (await node.call('CLUSTER', 'SLOTS')) as SlotRange[];
  const byAddress = new Map<string, ClusterMaster>();
  for (const [first, last, master, ...replicas] of reply) {
    if (!master) continue;
    const host = String(master[0]) || givenHost;
    const port = Number(master[1]);
    const name = formatAddress({ host, port });
    const entry = byAddress.get(name) ?? { host, port, slots: [], replicas: [] };
    entry.slots.push([Number(first), Number(last)]);
    for (const replica of replicas) {
      const replicaHost = String(replica[0]) || givenHost;
      if (!entry.replicas.some((known) => known.host === replicaHost && known.port === Number(replica[1])))
        entry.replicas.push({ host: replicaHost, port: Number(replica[1]) });
    }
    byAddress.set(name, entry);
  }
  const masters = [...byAddress.values()].sort((a, b) => formatAddress(a).localeCompare(formatAddress(b)));
  const slotOwners = new Int16Array(SLOT_COUNT).fill(-1);
  for (const [index, master] of masters.entries()) {
    master.slots.sort((a, b) => a[0] - b[0]);
    for (const [first, last] of master.slots) slotOwners.fill(index, first, last + 1);
  }
  const slotsOf = (master: ClusterMaster) => master.slots.map(([first, last]) => `${first}-${last}`).join(',');
  const signature = masters.map((master) => `${formatAddress(master)}=${slotsOf(master)}`).join(' ');
  return { masters, slotOwners, signature };
}

/** True when every slot is served by some master. */
export function coversAllSlots(topology: ClusterTopology): boolean {
  return !topology.slotOwners.includes(-1);
}

/** The index in `topology.masters` of the master serving `key` (-1 when its slot is unserved). */
export function masterIndexOf(topology: ClusterTopology, key: Uint8Array | string): number {
  return topology.slotOwners[keySlot(key)] as number;
}
