/** What `dcs-migrate replay` replays, and what it says about each history. */

/** One history to replay, and where it came from. */
export interface ReplaySubject {
  workflowId: string;
  /** The run, when the history came from a server (an exported file does not say). */
  runId?: string;
  workflowType: string;
  /** The file it was read from, or `server`. */
  origin: string;
  /** The `temporal.api.history.v1.History` proto object. */
  history: unknown;
}

/**
 * `ok`: replayed to its end with the same commands. `nondeterministic`: this code issues other commands than the
 * history recorded (deploying it would fail these workflow tasks). `failed`: the replay stopped otherwise (the
 * workflow code threw, the type is not registered, a payload could not be decoded).
 */
export type ReplayVerdict = 'ok' | 'nondeterministic' | 'failed';

export interface ReplayOutcome {
  workflowId: string;
  runId?: string;
  workflowType: string;
  origin: string;
  verdict: ReplayVerdict;
  /** The first mismatch Core reported (`[TMPRL1100] Nondeterminism error: …`), or why the replay failed. */
  detail?: string;
}
