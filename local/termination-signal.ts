import { watchLaunchers } from './parent-watch.js';

/**
 * Resolves with the first SIGINT, SIGTERM or SIGHUP, or when the process that launched this one exits (see
 * `parent-watch.ts`: npx does not pass a SIGTERM on): how a foreground command (emulator, codec server) waits
 * until it is asked to stop. The value says why, for the "stopping" line. Registering these listeners also tells
 * `local/processes.ts` that this program shuts its children down itself, so its own signal hook stands back.
 */
export function untilTerminationSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stopWatching = watchLaunchers(resolve);
    const onSignal = (signal: NodeJS.Signals) => {
      stopWatching();
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
  });
}

/** Waits for {@link untilTerminationSignal}, says why `name` is stopping (on stderr), then runs `stop`. */
export async function stopOnTermination(name: string, stop: () => Promise<void>): Promise<void> {
  const reason = await untilTerminationSignal();
  console.error(`${name}: ${reason}, stopping`);
  await stop();
}
