/**
 * The DCS instance types the emulator starts, and how a user spells one: `single` (one redis-server), `ha`
 * (master/standby: a master and standbys following it with REPLICAOF) and `cluster` (a Redis Cluster of masters with
 * the 16384 slots split between them, optionally with replicas). The spelling is shared by `dcs-migrate emulator
 * --instance` and `dcs-migrate up`; see `parseInstanceSpec`.
 */
import type { CacheMode } from './cache-modes.js';

export type InstanceTopology =
  | { mode: 'single' }
  /** Master/standby: `standbys` replica servers follow the master (DCS's default is one). */
  | { mode: 'ha'; standbys: number }
  /** Redis Cluster: `masters` shards, each with `replicasPerMaster` replicas. */
  | { mode: 'cluster'; masters: number; replicasPerMaster: number };

export const TOPOLOGY_MODES = ['single', 'ha', 'cluster'] as const;
export type TopologyMode = (typeof TOPOLOGY_MODES)[number];

export const DEFAULT_TOPOLOGY: InstanceTopology = { mode: 'single' };
/** DCS Redis Cluster instances have at least 3 shards; more than 32 local redis-servers is not a rehearsal. */
export const CLUSTER_MASTERS = { min: 3, max: 32, default: 3 } as const;
export const CLUSTER_REPLICAS = { min: 0, max: 4, default: 0 } as const;
export const HA_STANDBYS = { min: 1, max: 4, default: 1 } as const;

/** The cache mode ShowInstance reports for a topology unless an attribute says otherwise. */
export function topologyCacheMode(topology: InstanceTopology): CacheMode {
  return topology.mode;
}

/** The topology in the spelling `parseTopology` reads: `single`, `ha:1`, `cluster:3x1`. */
export function formatTopology(topology: InstanceTopology): string {
  if (topology.mode === 'single') return 'single';
  if (topology.mode === 'ha') return `ha:${topology.standbys}`;
  return `cluster:${topology.masters}x${topology.replicasPerMaster}`;
}

/** A bad `--instance` (or topology) spelling; `field` names the part that is wrong. */
export class InstanceSpecError extends Error {
  override name = 'InstanceSpecError';
  constructor(
    readonly field: 'id' | 'mode' | 'shape' | 'password',
    message: string,
  ) {
    super(message);
  }
}

function count(text: string, what: string, limits: { min: number; max: number }): number {
  if (!/^\d{1,3}$/.test(text))
    throw new InstanceSpecError('shape', `${what} must be a whole number ${limits.min}-${limits.max}, got "${text}"`);
  const value = Number(text);
  if (value < limits.min || value > limits.max) {
    throw new InstanceSpecError('shape', `${what} must be ${limits.min}-${limits.max}, got ${value}`);
  }
  return value;
}

/**
 * `MODE[:SHAPE]`: `single`; `ha` or `ha:N` (N standbys, default 1); `cluster`, `cluster:M` (M masters, default 3)
 * or `cluster:MxR` (R replicas per master, default 0). Throws `InstanceSpecError` naming the bad field.
 */
export function parseTopology(text: string): InstanceTopology {
  const colon = text.indexOf(':');
  const mode = colon === -1 ? text : text.slice(0, colon);
  const shape = colon === -1 ? undefined : text.slice(colon + 1);
  if (shape === '') throw new InstanceSpecError('shape', `the shape after "${mode}:" is empty`);
  switch (mode) {
    case 'single':
      if (shape !== undefined)
        throw new InstanceSpecError('shape', `a single-node instance has no shape, got "${shape}"`);
      return { mode: 'single' };
    case 'ha':
      return {
        mode: 'ha',
        standbys:
          shape === undefined ? HA_STANDBYS.default : count(shape, 'the number of standbys (ha:N)', HA_STANDBYS),
      };
    case 'cluster': {
      if (shape === undefined)
        return { mode: 'cluster', masters: CLUSTER_MASTERS.default, replicasPerMaster: CLUSTER_REPLICAS.default };
      const [masters, replicas, ...rest] = shape.split('x');
      if (rest.length > 0 || replicas === '') {
        throw new InstanceSpecError(
          'shape',
          `a cluster shape is M (masters) or MxR (masters x replicas per master), got "${shape}"`,
        );
      }
      return {
        mode: 'cluster',
        masters: count(masters ?? '', 'the number of cluster masters (cluster:M)', CLUSTER_MASTERS),
        replicasPerMaster:
          replicas === undefined
            ? CLUSTER_REPLICAS.default
            : count(replicas, 'the replicas per master (cluster:MxR)', CLUSTER_REPLICAS),
      };
    }
    case 'ha_rw_split':
    case 'proxy':
      throw new InstanceSpecError(
        'mode',
        `the emulator does not start "${mode}" instances (stage the cache mode with the cacheMode attribute); use single, ha or cluster`,
      );
    default:
      throw new InstanceSpecError('mode', `the instance type must be single, ha or cluster, got "${mode}"`);
  }
}

