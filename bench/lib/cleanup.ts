/** Stops what a benchmark started, in reverse order, on normal exit, on failure and on SIGINT/SIGTERM. */
const stack: Array<() => Promise<void>> = [];

export function onCleanup(stop: () => Promise<void>): void {
  stack.push(stop);
}

export async function cleanupAll(): Promise<void> {
  while (stack.length > 0) {
    const stop = stack.pop()!;
    await stop().catch((error: unknown) =>
      console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}

/** Runs `main`, then cleans up; a signal cleans up and exits 130. */
export function runBench(main: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  main()
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => cleanupAll());
}
