/**
 * The verdicts on what the Redis servers said themselves (`prechecks.redis`, `dcs-migrate check`): passwords,
 * replication settings, keyspace notifications, big keys, an empty target, eviction. Pure, like `evaluate.ts`.
 */
import type { MigrationInput } from '../../common/migration-input.js';
import type { PrecheckOutcome } from '../../common/precheck.js';
import { mb, outcome } from './outcome.js';
import type { RedisFacts, RedisRead } from './redis-probe.js';

/** DCS asks self-built sources for at least this `repl-timeout` (dcs-operations.md §3). */
export const MIN_REPL_TIMEOUT_SECONDS = 300;
/** …and a replica output buffer of about this share of maxmemory. */
export const REPLICA_BUFFER_SHARE = 0.2;

export function authOutcome(id: 'source-auth' | 'target-auth', read: RedisRead): PrecheckOutcome {
  const side = id === 'source-auth' ? 'source' : 'target';
  if (!read.probed) {
    return read.secret
      ? outcome(
          id,
          'fail',
          read.reason,
          `Set the variable or file the ${side}.password reference names, where the check runs (the worker, or this shell).`,
        )
      : outcome(id, 'warn', read.reason, `The ${side} server checks were skipped.`);
  }
  const { connection, address } = read.facts;
  if (connection.ok) return outcome(id, 'pass', `PONG from ${address}`);
  if (connection.kind === 'auth') {
    return outcome(
      id,
      'fail',
      `${address}: ${connection.reason}`,
      `Fix the password behind ${side}.password (or give one if the server requires it).`,
    );
  }
  return outcome(
    id,
    'warn',
    `${address} not reachable from here: ${connection.reason}`,
    `The ${side} server checks were skipped; run dcs-migrate check from a host in the instances' network, or set verify.${side}.address.`,
  );
}

export function sourceServerOutcomes(input: MigrationInput, facts: RedisFacts): PrecheckOutcome[] {
  const outcomes: PrecheckOutcome[] = [];
  if (facts.replTimeoutSeconds === undefined) {
    outcomes.push(
      outcome(
        'source-repl-timeout',
        'warn',
        'CONFIG GET repl-timeout was refused',
        'Make sure repl-timeout is at least 300 on the source.',
      ),
    );
  } else {
    outcomes.push(
      facts.replTimeoutSeconds >= MIN_REPL_TIMEOUT_SECONDS
        ? outcome('source-repl-timeout', 'pass', `repl-timeout ${facts.replTimeoutSeconds}`)
        : outcome(
            'source-repl-timeout',
            'warn',
            `repl-timeout ${facts.replTimeoutSeconds} (DCS asks for at least ${MIN_REPL_TIMEOUT_SECONDS})`,
            `CONFIG SET repl-timeout ${MIN_REPL_TIMEOUT_SECONDS} on the source: a large full sync may otherwise time out and start over.`,
          ),
    );
  }
  const basis = facts.maxMemoryBytes || facts.usedMemoryBytes;
  if (facts.replicaBufferHardBytes === undefined || basis === undefined) {
    outcomes.push(
      outcome(
        'source-output-buffer',
        'warn',
        'CONFIG GET client-output-buffer-limit was refused',
        'Make sure the replica output buffer is about 20% of maxmemory.',
      ),
    );
  } else {
    const needed = Math.ceil(basis * REPLICA_BUFFER_SHARE);
    const hard = facts.replicaBufferHardBytes;
    const evidence = `replica hard limit ${hard === 0 ? 'unlimited' : `${mb(hard)} MB`}; ${facts.maxMemoryBytes ? 'maxmemory' : 'used memory'} ${mb(basis)} MB`;
    outcomes.push(
      hard === 0 || hard >= needed
        ? outcome('source-output-buffer', 'pass', evidence)
        : outcome(
            'source-output-buffer',
            'fail',
            `${evidence}, needs at least ${mb(needed)} MB`,
            `CONFIG SET client-output-buffer-limit "replica ${mb(needed)}mb ${mb(needed)}mb 60" on the source: a smaller buffer drops the migration's replica during the full sync, over and over.`,
          ),
    );
  }
  if (input.kind !== 'backup_import' && input.method === 'incremental') {
    const events = facts.notifyKeyspaceEvents;
    const enabled = events !== undefined && /[KE]/.test(events) && (/A/.test(events) || /[g$lshzxe]{3,}/.test(events));
    outcomes.push(
      events === undefined
        ? outcome(
            'keyspace-notifications',
            'warn',
            'CONFIG GET notify-keyspace-events was refused',
            'The incremental phase needs keyspace notifications (flags KEA) on the source.',
          )
        : enabled
          ? outcome('keyspace-notifications', 'pass', `notify-keyspace-events "${events}"`)
          : outcome(
              'keyspace-notifications',
              'warn',
              `notify-keyspace-events "${events}"`,
              'The incremental phase turns on keyspace notifications (CONFIG SET notify-keyspace-events KEA): the source must allow CONFIG SET, or set it yourself.',
            ),
    );
  }
  if (facts.bigKeys) {
    const { sampled, over, largest } = facts.bigKeys;
    outcomes.push(
      over === 0
        ? outcome(
            'source-big-keys',
            'pass',
            `${sampled} keys sampled, none of ${mb(input.prechecks.bigKeyBytes)} MB or more`,
          )
        : outcome(
            'source-big-keys',
            'warn',
            `${over} of ${sampled} sampled keys use ${mb(input.prechecks.bigKeyBytes)} MB or more; largest db${largest?.db ?? 0} "${largest?.key ?? '?'}" ${largest ? mb(largest.bytes) : '?'} MB`,
            'Big keys slow the full sync and block the target while each is written: split them, or plan the migration at a quiet time.',
          ),
    );
  }
  return outcomes;
}

export function targetServerOutcomes(input: MigrationInput, facts: RedisFacts): PrecheckOutcome[] {
  const outcomes: PrecheckOutcome[] = [];
  if (facts.keysPerDb) {
    const total = Object.values(facts.keysPerDb).reduce((sum, keys) => sum + keys, 0);
    const where = Object.entries(facts.keysPerDb)
      .map(([db, keys]) => `db${db}=${keys}`)
      .join(', ');
    if (total === 0) outcomes.push(outcome('target-empty', 'pass', 'no keys'));
    else if (input.targetNotEmpty === 'overwrite') {
      outcomes.push(
        outcome(
          'target-empty',
          'warn',
          `${total} keys (${where}); targetNotEmpty: overwrite`,
          'Keys with the same name are replaced; the others stay.',
        ),
      );
    } else {
      outcomes.push(
        outcome(
          'target-empty',
          'fail',
          `${total} keys (${where})`,
          'Empty the target (FLUSHALL, or clear it in the DCS console), or set targetNotEmpty: overwrite in the migration file to migrate into it anyway.',
        ),
      );
    }
  }
  const policy = facts.maxMemoryPolicy;
  if (policy !== undefined) {
    outcomes.push(
      policy === 'noeviction'
        ? outcome('target-eviction-policy', 'pass', 'maxmemory-policy noeviction')
        : outcome(
            'target-eviction-policy',
            'warn',
            `maxmemory-policy ${policy}`,
            'Under memory pressure the target evicts migrated keys silently: consider noeviction for the migration, and check target-memory.',
          ),
    );
  }
  return outcomes;
}
