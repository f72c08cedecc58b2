import { inspect } from 'node:util';

/**
 * A secret value (AK, SK, token, password) that prints as `[REDACTED]` however it is shown: string
 * interpolation, `JSON.stringify`, `console.log`/`util.inspect`. Read it only where it is used, with `reveal()`.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The actual value. Call it at the point of use (signing, a header), never to log. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[REDACTED]';
  }

  toJSON(): string {
    return '[REDACTED]';
  }

  [inspect.custom](): string {
    return 'Secret([REDACTED])';
  }
}
