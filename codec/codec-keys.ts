/**
 * The codec's key ring, read from the environment: several AES-256 keys, each with an id, one of them active for
 * encoding. Keys rotate by adding a new key, making it active, and keeping the old ones for as long as histories
 * encrypted with them must stay readable.
 *
 * - `DCS_MIGRATE_CODEC_KEYS`: `id1:base64key,id2:base64key` (each key 32 bytes, standard or URL-safe base64).
 * - `DCS_MIGRATE_CODEC_KEY_FILE`: a file holding the same list (commas or newlines; `#` starts a comment line),
 *   for keys mounted as secrets rather than passed in the environment.
 * - `DCS_MIGRATE_CODEC_ACTIVE_KEY`: the id that encodes; optional when only one key is configured.
 *
 * Errors name the variable and the key id, never the key material.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CODEC_ACTIVE_KEY_VAR, CODEC_KEY_FILE_VAR, CODEC_KEYS_VAR } from './codec-env.js';

export { CODEC_ACTIVE_KEY_VAR, CODEC_KEY_FILE_VAR, CODEC_KEYS_VAR } from './codec-env.js';

/** AES-256 keys are 32 bytes. */
export const KEY_BYTES = 32;

/** A validated key ring: `keys` by id, `activeKeyId` one of them. */
export interface CodecKeyRing {
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** A codec configuration that cannot be used; the message names the variable (and key id), never a key. */
export class CodecConfigurationError extends Error {
  override readonly name = 'CodecConfigurationError';
}

/**
 * What is wrong with a key id, or undefined when it is fine. Plain checks rather than a zod schema: the CLI's fast
 * `status` path reads these keys, and loading zod costs it ~30 ms.
 */
function keyIdProblem(id: string): string | undefined {
  if (id.length < 1) return 'a key id is empty';
  if (id.length > 64) return 'a key id is longer than 64 characters';
  if (!/^[A-Za-z0-9._-]+$/.test(id)) return 'a key id may only hold letters, digits, ".", "_" and "-"';
  return undefined;
}

/** A variable's value, trimmed; undefined when unset or blank. */
function setting(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Reads the key ring from `env`; `undefined` when neither `DCS_MIGRATE_CODEC_KEYS` nor `DCS_MIGRATE_CODEC_KEY_FILE`
 * is set (payloads then travel unencrypted). Throws `CodecConfigurationError` for anything set but unusable.
 */
export function loadCodecKeyRing(env: Record<string, string | undefined> = process.env): CodecKeyRing | undefined {
  const inline = setting(env, CODEC_KEYS_VAR);
  const file = setting(env, CODEC_KEY_FILE_VAR);
  if (inline === undefined && file === undefined) return undefined;
  if (inline !== undefined && file !== undefined) {
    throw new CodecConfigurationError(`set either ${CODEC_KEYS_VAR} or ${CODEC_KEY_FILE_VAR}, not both`);
  }
  let source: string;
  let text: string;
  if (file !== undefined) {
    source = `${CODEC_KEY_FILE_VAR} (${file})`;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CodecConfigurationError(
        `${source}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  } else {
    source = CODEC_KEYS_VAR;
    text = inline ?? '';
  }
  return parseKeyRing(text, setting(env, CODEC_ACTIVE_KEY_VAR), source);
}

/**
 * Parses `id:base64key` entries (commas or newlines between them) into a key ring. `source` names where the text
 * came from, for error messages.
 */
export function parseKeyRing(text: string, activeKeyId: string | undefined, source = CODEC_KEYS_VAR): CodecKeyRing {
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));
  if (entries.length === 0) throw new CodecConfigurationError(`${source}: no keys (expected id:base64key,…)`);
  const keys = new Map<string, Buffer>();
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    // The entry itself is never echoed: it may be a bare key someone pasted without its id.
    if (colon < 0) throw new CodecConfigurationError(`${source}: entry ${index + 1} is not id:base64key`);
    const id = entry.slice(0, colon).trim();
    const problem = keyIdProblem(id);
    if (problem) throw new CodecConfigurationError(`${source}: entry ${index + 1}: ${problem}`);
    if (keys.has(id)) throw new CodecConfigurationError(`${source}: key id "${id}" appears twice`);
    keys.set(id, decodeKey(entry.slice(colon + 1).trim(), id, source));
  }
  let active = activeKeyId;
  if (active === undefined) {
    if (keys.size > 1)
      throw new CodecConfigurationError(
        `${CODEC_ACTIVE_KEY_VAR}: required when ${source} holds several keys (one of: ${[...keys.keys()].join(', ')})`,
      );
    active = [...keys.keys()][0] ?? '';
  } else if (!keys.has(active)) {
    throw new CodecConfigurationError(
      `${CODEC_ACTIVE_KEY_VAR}: "${active}" is not a key id of ${source} (one of: ${[...keys.keys()].join(', ')})`,
    );
  }
  return { activeKeyId: active, keys };
}

function decodeKey(encoded: string, id: string, source: string): Buffer {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
    throw new CodecConfigurationError(`${source}: key "${id}" is not base64`);
  }
  const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
  if (key.length !== KEY_BYTES) {
    throw new CodecConfigurationError(`${source}: key "${id}" must be ${KEY_BYTES} bytes (AES-256), got ${key.length}`);
  }
  return key;
}

/** A fresh random key ring of one key, for a local stack that has none configured. */
export function generateKeyRing(id = `ephemeral-${Date.now().toString(36)}`): CodecKeyRing {
  return { activeKeyId: id, keys: new Map([[id, randomBytes(KEY_BYTES)]]) };
}

/** Environment variables that carry `ring` to a child process (a worker or codec server of the same stack). */
export function keyRingToEnv(ring: CodecKeyRing): Record<string, string> {
  const list = [...ring.keys].map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');
  return { [CODEC_KEYS_VAR]: list, [CODEC_ACTIVE_KEY_VAR]: ring.activeKeyId };
}
