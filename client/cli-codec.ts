/**
 * The payload codec of the CLI's HTTP read path: the worker's encryption keys from DCS_MIGRATE_CODEC_* (a bad
 * setting exits 2 naming the variable), or, without keys, a codec that says which variable to set when it meets
 * encrypted data. The SDK path builds its data converter from the same keys (`temporal-client.ts`).
 */
import type { PayloadCodec } from '@temporalio/common';
import { CODEC_KEY_FILE_VAR, CODEC_KEYS_VAR } from '../codec/codec-env.js';
import { CodecConfigurationError, loadCodecKeyRing } from '../codec/codec-keys.js';
import { EncryptionCodec, MissingKeysCodec } from '../codec/encryption-codec.js';
import { CliError, EXIT } from './exit-codes.js';

export const MISSING_KEYS_HINT = `set ${CODEC_KEYS_VAR} or ${CODEC_KEY_FILE_VAR} to the worker's keys`;

export function cliPayloadCodec(env: Record<string, string | undefined> = process.env): PayloadCodec {
  try {
    const ring = loadCodecKeyRing(env);
    return ring ? new EncryptionCodec(ring) : new MissingKeysCodec(MISSING_KEYS_HINT);
  } catch (error) {
    if (error instanceof CodecConfigurationError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
}
