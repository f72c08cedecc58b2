/**
 * The keys an incremental run has carried to the target and not deleted there since: (db, key name) pairs.
 *
 * Why: DCS's sync carries the source's writes and deletes to the target, and a key the source never had stays on
 * the target. When the run has to resync (a lost feed, a failover, a FLUSHDB on the source), deletions in the gap
 * sent no event; target keys the source lacks are deleted then only when the run carried them, so keys that clients
 * wrote to the target themselves stay. Exact, not probabilistic: the names themselves are kept.
 *
 * Why not a Set<string>: one heap object per key makes garbage collection slow on millions of keys, and a Set
 * holds at most 2^24 entries. Names live in big Buffers instead (`[db u32][length u32][bytes]` per entry), indexed
 * by an open-addressing table of typed arrays: about 8 bytes of header and 20-40 of table per key, invisible to
 * the garbage collector. Deleting leaves the entry's bytes behind; they are compacted away once they outweigh the
 * live ones, so churning key names (sessions created and deleted) do not grow it without end.
 */
export class CarriedKeys {
  private chunks: Buffer[] = [];
  /** Bytes taken in the last chunk. */
  private chunkUsed = 0;
  /** Per slot: 0 empty, -1 deleted, else the entry's address + 1 (chunk × 2^32 + offset). */
  private slots = new Float64Array(INITIAL_SLOTS);
  private hashes = new Uint32Array(INITIAL_SLOTS);
  private live = 0;
  private tombstones = 0;
  private liveBytes = 0;
  private garbageBytes = 0;
  private readonly chunkBytes: number;
  private readonly compactAfterBytes: number;

  /** `chunkBytes` and `compactAfterBytes` are for tests (small values reach the edge cases with few keys). */
  constructor(options: { chunkBytes?: number; compactAfterBytes?: number } = {}) {
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    this.compactAfterBytes = options.compactAfterBytes ?? COMPACT_AFTER_BYTES;
  }

  /** Keys held. */
  get size(): number {
    return this.live;
  }

  /** Bytes held by names and headers (live and not yet compacted), plus the table. */
  get bytes(): number {
    const chunkBytes = this.chunks.reduce((total, chunk) => total + chunk.length, 0);
    return chunkBytes + this.slots.byteLength + this.hashes.byteLength;
  }

  has(db: number, key: Buffer): boolean {
    return this.find(db, key, hashOf(db, key)).slot >= 0;
  }

  add(db: number, key: Buffer): void {
    const hash = hashOf(db, key);
    const found = this.find(db, key, hash);
    if (found.slot >= 0) return;
    if ((this.live + this.tombstones + 1) / this.slots.length > MAX_LOAD) {
      this.rehash();
      this.add(db, key);
      return;
    }
    const slot = found.free;
    if (this.slots[slot] === DELETED) this.tombstones--;
    this.slots[slot] = this.append(db, key) + 1;
    this.hashes[slot] = hash;
    this.live++;
    this.liveBytes += HEADER + key.length;
  }

  delete(db: number, key: Buffer): void {
    const { slot } = this.find(db, key, hashOf(db, key));
    if (slot < 0) return;
    this.slots[slot] = DELETED;
    this.live--;
    this.tombstones++;
    this.liveBytes -= HEADER + key.length;
    this.garbageBytes += HEADER + key.length;
    if (this.garbageBytes > this.liveBytes && this.garbageBytes > this.compactAfterBytes) this.compact();
  }

