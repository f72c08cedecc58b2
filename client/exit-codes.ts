/**
 * Documented exit codes of every `dcs-migrate` command (README "Exit codes"). Scripts rely on them: keep them
 * stable and add new ones at the end.
 */
export const EXIT = {
  OK: 0,
  /** The command failed in a way not covered below (a bug, an unexpected error). */
  FAILURE: 1,
  /** Bad arguments or a bad input file: nothing was started. */
  USAGE: 2,
  /** The DCS API (or the emulator) answered with an error. */
  API_ERROR: 3,
  /** The migration ended failed, cancelled or with differences found. */
  MIGRATION_FAILED: 4,
  /** Temporal or the DCS endpoint could not be reached. */
  UNREACHABLE: 5,
} as const;

/** An error that carries its own exit code (thrown by commands for expected failures). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
  ) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  return EXIT.FAILURE;
}

export function printError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`dcs-migrate: ${message}`);
}
