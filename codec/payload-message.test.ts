import proto from '@temporalio/proto';
import type { Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { decodePayloadMessage, encodePayloadMessage } from './payload-message.js';

const ProtoPayload = proto.temporal.api.common.v1.Payload;
const bytes = (text: string) => Buffer.from(text, 'utf8');

const samples = [
  { metadata: { encoding: bytes('json/plain') }, data: bytes('{"phase":"incremental-hold","polls":12}') },
  { metadata: { encoding: bytes('binary/null') }, data: new Uint8Array() },
  {
    metadata: { encoding: bytes('json/plain'), messageType: bytes('x'), empty: new Uint8Array() },
    data: Buffer.alloc(70_000, 7),
  },
  { metadata: {}, data: bytes('no metadata') },
  {
    metadata: { encoding: bytes('json/plain') },
    data: bytes('1'),
    externalPayloads: [{ sizeBytes: 5_000_000_000 }, { sizeBytes: 1 }],
  },
] as unknown as Array<Payload & { metadata: Record<string, Uint8Array>; data: Uint8Array }>;

describe('the Payload message without @temporalio/proto', () => {
  it('serializes every payload to the same bytes as @temporalio/proto', () => {
    for (const payload of samples)
      expect(Buffer.from(encodePayloadMessage(payload))).toEqual(Buffer.from(ProtoPayload.encode(payload).finish()));
  });

  it('reads back what @temporalio/proto wrote, field by field', () => {
    for (const payload of samples) {
      const decoded = decodePayloadMessage(ProtoPayload.encode(payload).finish());
      expect(
        Object.fromEntries(
          Object.entries(decoded.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value!).toString('hex')]),
        ),
      ).toEqual(
        Object.fromEntries(
          Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value).toString('hex')]),
        ),
      );
      expect(Buffer.from(decoded.data!)).toEqual(Buffer.from(payload.data));
      const sizes = (list: Payload['externalPayloads']) => (list ?? []).map((details) => String(details.sizeBytes));
      expect(sizes(decoded.externalPayloads)).toEqual(sizes(payload.externalPayloads));
    }
  });

  it('skips fields it does not know, as a protobuf reader must', () => {
    const known = ProtoPayload.encode(samples[0]!).finish();
    // Field 9, length-delimited, 3 bytes: a field a newer server could add.
    const withUnknown = Buffer.concat([Buffer.from([(9 << 3) | 2, 3, 1, 2, 3]), known]);
    expect(Buffer.from(decodePayloadMessage(withUnknown).data!)).toEqual(Buffer.from(samples[0]!.data));
  });
});
