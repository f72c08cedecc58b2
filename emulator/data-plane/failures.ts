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

const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);

/**
 * Turns whatever ioredis or the network threw into a DataPlaneError with an operator-readable message.
 * `lastSocketError` is the last `error` event of the connection: ioredis rejects commands with a bare
 * "Connection is closed." and reports the reason (WRONGPASS, ECONNREFUSED, ...) only through that event.
 */
export function describeFailure(error: unknown, side: Side, address: RedisAddress, lastSocketError?: Error): DataPlaneError {
  if (error instanceof DataPlaneError) return error;
  const where = `the ${side} Redis at ${describeAddress(address)}`;
  const reason = pickReason(error, lastSocketError);
  const message = redact(reason.message, address.password);
  const code = (reason as NodeJS.ErrnoException).code;
  if (/^(WRONGPASS|NOAUTH)\b|invalid password|invalid username-password/i.test(message)) {
    return new DataPlaneError(`authentication to ${where} failed: the password is wrong or missing`, false);
  }
  if (code === 'ECONNREFUSED' || code === 'ENOENT') {
    return new DataPlaneError(`cannot connect to ${where}: connection refused`, true);
  }
  if (code !== undefined && connectionCodes.has(code)) {
    return new DataPlaneError(`cannot reach ${where}: ${code}`, true);
  }
  if (/Connection is closed|connect ETIMEDOUT|Stream isn't writeable|socket (closed|hang up)/i.test(message)) {
    return new DataPlaneError(`the connection to ${where} was lost`, true);
  }
  if (/\b(MOVED \d+|ASK \d+|CLUSTERDOWN|TRYAGAIN|READONLY You can't write)|non local key in a cluster node/.test(message)) {
    return new ClusterTopologyChange(`${where} no longer serves the keys the run expected there (${message.split('\n')[0]}): the cluster's slots moved`);
  }
  if (/^LOADING\b/.test(message)) return new DataPlaneError(`${where} is still loading its data`, true);
  return new DataPlaneError(`${where} answered with an error: ${message}`, false);
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
