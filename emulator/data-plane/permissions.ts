import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisConnections } from './connections.js';
import { DataPlaneError, missingPermission, userOf } from './failures.js';
import { connectionOptions, describeAddress } from './redis-address.js';

/**
 * Checks, before anything is copied, that the user a side logs in as may run what the run will send, and fails
 * with one message that names every missing permission as the ACL rule that grants it (`+dump`, `~*`, `&*`).
 * Without it an ACL user that lacks, say, DUMP would fail in the middle of the copy, and from inside the copy
 * script, where Redis does not say which command was refused.
 *
 * Each probe is harmless whatever the user may do: reads of a key that does not exist, writes that fail after the
 * ACL check (RESTORE of an empty payload, RENAME of a missing key), CONFIG SET to the value already set, and a
 * PSUBSCRIBE on a connection of its own that is closed right after. Redis checks ACLs before it runs a command, so
 * a refusal is NOPERM and anything else (`no such key`, a bad payload) means the command is allowed. Not probed
 * (they would create a key): the writes of a chunked big-key copy (HSET, SADD, ZADD, RPUSH, XADD); a refusal
 * there still fails the run with the command named (failures.ts).
 */
export async function checkPermissions(
  side: RedisConnections,
  role: 'source' | 'target',
  incremental: boolean,
): Promise<void> {
  const probes = role === 'source' ? sourceProbes(incremental) : targetProbes;
  const connection = await side.db(0);
  const missing = new Set<string>();
  const note = (error: Error) => {
    // A cluster node redirects a key it does not serve, and Redis checks ACLs before it redirects: the command was
    // allowed. (Taken for a topology change, it would end every attempt before anything is copied.)
    if (/^(MOVED|ASK) \d+ /.test(error.message)) return;
    const grant = grantFor(error.message);
    if (grant) missing.add(grant);
    else {
      const failure = side.fail(error, connection);
      if (failure instanceof DataPlaneError && failure.transient) throw failure;
    }
  };
  const pipeline = connection.pipeline();
  for (const probe of probes) pipeline.call(probe[0] ?? 'PING', ...probe.slice(1));
  let replies: Array<[Error | null, unknown]>;
  try {
    replies = (await pipeline.exec()) ?? [];
  } catch (error) {
    throw side.fail(error, connection);
  }
  for (const [error] of replies) if (error) note(error);

  if (role === 'source' && incremental) {
    const notifications = replies[probes.findIndex((probe) => probe[0] === 'CONFIG')];
    const current = Array.isArray(notifications?.[1]) ? String(notifications[1][1] ?? '') : undefined;
    if (current !== undefined) await connection.config('SET', 'notify-keyspace-events', current).catch(note);
    await probeSubscribe(side).catch(note);
  }
  if (missing.size === 0) return;

  const address = side.address;
  const username = 'socketPath' in address ? undefined : address.username;
  const grants = [...missing];
  throw new DataPlaneError(
    `the ${side.side} Redis at ${describeAddress(address)} does not allow ${userOf(username)} what the migration needs: ` +
      `${grants.join(', ')} (grant it with ACL SETUSER ${username ?? 'default'} ${grants.join(' ')})`,
    false,
  );
}

/** The ACL rule a NOPERM reply asks for, or undefined when the error is no ACL refusal. */
function grantFor(message: string): string | undefined {
  const missing = missingPermission(message);
  if (!missing) return undefined;
  if (missing.startsWith('+')) return missing;
  if (missing.includes('~*')) return '~*';
  if (missing.includes('&*')) return '&*';
  return missing;
}

/** A key name no one uses, so that reads find nothing and refused-after-the-check writes change nothing. */
const probeKey = '__dcs-migrate:permission-check';
const probeScript = 'return 1';
const probeSha = createHash('sha1').update(probeScript).digest('hex');

/** Commands of the scan and resync, of both copy scripts, and of the big-key copy, on either side. */
const commonProbes = [
  ['SCAN', '0', 'COUNT', '1'],
  ['INFO', 'keyspace'],
  ['EXISTS', probeKey],
  ['SCRIPT', 'LOAD', probeScript],
  ['EVALSHA', probeSha, '0'],
];

/** The source: reads only (key-copy.ts's read script, big-key-copy.ts's windows), plus keyspace notifications when incremental. */
function sourceProbes(incremental: boolean): string[][] {
  return [
    ...commonProbes,
    ['TIME'],
    ['PTTL', probeKey],
    ['TYPE', probeKey],
    ['DUMP', probeKey],
    ['MEMORY', 'USAGE', probeKey],
    ...['HLEN', 'SCARD', 'ZCARD', 'LLEN', 'XLEN'].map((command) => [command, probeKey]),
    ...['HSCAN', 'SSCAN', 'ZSCAN'].map((command) => [command, probeKey, '0']),
    ['LRANGE', probeKey, '0', '0'],
    ['XRANGE', probeKey, '-', '+', 'COUNT', '1'],
    ['XINFO', 'STREAM', probeKey],
    ['XINFO', 'GROUPS', probeKey],
    ['INFO', 'commandstats'],
    // PING: the stop's barrier on the subscriber connections (change-feed.ts).
    ...(incremental ? [['CONFIG', 'GET', 'notify-keyspace-events'], ['PING']] : []),
  ];
}

/** The target: key-copy.ts's write script and big-key-copy.ts's finish, each refused or failing on a missing key. */
const targetProbes = [
  ...commonProbes,
  ['DEL', probeKey],
  // An empty payload is refused after the ACL check ("DUMP payload version or checksum are wrong").
  ['RESTORE', probeKey, '0', '', 'REPLACE'],
  ['RENAME', probeKey, `${probeKey}:renamed`],
  ['PEXPIREAT', probeKey, '1'],
  ['XSETID', probeKey, '0-1'],
  ['XGROUP', 'CREATE', probeKey, 'probe', '$'],
];

/** PSUBSCRIBE to the key-event channels (command and channel permission) on a connection closed right after. */
async function probeSubscribe(side: RedisConnections): Promise<void> {
  const subscriber = new Redis(connectionOptions(side.address, 0));
  let lastError: Error | undefined;
  subscriber.on('error', (error: Error) => (lastError = error));
  try {
    await subscriber.connect();
    await subscriber.psubscribe('__keyevent@*__:*');
  } catch (error) {
    throw lastError && error instanceof Error && /Connection is closed/.test(error.message) ? lastError : error;
  } finally {
    subscriber.disconnect();
  }
}
