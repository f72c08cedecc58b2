/**
 * The `temporal.api.common.v1.Payload` protobuf message, on its own: what the encryption codec serializes before it
 * encrypts and parses after it decrypts. It uses protobufjs's minimal runtime (Reader/Writer) instead of
 * `@temporalio/proto`, whose full message tree takes ~120 ms to load: a CLI that only decrypts a status answer
 * must not pay that (issue 18). `payload-message.test.ts` checks both ways against `@temporalio/proto` itself.
 *
 *   message Payload {
 *     map<string, bytes> metadata = 1;
 *     bytes data = 2;
 *     repeated ExternalPayloadDetails external_payloads = 3;   // message { int64 size_bytes = 1; }
 *   }
 */
import type { Payload } from '@temporalio/common';
import protobuf from 'protobufjs/minimal.js';

const { Reader, Writer } = protobuf;

/** Wire types of protobuf fields. */
const VARINT = 0;
const LENGTH_DELIMITED = 2;

const tag = (field: number, wireType: number) => (field << 3) | wireType;

/** Serializes a payload as `@temporalio/proto`'s `Payload.encode(payload).finish()` does (same bytes). */
export function encodePayloadMessage(payload: Payload): Uint8Array {
  const writer = Writer.create();
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    if (value === null || value === undefined) continue;
    writer.uint32(tag(1, LENGTH_DELIMITED)).fork();
    writer.uint32(tag(1, LENGTH_DELIMITED)).string(key);
    writer.uint32(tag(2, LENGTH_DELIMITED)).bytes(value);
    writer.ldelim();
  }
  // proto3 leaves an empty bytes field out.
  if (payload.data && payload.data.length > 0) writer.uint32(tag(2, LENGTH_DELIMITED)).bytes(payload.data);
  for (const external of payload.externalPayloads ?? []) {
    writer.uint32(tag(3, LENGTH_DELIMITED)).fork();
    if (external.sizeBytes !== null && external.sizeBytes !== undefined)
      writer.uint32(tag(1, VARINT)).int64(external.sizeBytes);
    writer.ldelim();
  }
  return writer.finish();
}

/** Parses a serialized payload; unknown fields are skipped, as protobuf readers do. */
export function decodePayloadMessage(bytes: Uint8Array): Payload {
  const reader = Reader.create(bytes);
  const metadata: Record<string, Uint8Array> = {};
  let data: Uint8Array = new Uint8Array();
  const externalPayloads: NonNullable<Payload['externalPayloads']> = [];
  while (reader.pos < reader.len) {
    const header = reader.uint32();
    const field = header >>> 3;
    if (field === 1) {
      const end = reader.uint32() + reader.pos;
      let key = '';
      let value: Uint8Array = new Uint8Array();
      while (reader.pos < end) {
        const entry = reader.uint32();
        if (entry >>> 3 === 1) key = reader.string();
        else if (entry >>> 3 === 2) value = reader.bytes();
        else reader.skipType(entry & 7);
      }
      metadata[key] = value;
    } else if (field === 2) {
      data = reader.bytes();
    } else if (field === 3) {
      const end = reader.uint32() + reader.pos;
      const details: NonNullable<Payload['externalPayloads']>[number] = {};
      while (reader.pos < end) {
        const entry = reader.uint32();
        // The same long.js value; only the type packages differ between the two protobufjs versions.
        if (entry >>> 3 === 1) details.sizeBytes = reader.int64() as unknown as typeof details.sizeBytes;
        else reader.skipType(entry & 7);
      }
      externalPayloads.push(details);
    } else {
      reader.skipType(header & 7);
    }
  }
  return { metadata, data, ...(externalPayloads.length > 0 ? { externalPayloads } : {}) };
}
