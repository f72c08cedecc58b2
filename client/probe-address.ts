/**
 * A TCP probe of the Temporal address before the SDK connects. The SDK retries a refused connection until its
 * deadline (6–8 s) and then says only "Failed to connect before the deadline"; a refused or unresolvable address
 * is known at once, and the operator is better served by hearing so with a hint of what to check.
 */
import { connect } from 'node:net';
import { AddressError, parseAddress, type HostPort } from '../redis/address.js';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** `host:port`, `[v6]:port` or a bare host (port 7233), read by the one address parser. */
export function splitAddress(address: string): HostPort {
  return parseAddress(address, 'the Temporal address', 7233);
}

/** Resolves when a TCP connection to `address` opens, or with the reason it could not. */
export function probeAddress(address: string, timeoutMs = 3_000): Promise<ProbeResult> {
  let host: string;
  let port: number;
  try {
    ({ host, port } = splitAddress(address));
  } catch (error) {
    if (error instanceof AddressError) return Promise.resolve({ ok: false, reason: error.reason });
    throw error;
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: ProbeResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: `no answer within ${timeoutMs / 1000} s` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const reasons: Record<string, string> = {
        ECONNREFUSED: 'connection refused (nothing listens there)',
        ENOTFOUND: `host "${host}" not found`,
        EAI_AGAIN: `host "${host}" could not be resolved`,
        EHOSTUNREACH: 'host unreachable',
        ENETUNREACH: 'network unreachable',
      };
      done({ ok: false, reason: reasons[error.code ?? ''] ?? error.message });
    });
  });
}
