/**
 * The data converter that clients and workers share when payload encryption is configured. Both sides must use
 * the same one: a worker with the codec cannot read what a client without it wrote, and the other way round.
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { loadCodecKeyRing, type CodecKeyRing } from './codec-keys.js';
import { EncryptionCodec } from './encryption-codec.js';

/**
 * The module exporting `failureConverter` (a `DefaultFailureConverter` with `encodeCommonAttributes`), so failure
 * messages are encrypted too. A path, not an instance, because workflow code needs it inside its sandbox.
 */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/**
 * A string that a workflow bundle contains when it was built with `failureConverterPath: FAILURE_CONVERTER_PATH`.
 * A bundle without it encodes workflow failure messages in plain text, whatever the worker's data converter.
 */
export const FAILURE_CONVERTER_BUNDLE_MARKER = 'dcs-migrate:encoded-failures';

/** True when prebuilt workflow bundle code includes the encoding failure converter. */
export function bundleEncodesFailures(bundleCode: string): boolean {
  return bundleCode.includes(FAILURE_CONVERTER_BUNDLE_MARKER);
}

/** The data converter for a key ring: the encryption codec, and failures encoded as payloads. */
export function dataConverterFor(ring: CodecKeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(ring)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/**
 * The data converter configured by the environment (`DCS_MIGRATE_CODEC_KEYS` or `DCS_MIGRATE_CODEC_KEY_FILE`, and
 * `DCS_MIGRATE_CODEC_ACTIVE_KEY`); `undefined` when no keys are configured. Throws `CodecConfigurationError`
 * naming the variable when the keys are set but unusable.
 */
export function loadDataConverter(env: Record<string, string | undefined> = process.env): DataConverter | undefined {
  const ring = loadCodecKeyRing(env);
  return ring ? dataConverterFor(ring) : undefined;
}
