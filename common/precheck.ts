/** One pre-flight check's outcome: a stable id, the verdict, what was seen, and what to do about it. */
export type PrecheckVerdict = 'pass' | 'warn' | 'fail';

export interface PrecheckOutcome {
  /** Stable, kebab-case, e.g. `target-running`; documented, safe to alert or script on. */
  id: string;
  verdict: PrecheckVerdict;
  /** What was checked, in a few words. */
  title: string;
  /** What was seen (never a secret). */
  evidence: string;
  /** What to do when the verdict is not `pass`. */
  remedy?: string;
}

/**
 * Every pre-flight check, by its stable id (docs/migration-file.md, "Pre-flight checks"), with its title. `dcs` checks read
 * ShowInstance; `redis` checks connect from the worker (or the CLI) to the Redis servers themselves and run only
 * when asked (`prechecks.redis`, or `dcs-migrate check`). Ids are never renamed: scripts and alerts match them.
 */
export const PRECHECKS = {
  'target-exists': { source: 'dcs', title: 'the target DCS instance exists' },
  'target-running': { source: 'dcs', title: 'the target instance is RUNNING' },
  'source-running': { source: 'dcs', title: 'the source DCS instance exists and is RUNNING' },
  'source-not-proxy-cluster': { source: 'dcs', title: 'the source is not a DCS Proxy Cluster' },
  'engine-version': { source: 'dcs', title: "the target's engine is not older than the source's" },
  'target-memory': { source: 'dcs', title: "the target's free memory holds the source's data" },
  'multi-db-into-cluster': {
    source: 'redis',
    title: 'a source using several databases is not going into a Redis Cluster',
  },
  'aof-into-cluster': { source: 'dcs', title: 'no AOF file is imported into a Redis Cluster' },
  'target-ssl': { source: 'dcs', title: 'SSL is off on the target' },
  'acl-user': { source: 'dcs', title: 'the migration logs in without an ACL user (DCS does not support them)' },
  'public-access': { source: 'dcs', title: 'no public access (IP switching refuses it)' },
  'rollback-keeps-writes': { source: 'dcs', title: 'a rollback keeps the writes made after the switch (reverse sync)' },
  'source-auth': { source: 'redis', title: 'the source answers PING with the referenced password' },
  'target-auth': { source: 'redis', title: 'the target answers PING with the referenced password' },
  'source-repl-timeout': { source: 'redis', title: 'the source allows a slow full sync (repl-timeout ≥ 300 s)' },
  'source-output-buffer': { source: 'redis', title: "the source's replica output buffer is large enough" },
  'keyspace-notifications': { source: 'redis', title: 'keyspace notifications for the incremental phase' },
  'target-empty': { source: 'redis', title: 'the target holds no keys' },
  'target-eviction-policy': { source: 'redis', title: 'the target does not evict keys' },
  'source-big-keys': { source: 'redis', title: 'no big keys in a sample of the source' },
} as const satisfies Record<string, { source: 'dcs' | 'redis'; title: string }>;

export type PrecheckId = keyof typeof PRECHECKS;
export const PRECHECK_IDS = Object.keys(PRECHECKS) as PrecheckId[];

/** The outcomes that stop a migration. */
export function failingChecks(outcomes: readonly PrecheckOutcome[]): PrecheckOutcome[] {
  return outcomes.filter((outcome) => outcome.verdict === 'fail');
}

/** `2 pre-flight checks failed: target-running (status CREATING); target-ssl (enable_ssl true)`: names each failing check. */
export function precheckFailureMessage(outcomes: readonly PrecheckOutcome[]): string {
  const failing = failingChecks(outcomes);
  const count = failing.length === 1 ? '1 pre-flight check failed' : `${failing.length} pre-flight checks failed`;
  return `${count}, nothing was created: ${failing.map((outcome) => `${outcome.id} (${outcome.evidence})`).join('; ')}`;
}
