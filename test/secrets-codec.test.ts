/**
 * The payload encryption codec and its key configuration: what an operator relies on is that nothing readable
 * reaches the Temporal server, that rotating keys keeps old histories readable, that tampering is detected, and
 * that a bad key configuration says which variable is wrong without printing the key.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ApplicationFailure,
  DefaultFailureConverter,
  defaultPayloadConverter,
  METADATA_ENCODING_KEY as SDK_ENCODING_KEY,
  type Payload,
} from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  CodecConfigurationError,
  generateKeyRing,
  keyRingToEnv,
  loadCodecKeyRing,
  parseKeyRing,
} from '../codec/codec-keys.js';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundleEncodesFailures, FAILURE_CONVERTER_PATH, loadDataConverter } from '../codec/data-converter.js';
import { WORKFLOWS_PATH } from '../worker/create-worker.js';
import {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA_KEY,
  METADATA_ENCODING_KEY,
  MissingKeysCodec,
  PayloadDecryptionError,
} from '../codec/encryption-codec.js';
import { useTempDir } from './harness/temp-dir.js';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const SECRET = 'source-secret-pw-7f3a';

function payloadOf(value: unknown): Payload {
  return defaultPayloadConverter.toPayload(value);
}
function text(payload: Payload | undefined, key: string): string | undefined {
  const value = payload?.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
}
function bytesOf(payload: Payload | undefined): string {
  return (
    Buffer.from(payload?.data ?? new Uint8Array()).toString('latin1') +
    JSON.stringify(Object.keys(payload?.metadata ?? {}))
  );
}

describe('encryption codec', () => {
  const ring = parseKeyRing(`a:${KEY_A}`, undefined);
  const codec = new EncryptionCodec(ring);

  it("names the payload encoding with the SDK's own metadata key", () => {
    expect(METADATA_ENCODING_KEY).toBe(SDK_ENCODING_KEY);
  });

  it('round trip: encoded payloads hide the value and name the key; decoding restores metadata and data exactly', async () => {
    const input = [
      payloadOf({ source: { address: '10.0.0.5:6379', password: SECRET } }),
      payloadOf('plain'),
      payloadOf(null),
    ];
    const encoded = await codec.encode(input);
    expect(encoded).toHaveLength(3);
    for (const payload of encoded) {
      expect(text(payload, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(text(payload, KEY_ID_METADATA_KEY)).toBe('a');
      expect(bytesOf(payload)).not.toContain(SECRET);
      expect(bytesOf(payload)).not.toContain('10.0.0.5');
      expect(bytesOf(payload)).not.toContain('json/plain');
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([
      { source: { address: '10.0.0.5:6379', password: SECRET } },
      'plain',
      null,
    ]);
    expect(text(decoded[0], 'encoding')).toBe('json/plain');
  });

  it('encrypts the same value differently each time (fresh IV)', async () => {
    const [first, second] = await codec.encode([payloadOf(SECRET), payloadOf(SECRET)]);
    expect(Buffer.from(first?.data ?? []).equals(Buffer.from(second?.data ?? []))).toBe(false);
  });

  it('rotation: a codec whose active key is new still decodes what the old key encrypted', async () => {
    const old = await codec.encode([payloadOf({ n: 1 })]);
    const rotated = new EncryptionCodec(parseKeyRing(`a:${KEY_A},b:${KEY_B}`, 'b'));
    const fresh = await rotated.encode([payloadOf({ n: 2 })]);
    expect(text(fresh[0], KEY_ID_METADATA_KEY)).toBe('b');
    const decoded = await rotated.decode([...old, ...fresh]);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([{ n: 1 }, { n: 2 }]);
    // The old codec knows nothing of key b.
    await expect(codec.decode(fresh)).rejects.toThrow(/key id "b", which is not configured/);
  });

  it('tamper detection: a flipped ciphertext bit, a swapped key id, or a truncated payload fails with a typed error', async () => {
    const [encoded] = await codec.encode([payloadOf({ amount: 100 })]);
    const flipped = Buffer.from(encoded?.data ?? []);
    flipped[20] = (flipped[20] ?? 0) ^ 0x01;
    await expect(codec.decode([{ ...encoded, data: flipped }])).rejects.toBeInstanceOf(PayloadDecryptionError);
    await expect(codec.decode([{ ...encoded, data: flipped }])).rejects.toThrow(/failed authentication/);

    // Same key material under another id: the key id is authenticated, so relabelling is detected too.
    const twin = new EncryptionCodec(parseKeyRing(`a:${KEY_A},a2:${KEY_A}`, 'a'));
    const relabelled = { ...encoded, metadata: { ...encoded?.metadata, [KEY_ID_METADATA_KEY]: Buffer.from('a2') } };
    await expect(twin.decode([relabelled])).rejects.toThrow(/key id "a2".*failed authentication/);

    await expect(
      codec.decode([{ ...encoded, data: Buffer.from(encoded?.data ?? []).subarray(0, 10) }]),
    ).rejects.toThrow(/truncated/);
  });

  it('a payload encrypted under an unknown key id is an error naming the id, not a silent pass-through', async () => {
    const other = new EncryptionCodec(parseKeyRing(`retired-2025:${KEY_B}`, undefined));
    const encoded = await other.encode([payloadOf('x')]);
    await expect(codec.decode(encoded)).rejects.toThrow(
      'encrypted payload names key id "retired-2025", which is not configured (known: a)',
    );
  });

  it('pass-through: payloads not encrypted by this codec (older histories) decode untouched', async () => {
    const plain = [payloadOf({ written: 'before encryption' }), { metadata: { encoding: Buffer.from('binary/null') } }];
    const decoded = await codec.decode(plain);
    expect(decoded[0]).toBe(plain[0]);
    expect(decoded[1]).toBe(plain[1]);
  });

  it('a client without keys passes plain payloads through and names the variable when it meets encrypted ones', async () => {
    const guard = new MissingKeysCodec('set DCS_MIGRATE_CODEC_KEYS');
    const plain = [payloadOf({ a: 1 })];
    expect(await guard.encode(plain)).toBe(plain);
    expect(await guard.decode(plain)).toBe(plain);
    await expect(guard.decode(await codec.encode(plain))).rejects.toThrow(
      `this workflow's data is encrypted (key id "a") and no codec keys are configured: set DCS_MIGRATE_CODEC_KEYS`,
    );
  });

  it('failure messages are encrypted too: the failure converter moves them into an encoded payload', async () => {
    const { failureConverter } = (await import(FAILURE_CONVERTER_PATH)) as {
      failureConverter: DefaultFailureConverter;
    };
    expect(failureConverter.options.encodeCommonAttributes).toBe(true);
    const failure = failureConverter.errorToFailure(
      ApplicationFailure.nonRetryable(`AUTH failed for ${SECRET}`),
      defaultPayloadConverter,
    );
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace ?? '').not.toContain(SECRET);
    // The message moved into a payload, which the codec then encrypts.
    expect(defaultPayloadConverter.fromPayload(failure.encodedAttributes as Payload)).toMatchObject({
      message: `AUTH failed for ${SECRET}`,
    });
    const [encrypted] = await codec.encode([failure.encodedAttributes as Payload]);
    expect(bytesOf(encrypted)).not.toContain(SECRET);
  });
});

describe('workflow bundles', () => {
  it('a bundle built with the failure converter is recognised as encoding failures; one without is not', async () => {
    const quiet = {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: quiet,
    });
    expect(bundleEncodesFailures(code)).toBe(true);
    expect(bundleEncodesFailures(code.replaceAll('dcs-migrate:encoded-failures', ''))).toBe(false);
  });
});

describe('codec key configuration', () => {
  const dir = useTempDir('dcs-migrate-codec-');

  it('no keys configured: no data converter (payloads stay as they are)', () => {
    expect(loadCodecKeyRing({})).toBeUndefined();
    expect(loadDataConverter({ DCS_MIGRATE_CODEC_KEYS: '  ' })).toBeUndefined();
  });

  it('keys from the environment: several keys, the active one chosen by DCS_MIGRATE_CODEC_ACTIVE_KEY', () => {
    const ring = loadCodecKeyRing({
      DCS_MIGRATE_CODEC_KEYS: `k1:${KEY_A}, k2:${KEY_B}`,
      DCS_MIGRATE_CODEC_ACTIVE_KEY: 'k2',
    });
    expect(ring?.activeKeyId).toBe('k2');
    expect(ring?.keys.get('k1')?.toString('base64')).toBe(KEY_A);
    const converter = loadDataConverter({ DCS_MIGRATE_CODEC_KEYS: `k1:${KEY_A}` });
    expect(converter?.payloadCodecs?.[0]).toBeInstanceOf(EncryptionCodec);
    expect(converter?.failureConverterPath).toBe(FAILURE_CONVERTER_PATH);
  });

  it('keys from a file (newlines, comments, URL-safe base64)', async () => {
    const file = path.join(dir.path, 'keys');
    await writeFile(
      file,
      `# rotated 2026-11\nold:${KEY_A}\nnew:${Buffer.from(KEY_B, 'base64').toString('base64url')}\n`,
    );
    const ring = loadCodecKeyRing({ DCS_MIGRATE_CODEC_KEY_FILE: file, DCS_MIGRATE_CODEC_ACTIVE_KEY: 'new' });
    expect([...(ring?.keys.keys() ?? [])]).toEqual(['old', 'new']);
    expect(ring?.keys.get('new')?.toString('base64')).toBe(KEY_B);
  });

  it('a generated key ring travels to a child process through its environment', async () => {
    const ring = generateKeyRing();
    const again = loadCodecKeyRing(keyRingToEnv(ring));
    const [encoded] = await new EncryptionCodec(ring).encode([payloadOf('hello')]);
    const [decoded] = await new EncryptionCodec(again ?? ring).decode([encoded as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toBe('hello');
  });

  const shortKey = randomBytes(16).toString('base64');
  const bad: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a key of the wrong length',
      { DCS_MIGRATE_CODEC_KEYS: `k1:${shortKey}` },
      /^DCS_MIGRATE_CODEC_KEYS: key "k1" must be 32 bytes \(AES-256\), got 16$/,
    ],
    [
      'a key that is not base64',
      { DCS_MIGRATE_CODEC_KEYS: 'k1:not base64!' },
      /DCS_MIGRATE_CODEC_KEYS: key "k1" is not base64/,
    ],
    [
      'an entry without an id',
      { DCS_MIGRATE_CODEC_KEYS: KEY_A },
      /DCS_MIGRATE_CODEC_KEYS: entry 1 is not id:base64key/,
    ],
    [
      'a bad key id',
      { DCS_MIGRATE_CODEC_KEYS: `bad id:${KEY_A}` },
      /DCS_MIGRATE_CODEC_KEYS: entry 1: a key id may only hold/,
    ],
    ['a duplicate id', { DCS_MIGRATE_CODEC_KEYS: `k:${KEY_A},k:${KEY_B}` }, /key id "k" appears twice/],
    [
      'several keys, no active one',
      { DCS_MIGRATE_CODEC_KEYS: `k1:${KEY_A},k2:${KEY_B}` },
      /^DCS_MIGRATE_CODEC_ACTIVE_KEY: required when DCS_MIGRATE_CODEC_KEYS holds several keys \(one of: k1, k2\)$/,
    ],
    [
      'an active id that is not configured',
      { DCS_MIGRATE_CODEC_KEYS: `k1:${KEY_A}`, DCS_MIGRATE_CODEC_ACTIVE_KEY: 'k9' },
      /DCS_MIGRATE_CODEC_ACTIVE_KEY: "k9" is not a key id/,
    ],
    [
      'both a list and a file',
      { DCS_MIGRATE_CODEC_KEYS: `k1:${KEY_A}`, DCS_MIGRATE_CODEC_KEY_FILE: '/x' },
      /set either DCS_MIGRATE_CODEC_KEYS or DCS_MIGRATE_CODEC_KEY_FILE/,
    ],
    [
      'a key file that does not exist',
      { DCS_MIGRATE_CODEC_KEY_FILE: '/nonexistent/keys' },
      /DCS_MIGRATE_CODEC_KEY_FILE \(\/nonexistent\/keys\): cannot read the file \(ENOENT\)/,
    ],
  ];
  it.each(bad)('%s: a clear error naming the variable, never the key', (_what, env, message) => {
    let error: unknown;
    try {
      loadCodecKeyRing(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CodecConfigurationError);
    const shown = (error as Error).message;
    expect(shown).toMatch(message);
    for (const key of [KEY_A, KEY_B, shortKey]) expect(shown).not.toContain(key);
  });
});
