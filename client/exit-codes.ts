/**
 * Documented exit codes of every `dcs-migrate` command (docs/cli.md, "Exit codes"). Scripts rely on them: keep them
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
  /** `check` / `start --dry-run`: a pre-flight check failed (or a secret reference does not resolve). */
  PRECHECK_FAILED: 6,
  /** `replay`: a history did not replay on this build's workflow code (deploying it would break those runs). */
  REPLAY_FAILED: 7,
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

/** gRPC status codes that mean "the server is not there" (UNAVAILABLE, DEADLINE_EXCEEDED). */
const UNREACHABLE_GRPC_CODES = new Set([14, 4]);

/** True for a Temporal call that failed because the server could not be reached (directly or as the cause). */
function isUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number' && UNREACHABLE_GRPC_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  // The connection was made, then Temporal went away mid-command.
  if (isUnreachable(error)) return EXIT.UNREACHABLE;
  return EXIT.FAILURE;
}

export function printError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`dcs-migrate: ${message}`);
}
