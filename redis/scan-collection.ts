import type { Redis } from 'ioredis';

/**
 * Walks a hash, set or zset in pages of about `chunk` elements (HSCAN / SSCAN / ZSCAN, flat arrays as Redis answers
 * them), so a key of any size is read in bounded memory. `each` may return false to stop early; the result says
 * whether the walk ran to the end. Shared by the emulator's big-key copy and the verifier's windowed comparison.
 */
export async function scanCollection(
  source: Redis,
  command: 'HSCAN' | 'SSCAN' | 'ZSCAN',
  key: Buffer,
  chunk: number,
  each: (items: Buffer[]) => Promise<boolean | void>,
): Promise<boolean> {
  let cursor = '0';
  do {
    const [next, items] = (await source.callBuffer(command, key, cursor, 'COUNT', chunk)) as [Buffer, Buffer[]];
    cursor = next.toString();
    if (items.length > 0 && (await each(items)) === false) return false;
  } while (cursor !== '0');
  return true;
}
