import type { RedisAddress, Side } from './redis-address.js';
import { describeAddress } from './redis-address.js';

/**
 * What went wrong, as the data plane sees it. `transient` failures (the network) may be resumed by a run with
 * resume mode `auto`; everything else (a wrong password, data the target rejects, a bad backup file) fails
 * the run whatever the resume mode, because trying again cannot fix it. This file is the one place that decides.
 */
export class DataPlaneError extends Error {
  /**
   * Deliberately no `cause`: ioredis attaches the failed command with its arguments to its errors, and for AUTH
   * (or HELLO ... AUTH) those arguments are the password.
   */
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'DataPlaneError';
  }
}

/**
 * A cluster's slots moved under the run (a failover promoted a replica, a master was lost and replaced): transient,
 * and survivable while the cluster stays reachable (see online-migration.ts), after which the run resyncs.
 */
export class ClusterTopologyChange extends DataPlaneError {
  constructor(message: string) {
    super(message, true);
    this.name = 'ClusterTopologyChange';
  }
}

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
]);

/**
 * Turns whatever ioredis or the network threw into a DataPlaneError with an operator-readable message.
 * `lastSocketError` is the last `error` event of the connection: ioredis rejects commands with a bare
 * "Connection is closed." and reports the reason (WRONGPASS, ECONNREFUSED, ...) only through that event.
 */
export function describeFailure(
  error: unknown,
  side: Side,
  address: RedisAddress,
  lastSocketError?: Error,
): DataPlaneError {
  if (error instanceof DataPlaneError) return error;
  const where = `the ${side} Redis at ${describeAddress(address)}`;
  const reason = pickReason(error, lastSocketError);
  const message = redact(reason.message, address.password);
  const code = (reason as NodeJS.ErrnoException).code;
  const username = 'socketPath' in address ? undefined : address.username;
  if (/^(WRONGPASS|NOAUTH)\b|invalid password|invalid username-password/i.test(message)) {
    if (username) {
      return new DataPlaneError(
        `authentication to ${where} as ACL user '${username}' failed: the user does not exist, is disabled, or the password is wrong`,
        false,
      );
    }
    return new DataPlaneError(`authentication to ${where} failed: the password is wrong or missing`, false);
  }
  const missing = missingPermission(message);
  if (missing) {
    return new DataPlaneError(
      `${where} refused ${userOf(username)} a command the migration needs: no permission ${missing} (${message})`,
      false,
    );
  }
  const tls = tlsFailure(message, code);
  if (tls)
    return new DataPlaneError(`the TLS handshake with ${where} failed: ${tls}`, tls.startsWith('the server closed'));
  if (code === 'ECONNREFUSED' || code === 'ENOENT') {
    return new DataPlaneError(`cannot connect to ${where}: connection refused`, true);
  }
  if (code !== undefined && connectionCodes.has(code)) {
    return new DataPlaneError(`cannot reach ${where}: ${code}`, true);
  }
  if (/Connection is closed|connect ETIMEDOUT|Stream isn't writeable|socket (closed|hang up)/i.test(message)) {
    return new DataPlaneError(`the connection to ${where} was lost`, true);
  }
  // A node that counts its cluster as down (cluster_state:fail: a master lost and not replaced yet, or not yet told
  // of its replacement) refuses commands with CLUSTERDOWN, but a script's commands with a plain ERR: both pass.
  if (/\bCLUSTERDOWN\b|Script attempted to execute a (write )?command while the cluster is down/.test(message)) {
    return new ClusterTopologyChange(`${where} reports its cluster down (${message.split('\n')[0]}): failing over?`);
  }
  if (/\b(MOVED \d+|ASK \d+|TRYAGAIN|READONLY You can't write)|non local key in a cluster node/.test(message)) {
    return new ClusterTopologyChange(
      `${where} no longer serves the keys the run expected there (${message.split('\n')[0]}): the cluster's slots moved`,
    );
  }
  if (/^LOADING\b/.test(message)) return new DataPlaneError(`${where} is still loading its data`, true);
  return new DataPlaneError(`${where} answered with an error: ${message}`, false);
}

/** `ACL user 'name'` or `the default user`, for operator messages. */
export function userOf(username: string | undefined): string {
  return username ? `ACL user '${username}'` : 'the default user';
}

/**
 * What a NOPERM reply says is missing, as the ACL rule that would grant it: `+dump` (Redis 7.0: "this user has no
 * permissions to run the 'dump' command"; 7.2: "User x has no permissions to run the 'dump' command"), `~*` for a
 * key, `&*` for a channel. A command run inside a script is refused without a name (7.0: "The user executing the
 * script can't run this command or subcommand"); the permission check (permissions.ts) names it before the copy
 * starts. Undefined when the message is no ACL refusal.
 */
export function missingPermission(message: string): string | undefined {
  if (/can't run this command or subcommand/i.test(message)) return 'for a command its scripts run';
  if (!/^NOPERM\b/.test(message)) return undefined;
  const command = /run the '([^']+)' command/i.exec(message)?.[1];
  if (command) return `+${command.toLowerCase()}`;
  if (/\bkey/i.test(message)) return 'to access every key (~*)';
  if (/\bchannel/i.test(message)) return 'to access the keyspace notification channels (&* or &__keyevent@*)';
  return 'for one of its commands';
}

/** Node/OpenSSL error codes of a failed TLS handshake or certificate check. */
const tlsCodes =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_OSSL_)/;

/** Why a TLS connection could not be set up, in an operator's words; undefined when the error is not about TLS. */
function tlsFailure(message: string, code: string | undefined): string | undefined {
  if (/before secure TLS connection was established/i.test(message)) {
    return 'the server closed the connection during the handshake (is the port a TLS port?)';
  }
  if (code === undefined || !tlsCodes.test(code)) return undefined;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the server's certificate is not for this host (${message}); set tls.servername to the name it was issued for`;
  if (/^ERR_SSL_|^ERR_OSSL_/.test(code)) return `${message} (is the port a TLS port?)`;
  return `the server's certificate is not trusted (${code}: ${message}); set tls.ca to the CA that signed it, or tls.insecure to skip verification`;
}

function pickReason(error: unknown, lastSocketError: Error | undefined): Error {
  const primary = error instanceof Error ? error : new Error(String(error));
  // "Connection is closed." says nothing; the socket's own error (auth, refused, reset) says why.
  if (lastSocketError && /Connection is closed/i.test(primary.message)) return lastSocketError;
  return primary;
}

/** Removes a password from a server message, in case a server or library echoes it back. */
function redact(text: string, password: string | undefined): string {
  return password ? text.split(password).join('***') : text;
}