const SHAPE_RULES: Record<TopologyMode, string> = {
  single: 'a single-node instance has no shape',
  ha: `the shape of ha is N, the number of standbys (${HA_STANDBYS.min}-${HA_STANDBYS.max})`,
  cluster: `the shape of cluster is M or MxR: masters (${CLUSTER_MASTERS.min}-${CLUSTER_MASTERS.max}) and replicas per master (${CLUSTER_REPLICAS.min}-${CLUSTER_REPLICAS.max})`,
};

/** Words that start a topology after `ID:` (the rest is then not a password of the old `ID:PASSWORD` spelling). */
const MODE_WORDS = new Set<string>([...TOPOLOGY_MODES, 'ha_rw_split', 'proxy']);

export interface InstanceSpec {
  id: string;
  password?: string;
  topology: InstanceTopology;
}

/**
 * Reads `ID[:MODE[:SHAPE]][@PASSWORD]`, e.g. `dst`, `dst:ha`, `dst:cluster:3x1@secret`, `dst@secret`; everything after
 * the first `@` is the password (ids, modes and shapes have no `@`). The older `ID:PASSWORD` still works when what
 * follows the first `:` does not start with a mode word (`single`, `ha`, `cluster`, …) followed by `:`, `@` or the end:
 * a password such as `ha` or `cluster:3` must be given as `ID@PASSWORD`. `isValidId` checks the id.
 */
export function parseInstanceSpec(text: string, isValidId: (id: string) => boolean): InstanceSpec {
  const at = text.indexOf('@');
  const colon = text.indexOf(':');
  let id: string;
  let topologyText: string | undefined;
  let password: string | undefined;
  if (colon !== -1 && (at === -1 || colon < at)) {
    id = text.slice(0, colon);
    const rest = text.slice(colon + 1);
    const restAt = rest.indexOf('@');
    const candidate = restAt === -1 ? rest : rest.slice(0, restAt);
    const word = candidate.split(':')[0] ?? '';
    if (MODE_WORDS.has(word)) {
      topologyText = candidate;
      password = restAt === -1 ? undefined : rest.slice(restAt + 1);
    } else {
      // The old spelling: all of it is the password, `@` and `:` included.
      password = rest;
    }
  } else {
    id = at === -1 ? text : text.slice(0, at);
    password = at === -1 ? undefined : text.slice(at + 1);
  }
  if (!isValidId(id)) {
    throw new InstanceSpecError(
      'id',
      `the id must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit; got "${id}"`,
    );
  }
  if (password === '') throw new InstanceSpecError('password', `the password of ${id} is empty`);
  let topology: InstanceTopology;
  try {
    topology = topologyText === undefined ? DEFAULT_TOPOLOGY : parseTopology(topologyText);
  } catch (error) {
    // The text may be a password of the old spelling (`ID:ha:secret`): the message does not repeat it.
    if (error instanceof InstanceSpecError && error.field === 'shape') {
      const mode = (topologyText ?? '').split(':')[0] as TopologyMode;
      throw new InstanceSpecError(
        'shape',
        `${SHAPE_RULES[mode]}; a password goes after "@" (${id}:${mode}:SHAPE@PASSWORD, or ${id}@PASSWORD)`,
      );
    }
    throw error;
  }
  return { id, ...(password === undefined ? {} : { password }), topology };
}
