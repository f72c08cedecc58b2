import { describe, expect, it } from 'vitest';
import { hashTagForSlot, keySlot, SLOT_COUNT } from './key-slot.js';

describe('keySlot', () => {
  it('matches the slots Redis documents, hash tags included', () => {
    expect(keySlot('123456789')).toBe(0x31c3 % SLOT_COUNT);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'.slice(0)));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot(Buffer.from('foo'))).toBe(12182);
  });

  it('finds a hash tag for every slot', () => {
    for (const slot of [0, 1, 5460, 12182, SLOT_COUNT - 1]) expect(keySlot(`x{${hashTagForSlot(slot)}}y`)).toBe(slot);
  });
});
