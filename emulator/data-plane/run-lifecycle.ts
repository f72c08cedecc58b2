import type { RunPhase } from './contract.js';

const finalPhases: ReadonlySet<RunPhase> = new Set(['succeeded', 'failed', 'stopped']);

/** Phase, error and the `ended` promise of a run: the part every kind of run shares. */
export class RunLifecycle {
  private current: RunPhase = 'full-sync';
  private failure: string | undefined;
  private failureTransient = false;
  private resolveEnded!: () => void;
  /** Resolves when the run reaches succeeded, failed or stopped. Never rejects. */
  readonly ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));
  /** Set by stop(); the run's loops check it between batches. */
  stopRequested = false;

  get phase(): RunPhase {
    return this.current;
  }

  get error(): string | undefined {
    return this.failure;
  }

  /** The failure was a lost or refused connection (see `DataPlaneError.transient`), not a lasting refusal. */
  get failedOnConnection(): boolean {
    return this.failureTransient;
  }

  get isFinal(): boolean {
    return finalPhases.has(this.current);
  }

  get isActive(): boolean {
    return !this.isFinal;
  }

  /** Moves to a non-final phase; ignored once the run has ended. */
  enter(phase: 'incremental' | 'stopping' | 'full-sync'): void {
    if (!this.isFinal) this.current = phase;
  }

  /** Ends the run for good (first call wins). */
  finish(phase: 'succeeded' | 'failed' | 'stopped', error?: string, transient = false): void {
    if (this.isFinal) return;
    this.current = phase;
    this.failure = phase === 'failed' ? (error ?? 'the migration failed') : undefined;
    this.failureTransient = phase === 'failed' && transient;
    this.resolveEnded();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