  /** The slot holding (db, key), or -1 with the slot an insert would take (the first deleted one on the way). */
  private find(db: number, key: Buffer, hash: number): { slot: number; free: number } {
    const mask = this.slots.length - 1;
    let free = -1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot]!;
      if (stored === EMPTY) return { slot: -1, free: free >= 0 ? free : slot };
      if (stored === DELETED) {
        if (free < 0) free = slot;
      } else if (this.hashes[slot] === hash && this.matches(stored - 1, db, key)) {
        return { slot, free };
      }
    }
  }

  private matches(address: number, db: number, key: Buffer): boolean {
    const chunk = this.chunks[Math.floor(address / CHUNK_SPAN)]!;
    const offset = address % CHUNK_SPAN;
    if (chunk.readUInt32LE(offset) !== db || chunk.readUInt32LE(offset + 4) !== key.length) return false;
    return key.compare(chunk, offset + HEADER, offset + HEADER + key.length) === 0;
  }

  /** Appends an entry; a new chunk when the last one is full (a name longer than a chunk gets one of its own). */
  private append(db: number, key: Buffer): number {
    const size = HEADER + key.length;
    let chunk = this.chunks.at(-1);
    if (!chunk || this.chunkUsed + size > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(this.chunkBytes, size));
      this.chunks.push(chunk);
      this.chunkUsed = 0;
    }
    const offset = this.chunkUsed;
    chunk.writeUInt32LE(db, offset);
    chunk.writeUInt32LE(key.length, offset + 4);
    key.copy(chunk, offset + HEADER);
    this.chunkUsed += size;
    return (this.chunks.length - 1) * CHUNK_SPAN + offset;
  }

  /** A table sized for the live keys (twice as many slots as keys at least), without deleted slots. */
  private rehash(): void {
    const size = slotsFor(this.live + 1);
    const [slots, hashes] = [this.slots, this.hashes];
    this.slots = new Float64Array(size);
    this.hashes = new Uint32Array(size);
    this.tombstones = 0;
    const mask = size - 1;
    for (let index = 0; index < slots.length; index++) {
      const stored = slots[index]!;
      if (stored === EMPTY || stored === DELETED) continue;
      let slot = hashes[index]! & mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slots[slot] = stored;
      this.hashes[slot] = hashes[index]!;
    }
  }

  /** Copies the live entries into fresh chunks and rebuilds the table: deleted names stop taking memory. */
  private compact(): void {
    const [chunks, slots] = [this.chunks, this.slots];
    this.chunks = [];
    this.chunkUsed = 0;
    this.slots = new Float64Array(slotsFor(this.live));
    this.hashes = new Uint32Array(this.slots.length);
    this.live = 0;
    this.tombstones = 0;
    this.liveBytes = 0;
    this.garbageBytes = 0;
    for (const stored of slots) {
      if (stored === EMPTY || stored === DELETED) continue;
      const chunk = chunks[Math.floor((stored - 1) / CHUNK_SPAN)]!;
      const offset = (stored - 1) % CHUNK_SPAN;
      const length = chunk.readUInt32LE(offset + 4);
      this.add(chunk.readUInt32LE(offset), chunk.subarray(offset + HEADER, offset + HEADER + length));
    }
  }
}

const EMPTY = 0;
const DELETED = -1;
const HEADER = 8;
const INITIAL_SLOTS = 1024;
const MAX_LOAD = 0.6;
const TARGET_LOAD = 0.3;
/** Names are appended to chunks of this size: growing never copies what is already held. */
const CHUNK_BYTES = 16 * 1024 * 1024;
/** Addresses are chunk × 2^32 + offset (a Float64 holds integers up to 2^53 exactly). */
const CHUNK_SPAN = 2 ** 32;
/** Deleted names are compacted away only past this much, so small ledgers never pay for a rebuild. */
const COMPACT_AFTER_BYTES = 1024 * 1024;

/** A power of two with room for `keys` at the target load. */
function slotsFor(keys: number): number {
  return Math.max(INITIAL_SLOTS, 2 ** Math.ceil(Math.log2(keys / TARGET_LOAD)));
}

/** FNV-1a over the db (4 bytes) and the name's bytes. */
function hashOf(db: number, key: Buffer): number {
  let hash = 0x811c9dc5;
  for (let shift = 0; shift < 32; shift += 8) hash = Math.imul(hash ^ ((db >>> shift) & 0xff), 0x01000193);
  for (let index = 0; index < key.length; index++) hash = Math.imul(hash ^ key[index]!, 0x01000193);
  return hash >>> 0;
}
