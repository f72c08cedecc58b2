import net from 'node:net';

/**
 * Polls `check` until it answers something other than `false` / `undefined` / `null` (answered back), or
 * `timeoutMs` passes; the error names what was awaited and the check's last error. The one wait of the project:
 * the local stack, the test harness and the tests all use it.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | false | undefined | null> | T | false | undefined | null,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== false && value !== undefined && value !== null)
        return value as Exclude<T, false | undefined | null>;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}

/** True when something accepts TCP connections on host:port. */
export function portAcceptsConnections(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
