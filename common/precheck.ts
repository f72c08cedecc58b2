/** One pre-flight check's outcome: a stable id, the verdict, what was seen, and what to do about it. */
export type PrecheckVerdict = 'pass' | 'warn' | 'fail';

export interface PrecheckOutcome {
  /** Stable, kebab-case, e.g. `target-running`; documented, safe to alert or script on. */
  id: string;
  verdict: PrecheckVerdict;
  /** What was checked, in a few words. */
  title: string;
  /** What was seen (never a secret). */
  evidence: string;
  /** What to do when the verdict is not `pass`. */
  remedy?: string;
}
