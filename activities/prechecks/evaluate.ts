/**
 * The pre-flight verdicts, from what DCS (ShowInstance) and the Redis servers said. Pure: every decision about
 * what passes, warns or fails is here and in `server-verdicts.ts` (what the servers themselves said), with the
 * thresholds; `run-prechecks.ts` only gathers the facts.
 */
import type { MigrationInput } from '../../common/migration-input.js';
import type { PrecheckOutcome } from '../../common/precheck.js';
import { reverseSyncOutcome } from '../../common/reverse-sync.js';
import type { InstanceDetail } from '../../dcs/schemas/index.js';
import { toNumber } from '../../dcs/schemas/index.js';
import { mb, outcome } from './outcome.js';
import type { RedisRead } from './redis-probe.js';

export type { RedisRead } from './redis-probe.js';
import { authOutcome, sourceServerOutcomes, targetServerOutcomes } from './server-verdicts.js';

/** A DCS instance as read: its detail, or why it could not be read (`missing`: DCS.3022, the id is unknown). */
export type InstanceRead = { ok: true; detail: InstanceDetail } | { ok: false; missing: boolean; reason: string };

export interface PrecheckFacts {
  input: MigrationInput;
  target: InstanceRead;
  /** Only when the source is a DCS instance (`source.instanceId`). */
  source?: InstanceRead;
  /** Only when Redis checks were asked for. */
  redis?: { source?: RedisRead; target: RedisRead };
}

/** `7.2.4` → [7, 2, 4]; undefined when it is not a version. */
function versionOf(value: string | null | undefined): number[] | undefined {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(value?.trim() ?? '');
  return match ? [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] : undefined;
}

/** Compares major.minor only: DCS reports `6.0` where the server says `6.0.20`. */
function olderThan(a: number[], b: number[]): boolean {
  return a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!);
}

/** An AOF by its object name: `*.aof`, a Redis 7 manifest `*.aof.manifest`, or an `appendonly*` file that is not an `.rdb`. */
function namedAsAof(name: string): boolean {
  const base = name.split('/').pop() ?? name;
  return /\.aof(\.manifest)?$/i.test(base) || (/^appendonly/i.test(base) && !/\.rdb$/i.test(base));
}

/**
 * DCS refuses to import AOF files into a Redis Cluster instance (dcs-operations.md §3). The worker cannot read
 * the bucket, so the files are judged by name; a backup record's format is unknown (a warning).
 */
function aofIntoClusterOutcome(input: Extract<MigrationInput, { kind: 'backup_import' }>): PrecheckOutcome {
  const remedy =
    'DCS imports only RDB files into a Redis Cluster: convert the AOF to an RDB (load it into a redis-server, then BGSAVE) and import that.';
  if (input.backup.source !== 'obs') {
    return outcome(
      'aof-into-cluster',
      'warn',
      `the target is a Redis Cluster; the format of backup record ${input.backup.backupId} is unknown`,
      remedy,
    );
  }
  const aof = input.backup.files.map((file) => file.name).filter(namedAsAof);
  return aof.length > 0
    ? outcome(
        'aof-into-cluster',
        'fail',
        `the target is a Redis Cluster; AOF file(s) by name: ${aof.join(', ')}`,
        remedy,
      )
    : outcome(
        'aof-into-cluster',
        'pass',
        `the target is a Redis Cluster; ${input.backup.files.length} file(s), none named as an AOF`,
      );
}

/**
 * ACL users are not supported for online migration (dcs-operations.md §3): the task carries a password only, and
 * DCS logs in as the default user. The input names users only for verification, so a user other than `default`
 * there is the sign that the servers expect one: a warning (the password given may still be the default user's).
 */
function aclUserOutcome(verify: NonNullable<MigrationInput['verify']>): PrecheckOutcome {
  const users = (['source', 'target'] as const)
    .filter((side) => verify[side].username !== undefined && verify[side].username !== 'default')
    .map((side) => `verify.${side}.username "${verify[side].username}"`);
  return users.length > 0
    ? outcome(
        'acl-user',
        'warn',
        `${users.join(', ')}: an ACL user; DCS's online migration logs in with the password only, as the default user`,
        "DCS does not support ACL users for online migration: give source.password and target.password as the default user's password (requirepass), with the default user enabled.",
      )
    : outcome('acl-user', 'pass', 'no ACL user named (the default user)');
}

