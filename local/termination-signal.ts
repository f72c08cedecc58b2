/**
 * Resolves with the first SIGINT or SIGTERM: how a foreground command (emulator, codec server) waits until it is
 * asked to stop. Registering these listeners also tells `local/processes.ts` that this program shuts its children
 * down itself, so its own signal hook stands back.
 */
export function untilTerminationSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
