import { describe, expect, it } from 'vitest';
import { laneOf } from './operations.js';
import { PacedLanes } from './paced-lanes.js';

// The pace's priority lanes on the real clock, with a window short enough to run in a few hundred ms.

const refusal = (waitMs: number) => Object.assign(new Error(`refused, ${Math.round(waitMs)} ms to a slot`), { waitMs });
const aborted = () => new Error('aborted');

describe('paced lanes', () => {
  it('classifies operations: stops, deletes and the IP switch are control, GETs reads, the rest writes', () => {
    expect(['StopMigrationTask', 'DeleteMigrationTask', 'ExchangeInstanceIp'].map(laneOf)).toEqual([
      'control',
      'control',
      'control',
    ]);
    expect(['ListMigrationTask', 'ShowMigrationTask', 'ShowInstance'].map(laneOf)).toEqual(['read', 'read', 'read']);
    expect(['CreateOnlineMigrationTask', 'SetOnlineMigrationTask', 'NoSuchOperation'].map(laneOf)).toEqual([
      'write',
      'write',
      'write',
    ]);
  });

  it('gives a freed slot to a waiting stop before the reads queued ahead of it', async () => {
    const lanes = new PacedLanes({ limit: 10, windowMs: 600 }, { now: Date.now, maxQueueMs: 5_000 });
    const order: string[] = [];
    const call = (lane: 'control' | 'write' | 'read', name: string) =>
      lanes.acquire(lane, refusal, aborted).then((how) => order.push(`${name}:${how}`));
    // Reads fill their 7 slots of 10; the next reads queue.
    const calls = Array.from({ length: 12 }, (_, i) => call('read', `read-${i}`));
    await Promise.resolve();
    expect(order).toHaveLength(7);
    expect(lanes.waiting()).toMatchObject({ read: 5 });
    // A stop arrives behind five waiting reads: it goes at once, in the room reads may not fill.
    await call('control', 'stop-1');
    // Control may fill the window; then a create and a stop queue, behind the five reads.
    await Promise.all([call('control', 'stop-2'), call('control', 'stop-3')]);
    const later = [call('write', 'create'), call('control', 'stop-4')];
    expect(lanes.waiting()).toEqual({ control: 1, write: 1, read: 5 });
    await Promise.all([...calls, ...later]);
    const queued = order.slice(10);
    // When the window frees: the stop first, then the create, then the reads, in the order they came.
    expect(queued).toEqual([
      'stop-4:queued',
      'create:queued',
      ...Array.from({ length: 5 }, (_, i) => `read-${7 + i}:queued`),
    ]);
  });

  it('refuses a call whose slot is beyond maxQueueMs, at once or once higher lanes took its slot', async () => {
    const lanes = new PacedLanes({ limit: 2, windowMs: 10_000 }, { now: Date.now, maxQueueMs: 100 });
    await lanes.acquire('read', refusal, aborted);
    await lanes.acquire('control', refusal, aborted);
    await expect(lanes.acquire('read', refusal, aborted)).rejects.toThrow(/^refused, \d+ ms to a slot/);
    await expect(lanes.acquire('control', refusal, aborted)).rejects.toMatchObject({
      waitMs: expect.any(Number) as number,
    });
  });

  it('a waiting call aborted leaves the queue, and the next one gets the slot', async () => {
    const lanes = new PacedLanes({ limit: 1, windowMs: 150 }, { now: Date.now, maxQueueMs: 5_000 });
    await lanes.acquire('control', refusal, aborted);
    const controller = new AbortController();
    const first = lanes.acquire('control', refusal, aborted, controller.signal);
    const second = lanes.acquire('control', refusal, aborted);
    controller.abort();
    await expect(first).rejects.toThrow('aborted');
    await expect(second).resolves.toBe('queued');
    expect(lanes.waiting()).toEqual({ control: 0, write: 0, read: 0 });
  });
});
