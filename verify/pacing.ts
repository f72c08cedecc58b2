/**
 * Keeps a scan under `keysPerSecond`: after each batch, waits until the keys seen so far are no ahead of the
 * rate (a production source must not be read flat out). No limit when `keysPerSecond` is undefined.
 */
export class Pacer {
  private readonly startedAt = Date.now();
  private keys = 0;

  constructor(private readonly keysPerSecond: number | undefined) {}

  async account(keys: number): Promise<void> {
    this.keys += keys;
    if (this.keysPerSecond === undefined) return;
    const due = this.startedAt + (this.keys / this.keysPerSecond) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * True for the keys of a sample of about `ratio` of all keys. The choice depends only on the key name (FNV-1a, then mixed),
 * so both sides, the reverse scan and a re-run pick the same keys.
 */
export function inSample(key: Buffer, ratio: number): boolean {
  if (ratio >= 1) return true;
  let hash = 0x811c9dc5;
  for (const byte of key) hash = Math.imul(hash ^ byte, 0x01000193);
  // FNV's high bits barely change between keys that differ in their last bytes: finish with MurmurHash3's mix.
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return ((hash ^ (hash >>> 16)) >>> 0) / 0x1_0000_0000 < ratio;
}
