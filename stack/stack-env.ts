/**
 * What other tools need to reach a running local stack, by the variable names they read: the Temporal CLI and
 * `dcs-migrate status|list|cutover` (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_CODEC_ENDPOINT, the codec key
 * file), `dcs-migrate api` (dcs/config.ts's DCS_ENV), `dcs-migrate verify` (its password variables), and a worker
 * started by hand (the `{ env: … }` names the migration files use). Secrets are marked so that only the 0600 env
 * file (stack-files.ts) holds them, never stdout.
 */
import path from 'node:path';
import { CODEC_KEY_FILE_VAR } from '../codec/codec-keys.js';
import { TEMPORAL_HTTP_VAR } from '../common/client-env.js';
import { WORKER_ENV } from '../worker/worker-options.js';
import { emulatorDcsEnvironment } from './dcs-for-emulator.js';
import type { Emulator } from '../emulator/index.js';

/** The password variables of `dcs-migrate verify` (client/commands/verify.ts reads these names). */
export const VERIFY_PASSWORD_ENV = {
  source: 'DCS_MIGRATE_SOURCE_PASSWORD',
  target: 'DCS_MIGRATE_TARGET_PASSWORD',
} as const;
/** Where the CLI's links point (client/ui-link.ts's UI_URL_ENV; stack/ does not import client/). */
export const UI_URL_VAR = 'DCS_MIGRATE_UI_URL';
/**
 * `redis://host:port` of each instance, no password: `dcs-migrate verify --source "$DCS_MIGRATE_SOURCE_URL" …`. For a
 * Redis Cluster it is one node's (its first master): verify recognises the cluster from any node.
 */
export const REDIS_URL_ENV = { source: 'DCS_MIGRATE_SOURCE_URL', target: 'DCS_MIGRATE_TARGET_URL' } as const;

export interface StackEnvEntry {
  name: string;
  value: string;
  /** Written to the 0600 env file only, never printed. */
  secret: boolean;
}

export interface StackEnvFacts {
  temporal: { address: string; namespace: string; httpUrl: string };
  uiUrl: string;
  codecUrl: string;
  codecKeyFile: string | undefined;
  taskQueue: string;
  emulator: Pick<Emulator, 'url' | 'credentials'>;
  redis: Record<'source' | 'target', { host: string; port: number; password?: string | undefined }>;
  /** `{ env: NAME }` references the migration files use for the instances' passwords. */
  passwordEnv: Record<'source' | 'target', string>;
}

/** Every variable, in the order the env file lists them. */
export function stackEnvironment(facts: StackEnvFacts): StackEnvEntry[] {
  const plain = (name: string, value: string): StackEnvEntry => ({ name, value, secret: false });
  const secret = (name: string, value: string): StackEnvEntry => ({ name, value, secret: true });
  const dcs = emulatorDcsEnvironment(facts.emulator);
  const entries: StackEnvEntry[] = [
    plain('TEMPORAL_ADDRESS', facts.temporal.address),
    plain('TEMPORAL_NAMESPACE', facts.temporal.namespace),
    // `dcs-migrate status` reads through Temporal's HTTP API when this is set: no SDK to load, a fast answer.
    plain(TEMPORAL_HTTP_VAR, facts.temporal.httpUrl),
    plain('TEMPORAL_CODEC_ENDPOINT', facts.codecUrl),
    plain(UI_URL_VAR, facts.uiUrl),
    plain(WORKER_ENV.taskQueue, facts.taskQueue),
  ];
  // The file's path is not a secret (its content is, and it is 0600 like this one).
  if (facts.codecKeyFile) entries.push(plain(CODEC_KEY_FILE_VAR, facts.codecKeyFile));
  for (const [name, value] of Object.entries(dcs)) entries.push({ name, value, secret: /_(AK|SK)$/.test(name) });
  for (const side of ['source', 'target'] as const) {
    const { host, port, password } = facts.redis[side];
    entries.push(plain(REDIS_URL_ENV[side], `redis://${host}:${port}`));
    if (password === undefined) continue;
    entries.push(secret(facts.passwordEnv[side], password));
    if (VERIFY_PASSWORD_ENV[side] !== facts.passwordEnv[side])
      entries.push(secret(VERIFY_PASSWORD_ENV[side], password));
  }
  return entries;
}

/** `'value'`, with `'` written as `'\''`: safe for any value in a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The env file: a comment header, then one `export NAME='value'` line per variable. */
export function renderEnvFile(entries: StackEnvEntry[], header: string[]): string {
  return [
    ...header.map((line) => `# ${line}`),
    ...entries.map(({ name, value }) => `export ${name}=${shellQuote(value)}`),
    '',
  ].join('\n');
}

/** What may be printed: the non-secret `export` lines, and the names of the secrets left to the file. */
export function printableExports(entries: StackEnvEntry[]): { exports: string[]; secretNames: string[] } {
  return {
    exports: entries.filter((entry) => !entry.secret).map(({ name, value }) => `export ${name}=${shellQuote(value)}`),
    secretNames: entries.filter((entry) => entry.secret).map((entry) => entry.name),
  };
}

/** `.dcs-migrate/env` when the file is under the working directory, else its absolute path. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
