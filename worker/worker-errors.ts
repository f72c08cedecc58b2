/**
 * Why the worker could not start, as plain typed errors. The worker knows nothing of the CLI: the `worker`
 * command (client/commands/worker.ts) turns these into exit codes.
 */

/** A setting is unusable (a bad flag, the DCS configuration, the codec keys, a missing bundle): nothing was started. */
export class InvalidWorkerSettingsError extends Error {
  override name = 'InvalidWorkerSettingsError';
}

/** The Temporal frontend could not be reached at start. */
export class TemporalUnreachableError extends Error {
  override name = 'TemporalUnreachableError';
  constructor(
    readonly address: string,
    message: string,
  ) {
    super(message);
  }
}
