/**
 * Redis Cluster key slots: CRC16 (XMODEM) of the key, or of its hash tag (the bytes between the first `{` and the
 * next `}`, when not empty), modulo 16384. Pure, so that the emulator, the local tools and the tests agree with
 * the servers without asking them (`CLUSTER KEYSLOT`).
 */
export const SLOT_COUNT = 16_384;

const table = (() => {
  const entries = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    entries[byte] = crc;
  }
  return entries;
})();

const encoder = new TextEncoder();

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let index = start; index < end; index++) {
    const entry = table[((crc >> 8) ^ (bytes[index] as number)) & 0xff] as number;
    crc = ((crc << 8) & 0xffff) ^ entry;
  }
  return crc;
}

/** The hash tag's byte range of `key`, or the whole key when it has none. */
function hashedRange(bytes: Uint8Array): [number, number] {
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) return [open + 1, close];
  }
  return [0, bytes.length];
}

/** The slot of `key` (a string is taken as UTF-8, as a client sends it). */
export function keySlot(key: Uint8Array | string): number {
  const bytes = typeof key === 'string' ? encoder.encode(key) : key;
  const [start, end] = hashedRange(bytes);
  return crc16(bytes, start, end) % SLOT_COUNT;
}

let tagsBySlot: string[] | undefined;

/**
 * A short hash tag (no braces) whose slot is `slot`: `{<tag>}` in a key name pins that key to `slot`, whatever
 * else the name holds. Built once (about 150,000 CRCs) on first use.
 */
export function hashTagForSlot(slot: number): string {
  const valid = Number.isInteger(slot) && slot >= 0 && slot < SLOT_COUNT;
  if (!valid) throw new RangeError(`slot must be 0..${SLOT_COUNT - 1}, got ${slot}`);
  if (!tagsBySlot) {
    const tags: string[] = new Array<string>(SLOT_COUNT);
    let found = 0;
    for (let candidate = 0; found < SLOT_COUNT; candidate++) {
      const tag = candidate.toString(36);
      const bytes = encoder.encode(tag);
      const tagSlot = crc16(bytes, 0, bytes.length) % SLOT_COUNT;
      if (tags[tagSlot] === undefined) {
        tags[tagSlot] = tag;
        found++;
      }
    }
    tagsBySlot = tags;
  }
  return tagsBySlot[slot] as string;
}
