/**
 * A Temporal `PayloadCodec` that encrypts every payload with AES-256-GCM before it leaves the process, so the
 * Temporal server (its database, its history exports, anyone reading them) only ever holds ciphertext.
 *
 * Wire format of an encoded payload:
 * - metadata `encoding`: `binary/encrypted`, `encryption-key-id`: the id of the key that encrypted it;
 * - data: 12-byte IV ‖ ciphertext ‖ 16-byte GCM tag, the plaintext being the whole original payload (metadata
 *   included, serialized as the `temporal.api.common.v1.Payload` protobuf), and the key id bound in as
 *   additional authenticated data so a payload cannot be relabelled to another key.
 *
 * Decoding uses whichever known key the payload names, so rotated-out keys keep old histories readable; payloads
 * with any other encoding (written before encryption was turned on) pass through untouched.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { CodecKeyRing } from './codec-keys.js';
import { decodePayloadMessage, encodePayloadMessage } from './payload-message.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/**
 * `METADATA_ENCODING_KEY` of `@temporalio/common`, spelled here so that decrypting a status answer does not load
 * the SDK's common module (~50 ms); encryption-codec.test.ts checks it against the SDK's constant.
 */
export const METADATA_ENCODING_KEY = 'encoding';

/** A payload that cannot be decrypted: unknown key id, too short, or failing authentication (tampered or wrong key). */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/** AES-256-GCM payload codec over a key ring (see `codec-keys.ts`). */
export class EncryptionCodec implements PayloadCodec {
  readonly activeKeyId: string;
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #activeKey: Buffer;

  constructor(ring: CodecKeyRing) {
    const active = ring.keys.get(ring.activeKeyId);
    if (!active) throw new Error(`the active key id "${ring.activeKeyId}" is not in the key ring`);
    this.activeKeyId = ring.activeKeyId;
    this.#keys = new Map(ring.keys);
    this.#activeKey = active;
  }

  /** Key ids this codec can decode. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.#encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.#decrypt(payload));
  }

  #encrypt(payload: Payload): Payload {
    const plaintext = encodePayloadMessage(payload);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#activeKey, iv);
    cipher.setAAD(Buffer.from(this.activeKeyId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
        [KEY_ID_METADATA_KEY]: Buffer.from(this.activeKeyId, 'utf8'),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  #decrypt(payload: Payload): Payload {
    if (metadataText(payload, METADATA_ENCODING_KEY) !== ENCRYPTED_ENCODING) return payload;
    const keyId = metadataText(payload, KEY_ID_METADATA_KEY);
    if (keyId === undefined)
      throw new PayloadDecryptionError(`encrypted payload has no ${KEY_ID_METADATA_KEY} metadata`);
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `encrypted payload names key id "${keyId}", which is not configured (known: ${this.keyIds.join(', ')})`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`encrypted payload (key id "${keyId}") is truncated`);
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(tag);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `encrypted payload (key id "${keyId}") failed authentication: it was altered, or the key is not the one that encrypted it`,
      );
    }
    const decoded = decodePayloadMessage(plaintext);
    return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
  }
}

function metadataText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
}

/**
 * The codec of a client that has no keys: it sends payloads as they are and, instead of a converter error about an
 * unknown encoding, says plainly that what it read is encrypted and which variable would let it decrypt it.
 */
export class MissingKeysCodec implements PayloadCodec {
  constructor(private readonly hint: string) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    for (const payload of payloads) {
      if (metadataText(payload, METADATA_ENCODING_KEY) === ENCRYPTED_ENCODING) {
        const keyId = metadataText(payload, KEY_ID_METADATA_KEY) ?? 'unknown';
        throw new PayloadDecryptionError(
          `this workflow's data is encrypted (key id "${keyId}") and no codec keys are configured: ${this.hint}`,
        );
      }
    }
    return payloads;
  }
}