export function evaluatePrechecks(facts: PrecheckFacts): PrecheckOutcome[] {
  const { input } = facts;
  const outcomes: PrecheckOutcome[] = [];
  const target = facts.target.ok ? facts.target.detail : undefined;
  const source = facts.source?.ok ? facts.source.detail : undefined;
  const sourceRedis = facts.redis?.source?.probed ? facts.redis.source.facts : undefined;
  const targetRedis = facts.redis?.target.probed ? facts.redis.target.facts : undefined;
  const sourceOk = sourceRedis?.connection.ok ? sourceRedis : undefined;
  const targetOk = targetRedis?.connection.ok ? targetRedis : undefined;
  const isMigration = input.kind !== 'backup_import';

  // What DCS says about the instances.
  if (!facts.target.ok) {
    outcomes.push(
      facts.target.missing
        ? outcome(
            'target-exists',
            'fail',
            `DCS has no instance ${input.target.instanceId} (${facts.target.reason})`,
            'Check target.instanceId and the project and region the worker uses (HUAWEICLOUD_SDK_PROJECT_ID, DCS_REGION).',
          )
        : outcome(
            'target-exists',
            'warn',
            `could not read instance ${input.target.instanceId}: ${facts.target.reason}`,
            'The checks that need DCS were skipped; the migration reports the same error if it persists.',
          ),
    );
  } else {
    outcomes.push(
      outcome('target-exists', 'pass', `instance ${input.target.instanceId} (${target?.name ?? 'unnamed'})`),
    );
  }
  if (target) {
    outcomes.push(
      target.status === 'RUNNING'
        ? outcome('target-running', 'pass', 'status RUNNING')
        : outcome(
            'target-running',
            'fail',
            `status ${target.status}`,
            'Wait until the target instance is RUNNING (or restart it in the DCS console), then run again.',
          ),
    );
    // DCS states the SSL rule for online migration (dcs-operations.md §3): for a backup import it is a warning.
    outcomes.push(
      target.enable_ssl === true
        ? isMigration
          ? outcome(
              'target-ssl',
              'fail',
              'enable_ssl true',
              'DCS does not migrate into an instance with SSL on: turn SSL off on the target for the migration.',
            )
          : outcome(
              'target-ssl',
              'warn',
              'enable_ssl true',
              'DCS refuses SSL targets for online migration; turn SSL off if the import is refused.',
            )
        : outcome('target-ssl', 'pass', `enable_ssl ${String(target.enable_ssl ?? false)}`),
    );
    if (input.kind === 'backup_import' && target.cache_mode === 'cluster') outcomes.push(aofIntoClusterOutcome(input));
  }
  if (input.kind === 'online' && input.source.instanceId !== undefined) {
    const read = facts.source;
    if (read && !read.ok) {
      outcomes.push(
        outcome(
          'source-running',
          read.missing ? 'fail' : 'warn',
          read.missing
            ? `DCS has no instance ${input.source.instanceId} (${read.reason})`
            : `could not read instance ${input.source.instanceId}: ${read.reason}`,
          read.missing
            ? 'Check source.instanceId and the project and region the worker uses.'
            : 'The source checks that need DCS were skipped.',
        ),
      );
    } else if (source) {
      outcomes.push(
        source.status === 'RUNNING'
          ? outcome('source-running', 'pass', 'status RUNNING')
          : outcome(
              'source-running',
              'fail',
              `status ${source.status}`,
              'Wait until the source instance is RUNNING, then run again.',
            ),
      );
      outcomes.push(
        source.cache_mode === 'proxy'
          ? outcome(
              'source-not-proxy-cluster',
              'fail',
              'cache_mode proxy',
              'A DCS Proxy Cluster cannot be an online migration source: give its back ends as source.addrs, or use a backup import.',
            )
          : outcome('source-not-proxy-cluster', 'pass', `cache_mode ${source.cache_mode ?? 'unknown'}`),
      );
    }
  }
  if (target) {
    const exposed = [
      target.enable_publicip === true ? 'target' : undefined,
      source?.enable_publicip === true ? 'source' : undefined,
    ].filter(Boolean);
    outcomes.push(
      exposed.length > 0
        ? outcome(
            'public-access',
            'warn',
            `enable_publicip true on the ${exposed.join(' and ')}`,
            'IP switching (cutover by exchange-ip) refuses instances with public access: unbind the EIP before the cutover.',
          )
        : outcome('public-access', 'pass', 'enable_publicip false'),
    );
  }

  // A switch's rollback: can DCS run the reverse task (target → source) that keeps the writes made after it?
  const reverseFacts = { targetCacheMode: target?.cache_mode ?? undefined, sourceSsl: source?.enable_ssl ?? undefined };
  const reverse = reverseSyncOutcome(input, reverseFacts);
  if (reverse) outcomes.push(reverse);

  if (isMigration && input.verify) outcomes.push(aclUserOutcome(input.verify));

  // Comparisons of source and target (the source's figures from DCS, else from the server itself).
  if (isMigration && target) {
    const sourceVersion = versionOf(source?.engine_version) ?? versionOf(sourceOk?.version);
    const targetVersion = versionOf(target.engine_version) ?? versionOf(targetOk?.version);
    const sourceVersionText = source?.engine_version ?? sourceOk?.version;
    if (!sourceVersion || !targetVersion) {
      outcomes.push(
        outcome(
          'engine-version',
          'warn',
          `cannot compare: source ${sourceVersionText ?? 'unknown'}, target ${target.engine_version ?? 'unknown'}`,
          'Set prechecks.redis: true (or run dcs-migrate check) so the source server is asked for its version.',
        ),
      );
    } else if (olderThan(targetVersion, sourceVersion)) {
      outcomes.push(
        outcome(
          'engine-version',
          'fail',
          `target ${target.engine_version ?? targetVersion.join('.')} is older than source ${sourceVersionText ?? sourceVersion.join('.')}`,
          'Migrate into a target of the same or a newer Redis version: an older engine may not load the source data.',
        ),
      );
    } else {
      outcomes.push(
        outcome(
          'engine-version',
          'pass',
          `source ${sourceVersionText}, target ${target.engine_version ?? targetVersion.join('.')}`,
        ),
      );
    }

    const sourceUsedMb =
      toNumber(source?.used_memory) ??
      (sourceOk?.usedMemoryBytes === undefined ? undefined : mb(sourceOk.usedMemoryBytes));
    const targetMaxMb = toNumber(target.max_memory);
    const targetUsedMb = toNumber(target.used_memory) ?? 0;
    const margin = input.prechecks.memoryMargin;
    if (sourceUsedMb === undefined || targetMaxMb === undefined) {
      outcomes.push(
        outcome(
          'target-memory',
          'warn',
          `cannot compare: source used ${sourceUsedMb ?? 'unknown'} MB, target max ${targetMaxMb ?? 'unknown'} MB`,
          'Set prechecks.redis: true (or run dcs-migrate check) so the source server is asked for its memory.',
        ),
      );
    } else {
      const free = targetMaxMb - targetUsedMb;
      // Rounded first: 100 × 1.1 is 110.00000000000001 in floating point, which must not need 111 MB.
      const needed = Math.ceil(Math.round(sourceUsedMb * (1 + margin) * 1000) / 1000);
      const evidence = `target free ${free} MB (max ${targetMaxMb}, used ${targetUsedMb}); source used ${sourceUsedMb} MB, needed with a ${Math.round(margin * 100)}% margin ${needed} MB`;
      outcomes.push(
        free >= needed
          ? outcome('target-memory', 'pass', evidence)
          : outcome(
              'target-memory',
              'fail',
              evidence,
              'Scale the target up (or free memory on it) before migrating: a full target rejects writes or evicts keys.',
            ),
      );
    }

    if (target.cache_mode === 'cluster') {
      const dbs = sourceOk?.keysPerDb;
      const others = dbs
        ? Object.keys(dbs)
            .map(Number)
            .filter((db) => db !== 0)
        : undefined;
      if (!others) {
        outcomes.push(
          outcome(
            'multi-db-into-cluster',
            'warn',
            'the target is a Redis Cluster (one database); the source was not asked which databases it uses',
            'Set prechecks.redis: true (or run dcs-migrate check), or make sure the source uses db 0 only.',
          ),
        );
      } else {
        const used = Object.entries(dbs!)
          .map(([db, keys]) => `db${db}=${keys}`)
          .join(', ');
        outcomes.push(
          others.length > 0
            ? outcome(
                'multi-db-into-cluster',
                'fail',
                `source keys in ${used}; the target is a Redis Cluster (db 0 only)`,
                'A Redis Cluster has only db 0: move the other databases into db 0 first, or migrate into a single, master/standby or Proxy Cluster target.',
              )
            : outcome('multi-db-into-cluster', 'pass', `source keys in ${used || 'no database'}; target cluster`),
        );
      }
    }
  }

  // What the servers themselves said (prechecks.redis).
  if (facts.redis) {
    if (isMigration && facts.redis.source) outcomes.push(authOutcome('source-auth', facts.redis.source));
    outcomes.push(authOutcome('target-auth', facts.redis.target));
    if (isMigration && sourceOk) outcomes.push(...sourceServerOutcomes(input, sourceOk));
    if (targetOk) outcomes.push(...targetServerOutcomes(input, targetOk));
  }
  return outcomes;
}
