/**
 * Resolving Redis password references on the worker, at the moment an activity needs them. The value goes
 * straight into the request body and nowhere else: never into a return value, a log line or an error message.
 */
import { readFile } from 'node:fs/promises';
import type { SecretRef } from '../common/migration-input.js';

/** A password reference that cannot be resolved on this worker (the message names the reference, not a value). */
export class SecretUnavailableError extends Error {
  override name = 'SecretUnavailableError';
}

export interface SecretResolver {
  /** The secret behind `ref`; `field` names the input field in errors (e.g. `source.password`). */
  resolve(ref: SecretRef, field: string): Promise<string>;
}

export interface SecretResolverOptions {
  /** Where `{ env }` references are looked up; the worker's environment by default. */
  env?: Record<string, string | undefined>;
}

export function createSecretResolver(options: SecretResolverOptions = {}): SecretResolver {
  const env = options.env ?? process.env;
  return {
    async resolve(ref, field) {
      if (ref.env !== undefined) {
        const value = env[ref.env];
        if (value === undefined || value === '') {
          throw new SecretUnavailableError(`${field}: environment variable ${ref.env} is not set on the worker`);
        }
        return value;
      }
      if (ref.file !== undefined) {
        let content: string;
        try {
          content = await readFile(ref.file, 'utf8');
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
          throw new SecretUnavailableError(`${field}: cannot read password file ${ref.file} on the worker (${code})`);
        }
        // Files written by `echo` or editors end with a newline that is not part of the password.
        const value = content.replace(/\r?\n$/, '');
        if (value === '') throw new SecretUnavailableError(`${field}: password file ${ref.file} is empty`);
        return value;
      }
      throw new SecretUnavailableError(`${field}: a password reference needs env or file`);
    },
  };
}

/** Resolves an optional reference; no reference means no password. */
export async function resolveOptional(
  secrets: SecretResolver,
  ref: SecretRef | undefined,
  field: string,
): Promise<string | undefined> {
  return ref === undefined ? undefined : secrets.resolve(ref, field);
}
