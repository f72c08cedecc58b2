import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../common/seeded-random.js';
import { CarriedKeys } from './carried-keys.js';

// The ledger against a plain Set of the same (db, name) pairs, under seeded random adds and deletes: tiny chunks
// and a tiny compaction threshold reach chunk boundaries, over-long names, rehashing and compaction with few keys.
describe('CarriedKeys', () => {
  it('answers as a Set would through 60,000 random adds and deletes, across chunks, rehashes and compactions', () => {
    const random = seededRandom(20261207);
    const ledger = new CarriedKeys({ chunkBytes: 256, compactAfterBytes: 512 });
    const reference = new Set<string>();
    const id = (db: number, key: Buffer) => `${db}:${key.toString('latin1')}`;
    // Binary names, the empty name, and names longer than a chunk; few distinct names so deletes hit often.
    const names = Array.from({ length: 3_000 }, (_, index) => {
      const length = index % 500 === 0 ? 300 + index : Math.floor(random() * 24);
      return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
    });
    let compactedOnce = false;
    for (let step = 0; step < 60_000; step++) {
      const db = Math.floor(random() * 3);
      const key = names[Math.floor(random() * names.length)]!;
      const bytesBefore = ledger.bytes;
      if (random() < 0.55) {
        ledger.add(db, key);
        reference.add(id(db, key));
      } else {
        ledger.delete(db, key);
        reference.delete(id(db, key));
        if (ledger.bytes < bytesBefore) compactedOnce = true;
      }
      expect(ledger.size).toBe(reference.size);
    }
    for (let db = 0; db < 4; db++) {
      for (const key of names) {
        const label = `db ${db} key ${key.toString('hex')}`;
        expect(ledger.has(db, key), label).toBe(reference.has(id(db, key)));
      }
    }
    expect(compactedOnce).toBe(true);
  });

  it('tells databases apart and a name from its prefix', () => {
    const ledger = new CarriedKeys();
    ledger.add(0, Buffer.from('user:1'));
    expect(ledger.has(1, Buffer.from('user:1'))).toBe(false);
    expect(ledger.has(0, Buffer.from('user:'))).toBe(false);
    expect(ledger.has(0, Buffer.from('user:10'))).toBe(false);
    ledger.add(0, Buffer.from('user:1'));
    expect(ledger.size).toBe(1);
  });

  it('does not grow without end while names churn (created, carried, deleted, never seen again)', () => {
    const ledger = new CarriedKeys({ chunkBytes: 64 * 1024, compactAfterBytes: 64 * 1024 });
    for (let index = 0; index < 1_000; index++) ledger.add(0, Buffer.from(`stays:${index}`));
    const steady = ledger.bytes;
    for (let index = 0; index < 200_000; index++) {
      const session = Buffer.from(`session:${index}`);
      ledger.add(0, session);
      ledger.delete(0, session);
    }
    expect(ledger.size).toBe(1_000);
    expect(ledger.bytes).toBeLessThan(steady + 512 * 1024);
    expect(ledger.has(0, Buffer.from('stays:999'))).toBe(true);
  });
});
