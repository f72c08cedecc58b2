/**
 * The shared status watcher against the real emulator over HTTP: one listing per round whatever the number of
 * waiters, a page per 1,000 tasks (here per 10), waiters woken on a change, told about a vanished task, told
 * when the watcher cannot list, and released on timeout, abort and close.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DcsClient } from '../dcs/client.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { statusWatcherOver, type SharedStatusWatcher, type StatusWatcherOptions } from './status-watcher.js';

let emu: Emulator;
let dcs: DcsClient;

beforeAll(async () => {
  emu = await startEmulator({ timings: { creatingMs: 600 } });
  dcs = DcsClient.fromEnv(
    {},
    {
      endpoint: emu.url,
      projectId: emu.credentials.projectId,
      accessKey: emu.credentials.ak,
      secretKey: emu.credentials.sk,
    },
  );
});
afterAll(async () => {
  await dcs?.close();
  await emu?.stop();
});
beforeEach(() => emu.reset());

function watcherOver(options: Partial<StatusWatcherOptions> = {}): SharedStatusWatcher {
  return statusWatcherOver(dcs, { roundIntervalMs: 100, ...options });
}

async function createTasks(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await dcs.createOnlineMigrationTask({
      name: `watched-${i}`,
      vpc_id: 'vpc',
      subnet_id: 'subnet',
      security_group_id: 'sg',
    });
    ids.push(created.instance_id);
  }
  return ids;
}

describe('shared status watcher', () => {
  it('wakes every waiter whose task changed, with one list call per page per round whatever the number of waiters', async () => {
    const ids = await createTasks(25);
    const watcher = watcherOver({ pageSize: 10 });
    try {
      const listBefore = emu.requests().filter((entry) => entry.operation === 'ListMigrationTask').length;
      // Every task is CREATING for 600 ms, then RUNNING (waiting for its configuration).
      const outcomes = await Promise.all(ids.map((id) => watcher.wait(id, 'CREATING', 10_000)));
      for (const [i, outcome] of outcomes.entries()) {
        expect(outcome.kind).toBe('changed');
        if (outcome.kind === 'changed') expect(outcome.task).toMatchObject({ task_id: ids[i], status: 'RUNNING' });
      }
      const stats = watcher.stats();
      const listCalls = emu.requests().filter((entry) => entry.operation === 'ListMigrationTask').length - listBefore;
      expect(stats.listCalls).toBe(listCalls);
      // 25 tasks in pages of 10: 3 calls a round (the short last page ends the listing), for 25 waiters.
      expect(listCalls).toBe(stats.rounds * 3);
      expect(stats.rounds).toBeGreaterThanOrEqual(1);
      expect(stats.rounds).toBeLessThanOrEqual(12);
      expect(stats.watchedTasks).toBe(0);
    } finally {
      watcher.close();
    }
  });

  it('keeps a waiter whose task has not changed until its wait ends, and lists nothing while nobody waits', async () => {
    const [id] = await createTasks(1);
    const watcher = watcherOver();
    try {
      const started = Date.now();
      expect(await watcher.wait(id!, 'CREATING', 300)).toEqual({ kind: 'timeout' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      const roundsAfterWait = watcher.stats().rounds;
      expect(roundsAfterWait).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(watcher.stats().rounds).toBeLessThanOrEqual(roundsAfterWait + 1);
    } finally {
      watcher.close();
    }
  });

  it('backs off while nothing changes (x1.5 up to the maximum) and is quick again for a newly watched task', async () => {
    const [id] = await createTasks(1);
    const watcher = watcherOver({ roundIntervalMs: 100, maxRoundIntervalMs: 400 });
    try {
      expect((await watcher.wait(id!, 'CREATING', 5_000)).kind).toBe('changed');
      const roundsBefore = watcher.stats().rounds;
      // RUNNING (waiting for its configuration) stays as it is: rounds at +100, +150, +225, +338, +400, +400 ms…
      expect(await watcher.wait(id!, 'RUNNING', 1_500)).toEqual({ kind: 'timeout' });
      const idleRounds = watcher.stats().rounds - roundsBefore;
      expect(idleRounds).toBeGreaterThanOrEqual(3);
      expect(idleRounds).toBeLessThanOrEqual(7); // 15 at a fixed 100 ms
      expect(watcher.stats().currentIntervalMs).toBe(400);
      // The same task back after a gap (its workflow read the task itself in between) is no reason to hurry.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const pending = watcher.wait(id!, 'RUNNING', 5_000);
      expect(watcher.stats().currentIntervalMs).toBe(400);
      // A new task resets the interval, so its first change is seen within about one short round.
      const [fresh] = await createTasks(1);
      const started = Date.now();
      const outcome = await watcher.wait(fresh!, 'NO-SUCH-STATUS', 5_000);
      expect(outcome.kind).toBe('changed');
      expect(Date.now() - started).toBeLessThan(350);
      void pending;
    } finally {
      watcher.close();
    }
  });

  it('lists at a waiter’s due times (predictive polling) even when backed off, and sees the change there', async () => {
    const [id] = await createTasks(1);
    const watcher = watcherOver({ roundIntervalMs: 100, maxRoundIntervalMs: 5_000 });
    try {
      expect((await watcher.wait(id!, 'CREATING', 5_000)).kind).toBe('changed');
      // Backed off to 5 s: a round every 5 s from here.
      expect(await watcher.wait(id!, 'RUNNING', 1_500)).toEqual({ kind: 'timeout' });
      const roundsBefore = watcher.stats().rounds;
      // The waiter expects a change in 300 ms, then every 100 ms: rounds come then, not 5 s later.
      const started = Date.now();
      expect(
        await watcher.wait(id!, 'RUNNING', 800, undefined, undefined, { at: started + 300, everyMs: 100 }),
      ).toEqual({ kind: 'timeout' });
      const dueRounds = watcher.stats().rounds - roundsBefore;
      expect(dueRounds).toBeGreaterThanOrEqual(3); // 300, 400, 500, … 800 ms
      expect(dueRounds).toBeLessThanOrEqual(7);
      // A status the task is not in stands for a change: seen at the first due time, not at the backed-off round
      // (after a pause, so the round the last due time left scheduled has run).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const changedAt = Date.now();
      const outcome = await watcher.wait(id!, 'FULLMIGRATING', 3_000, undefined, undefined, {
        at: changedAt + 200,
        everyMs: 100,
      });
      expect(outcome.kind).toBe('changed');
      expect(Date.now() - changedAt).toBeGreaterThanOrEqual(150);
      expect(Date.now() - changedAt).toBeLessThan(1_000);
    } finally {
      watcher.close();
    }
  });

  it('tells a waiter its task is absent from a complete listing', async () => {
    const watcher = watcherOver();
    try {
      expect(await watcher.wait('no-such-task', undefined, 5_000)).toEqual({ kind: 'absent' });
    } finally {
      watcher.close();
    }
  });

  it('after three failed rounds in a row, says the watcher is failing (with the error), then recovers', async () => {
    const [id] = await createTasks(1);
    const errors: unknown[] = [];
    const watcher = watcherOver({ onRoundError: (error) => errors.push(error) });
    try {
      const rule = emu.faults.add({ operation: 'ListMigrationTask', status: 503 });
      const outcome = await watcher.wait(id!, 'CREATING', 10_000);
      expect(outcome.kind).toBe('watcher-failing');
      if (outcome.kind === 'watcher-failing') expect(outcome.error).toMatch(/503|DCS\.5000|Internal/);
      expect(watcher.stats().failedRounds).toBe(3);
      expect(errors).toHaveLength(3);
      emu.faults.remove(rule);
      expect((await watcher.wait(id!, 'CREATING', 10_000)).kind).toBe('changed');
    } finally {
      watcher.close();
    }
  });

  it('releases a waiter on abort (activity cancellation) and ends every wait on close (worker shutdown)', async () => {
    const [id] = await createTasks(1);
    const watcher = watcherOver({ roundIntervalMs: 60_000 });
    const controller = new AbortController();
    const aborted = watcher.wait(id!, 'CREATING', 60_000, controller.signal);
    const closed = watcher.wait(id!, 'CREATING', 60_000);
    expect(watcher.stats().watchedTasks).toBe(2);
    controller.abort(new Error('cancelled by the workflow'));
    await expect(aborted).rejects.toThrow('cancelled by the workflow');
    watcher.close();
    expect(await closed).toEqual({ kind: 'timeout' });
    await expect(watcher.wait(id!, 'CREATING', 1_000)).rejects.toThrow(/closed/);
  });
});
