/**
 * The local stack's terminal narration: one line per step with how long it took, so an operator sees where the
 * two minutes go. Never prints a secret (the stack's passwords and AK/SK stay in memory).
 */
export interface StackLog {
  /** Runs `fn` as a named step: `▸ what …` then `✔ what (1.2s)` or `✘ what: error`. */
  step<T>(what: string, fn: () => Promise<T>, detail?: (value: T) => string): Promise<T>;
  info(line: string): void;
}

export function createStackLog(out: NodeJS.WritableStream = process.stdout): StackLog {
  return {
    async step(what, fn, detail) {
      const started = Date.now();
      try {
        const value = await fn();
        const extra = detail ? ` — ${detail(value)}` : '';
        out.write(`✔ ${what}${extra} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
        return value;
      } catch (error) {
        out.write(`✘ ${what}: ${(error as Error).message}\n`);
        throw error;
      }
    },
    info(line) {
      out.write(`${line}\n`);
    },
  };
}
