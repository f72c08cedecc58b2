/**
 * The rollback window's reverse sync (`cutover.rollback: keep-writes`, workflows/steps/reverse-sync.ts), its rules
 * on the time-skipping layer: the real workflow code over the fake DCS (test/harness/fake-activities.ts) with
 * the switch and the reverse task modelled by test/harness/fake-reverse-sync.ts. Each scenario prints how many
 * paid tasks it left running, and expects none.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { MigrationInputFile } from '../common/migration-input.js';
import { cancelSignal, rollbackUpdate, statusQuery } from '../common/workflow-contract.js';
import type { MigrationResult, RollbackRequest } from '../common/workflow-contract.js';
import { fakeActivities, type TaskScript } from './harness/fake-activities.js';
import { fakeReverseSync, REVERSE_TASK_ID } from './harness/fake-reverse-sync.js';
import type { LoggedCall, ReverseScript, SwitchScenario } from './harness/fake-reverse-sync.js';
import { useTimeSkippingEnv, type TimeSkippingEnv } from './harness/time-skipping.js';
import { failureOf } from './workflow-env.js';

const fake = fakeReverseSync(fakeActivities());
let ts: TimeSkippingEnv;
useTimeSkippingEnv(fake.activities, (env) => (ts = env));

/** The migration's own task: provisioned, configured, then in sync (the auto cutover ends the hold at once). */
const MIGRATION: TaskScript = { reads: ['INCRMIGEATING'] };

function input(cutover: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): MigrationInputFile {
  return {
    kind: 'online',
    source: { instanceId: 'old-instance' },
    target: { instanceId: 'new-instance' },
    network: { vpcId: 'vpc-1', subnetId: 'subnet-1', securityGroupId: 'sg-1' },
    method: 'incremental',
    polling: { initialInterval: '1s', maxInterval: '5s' },
    cutover: { mode: 'auto', switch: 'ip', rollbackWindow: '10m', afterRollback: 'end', ...cutover },
    ...extra,
  } as MigrationInputFile;
}

let counter = 0;

/** A migration with a one-hour rollback window and the reverse task of `reverse`. */
const inWindow = (reverse: ReverseScript) => run(input({ rollbackWindow: '1h' }), { reverse });

/** Sends a rollback and returns once it is accepted (the time-skipping server moves on while a result is awaited). */
type Handle = Awaited<ReturnType<typeof run>>['handle'];
const startRollback = (handle: Handle, request: RollbackRequest) =>
  handle.startUpdate(rollbackUpdate, { args: [request], waitForStage: WorkflowUpdateStage.ACCEPTED });

/** The message an update was refused (or failed) with. */
async function rejection(update: Promise<unknown>): Promise<string> {
  const error = (await update.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as { cause?: { message?: string } } | undefined;
  return error?.cause?.message ?? `no rejection (${String(error)})`;
}

async function run(file: MigrationInputFile, scenario: Partial<SwitchScenario> = {}) {
  const workflowId = `reverse-${counter++}-${Date.now()}`;
  const log = fake.script(workflowId, { task: MIGRATION, ...scenario });
  const handle = await ts.start(file, workflowId);
  const paidTasksLeft = (label: string) => fake.paidTasksLeft(workflowId, label);
  return { handle, log, paidTasksLeft, result: () => handle.result() as Promise<MigrationResult> };
}

type About = LoggedCall['about'];
const named = (log: LoggedCall[], about: About) => log.filter((call) => call.about === about).map((call) => call.name);
const first = (log: LoggedCall[], name: LoggedCall['name'], about: About) => {
  return log.findIndex((call) => call.name === name && call.about === about);
};
const last = (log: LoggedCall[], name: LoggedCall['name'], about: LoggedCall['about']) =>
  log.findLastIndex((call) => call.name === name && call.about === about);

describe('reverse sync in the rollback window (time-skipping)', () => {
  it('a reverse task runs target → source by instance id; the end of the window stops and deletes it', async () => {
    const { log, result, paidTasksLeft } = await run(input(), { reverse: { fullSyncMs: 60_000 } });
    const outcome = await result();
    expect(outcome.outcome).toBe('cut-over');
    expect(outcome.switch).toMatchObject({ state: 'switched', rollbackMode: 'keep-writes' });
    expect(outcome.switch?.reverse?.state).toBe('deleted');
    expect(outcome.switch?.reverse?.taskName).toMatch(/-rev$/);
    expect(outcome.switch?.reverse?.inSyncAt).toBeDefined();
    // Created after the check, configured with the instances' ids swapped (not the addresses: the switch swapped them).
    const configure = log.find((call) => call.name === 'configureOnlineTask' && call.about === 'reverse')!;
    const sides = { source: { instanceId: 'new-instance' }, target: { instanceId: 'old-instance' } };
    expect(configure.args[1]).toMatchObject({ method: 'incremental', ...sides });
    expect(first(log, 'createOnlineTask', 'reverse')).toBeGreaterThan(first(log, 'checkSwitched', 'worker'));
    // The window's end: the reverse task stopped, then deleted, then the migration's own task stopped.
    const ends = ['stopTask', 'deleteTask'].map((name) => first(log, name as LoggedCall['name'], 'reverse'));
    expect(ends[0]).toBeLessThan(ends[1]!);
    expect(ends[1]).toBeLessThan(first(log, 'stopTask', 'migration'));
    const switchedAt = Date.parse(outcome.switch!.switchedAt!);
    expect(log[ends[0]!]!.at - switchedAt).toBeGreaterThanOrEqual(10 * 60_000);
    expect(log.some((call) => call.name === 'rollbackIp')).toBe(false);
    expect(paidTasksLeft('window ends')).toBe(0);
  });

  it('a rollback waits for offset 0 three reads in a row, stops the reverse task, then calls rollback-ip', async () => {
    const offsets = [6, 6, 6, 6, 0, 0, 4, 0, 0, 5, 0, 0, 0];
    const { handle, log, result, paidTasksLeft } = await inWindow({ fullSyncMs: 30_000, offsets });
    await ts.env.sleep('2m');
    const window = await handle.query(statusQuery);
    expect(window.phase).toBe('switched');
    expect(window.switch?.reverse).toMatchObject({ keepsWrites: true, taskId: REVERSE_TASK_ID });
    const update = await startRollback(handle, { note: 'back' });
    const outcome = await result();
    const answer = await update.result();
    expect(answer.keptWrites).toBe(true);
    expect(outcome.outcome).toBe('rolled-back');
    expect(outcome.switch?.rollback).toMatchObject({ by: 'operator', keptWrites: true });
    const stop = first(log, 'stopTask', 'reverse');
    const rollbackIp = first(log, 'rollbackIp', 'switch');
    expect(stop).toBeLessThan(rollbackIp);
    // The reads between the request and the stop: the stop follows the first three zeros in a row.
    const requestedAt = Date.parse(outcome.switch!.rollback!.requestedAt);
    const reads = log.slice(0, stop).filter((call) => call.name === 'showTaskStats' && call.about === 'reverse');
    const gate = reads.filter((call) => call.at >= requestedAt);
    const read = gate.map((call) => call.offset);
    expect(read.slice(-3)).toEqual([0, 0, 0]);
    expect(read.slice(0, -3).join(',')).not.toMatch(/(^|,)0,0,0(,|$)/);
    expect(last(log, 'deleteTask', 'reverse')).toBeGreaterThan(rollbackIp);
    expect(paidTasksLeft('rollback keeps writes')).toBe(0);
  });

  it('during its full sync a rollback is refused (saying how long) unless forced, which goes at once', async () => {
    const { handle, log, result, paidTasksLeft } = await inWindow({ fullSyncMs: 10 * 60_000 });
    await ts.env.sleep('2m');
    const status = await handle.query(statusQuery);
    expect(status.switch?.reverse).toMatchObject({ state: 'full-sync', keepsWrites: false });
    expect(status.switch?.reverse?.fullSyncEndsAt).toBeDefined();
    expect(await rejection(handle.executeUpdate(rollbackUpdate, { args: [{}] }))).toMatch(/full sync .*left.*--force/);
    expect((await handle.query(statusQuery)).switch?.rollback).toBeUndefined();
    const update = await startRollback(handle, { force: true });
    const outcome = await result();
    expect((await update.result()).keptWrites).toBe(false);
    expect(outcome.switch?.rollback).toMatchObject({ force: true, keptWrites: false });
    expect(first(log, 'stopTask', 'reverse')).toBeLessThan(first(log, 'rollbackIp', 'switch'));
    expect(paidTasksLeft('forced rollback during the full sync')).toBe(0);
  });

  it('a failed check that reached the target: the automatic rollback waits for the reverse task too', async () => {
    const check = { outcome: 'failed', reached: 'target' } as const;
    // A key deleted on the target before the reverse task's full sync: listed while it runs, deleted after it stopped.
    const sourceOnlyKeys = [{ db: 0, key: Buffer.from('deleted-early').toString('base64') }];
    const scenario = { check, reverse: { fullSyncMs: 20_000, offsets: [3, 0, 0, 0] }, sourceOnlyKeys };
    const { log, result, paidTasksLeft } = await run(input({ rollbackWindow: 0 }), scenario);
    const outcome = await result();
    expect(outcome.outcome).toBe('rolled-back');
    expect(outcome.switch?.rollback).toMatchObject({ by: 'check', keptWrites: true });
    expect(outcome.switch?.reverse?.deletesCarried).toBe(1);
    const order = [
      'checkSwitched',
      'createOnlineTask',
      'configureOnlineTask',
      'listSourceOnlyKeys',
      'stopTask',
      'deleteSourceOnlyKeys',
      'rollbackIp',
      'deleteTask',
    ];
    const about = ['worker', 'reverse', 'reverse', 'worker', 'reverse', 'worker', 'switch', 'reverse'] as const;
    const indexes = order.map((name, i) => first(log, name as LoggedCall['name'], about[i]!));
    expect(indexes.every((index) => index >= 0)).toBe(true);
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
    expect(paidTasksLeft('automatic rollback keeps writes')).toBe(0);
  });

  it("a failed check that found the source's own server at its address makes no reverse task", async () => {
    // The exchange reports success without moving the addresses: the check finds the source's server there.
    const task = { ...MIGRATION, switch: { unmovedExchanges: [1] } };
    const { log, result, paidTasksLeft } = await run(input(), { task });
    const outcome = await result();
    expect(outcome.outcome).toBe('rolled-back');
    expect(named(log, 'reverse')).toEqual([]);
    expect(outcome.switch).toMatchObject({ rollbackMode: 'addresses-only', reverse: { state: 'unavailable' } });
    expect(paidTasksLeft('check found no switch')).toBe(0);
  });

  it('a cancel during the window stops the reverse task and the migration’s own', async () => {
    const { handle, log, result, paidTasksLeft } = await inWindow({ fullSyncMs: 30_000 });
    await ts.env.sleep('2m');
    await handle.signal(cancelSignal, { reason: 'window test' });
    await expect(result()).rejects.toThrow();
    expect(named(log, 'reverse')).toContain('stopTask');
    expect(named(log, 'migration')).toContain('stopTask');
    expect(paidTasksLeft('cancel in the window')).toBe(0);
  });

  it('a reverse task that fails: its log in the status, a rollback needs --force', async () => {
    const { handle, result, paidTasksLeft } = await inWindow({ fullSyncMs: 30_000, failAfterMs: 60_000 });
    await ts.env.sleep('3m');
    const status = await handle.query(statusQuery);
    expect(status.switch?.reverse).toMatchObject({ state: 'failed', keepsWrites: false });
    expect(status.switch?.reverse?.reason).toContain('source connection lost');
    expect(status.warnings?.some((warning) => warning.message.includes('source connection lost'))).toBe(true);
    const refused = await rejection(handle.executeUpdate(rollbackUpdate, { args: [{}] }));
    expect(refused).toMatch(/source connection lost.*--force/);
    const update = await startRollback(handle, { force: true });
    const outcome = await result();
    expect((await update.result()).keptWrites).toBe(false);
    expect(outcome.switch?.reverse?.state).toBe('deleted');
    expect(paidTasksLeft('reverse task failed')).toBe(0);
  });

  it('a rollback whose reverse task never catches up is called off, saying why; --force goes at once', async () => {
    // Never three zeros in a row; reads every 30 s keep the half hour's history short.
    const file = input({ rollbackWindow: '2h' }, { polling: { initialInterval: '30s', maxInterval: '30s' } });
    const reverse = { fullSyncMs: 10_000, offsets: [2, 0, 0], cycle: true };
    const { handle, log, result, paidTasksLeft } = await run(file, { reverse });
    await ts.env.sleep('3m');
    const refused = rejection(handle.executeUpdate(rollbackUpdate, { args: [{}] }));
    await ts.env.sleep('31m');
    expect(await refused).toMatch(/did not catch up.*--force/);
    const status = await handle.query(statusQuery);
    expect(status.phase).toBe('switched');
    expect(status.switch?.rollbackRefused?.reason).toMatch(/did not catch up/);
    expect(log.some((call) => call.name === 'rollbackIp')).toBe(false);
    const update = await startRollback(handle, { force: true });
    const outcome = await result();
    expect((await update.result()).keptWrites).toBe(false);
    expect(outcome.outcome).toBe('rolled-back');
    expect(paidTasksLeft('called off, then forced')).toBe(0);
  });

  it('cutover.rollback addresses-only makes no reverse task', async () => {
    const { log, result, paidTasksLeft } = await run(input({ rollback: 'addresses-only', rollbackWindow: '1m' }));
    const outcome = await result();
    expect(outcome.outcome).toBe('cut-over');
    expect(outcome.switch?.rollbackMode).toBe('addresses-only');
    expect(named(log, 'reverse')).toEqual([]);
    expect(paidTasksLeft('addresses-only')).toBe(0);
  });

  it('where the pre-flight check says DCS cannot run it (Proxy Cluster target), the default falls back', async () => {
    const prechecks = [
      {
        id: 'rollback-keeps-writes',
        verdict: 'warn' as const,
        title: 'reverse sync',
        evidence: 'the target new-instance is a Proxy Cluster, which cannot be an online source',
      },
    ];
    const { log, result, paidTasksLeft } = await run(input({ rollbackWindow: '1m' }), { prechecks });
    const outcome = await result();
    expect(named(log, 'reverse')).toEqual([]);
    expect(outcome.switch).toMatchObject({ rollbackMode: 'addresses-only', reverse: { state: 'unavailable' } });
    expect(outcome.switch?.reverse?.reason).toContain('Proxy Cluster');
    expect(paidTasksLeft('proxy target')).toBe(0);
  });

  it('DCS refusing to configure the reverse task: it is deleted, a rollback restores the addresses only', async () => {
    const refuseConfigure = 'DCS.4962: a Proxy Cluster instance cannot be the source of an online migration';
    const { handle, log, result, paidTasksLeft } = await inWindow({ refuseConfigure });
    await ts.env.sleep('1m');
    const status = await handle.query(statusQuery);
    expect(status.switch).toMatchObject({ rollbackMode: 'addresses-only', reverse: { state: 'unavailable' } });
    expect(status.warnings?.some((warning) => warning.message.includes('DCS.4962'))).toBe(true);
    const update = await startRollback(handle, {});
    const outcome = await result();
    expect((await update.result()).keptWrites).toBe(false);
    expect(outcome.outcome).toBe('rolled-back');
    expect(named(log, 'reverse')).toEqual(expect.arrayContaining(['stopTask', 'deleteTask']));
    expect(paidTasksLeft('configure refused')).toBe(0);
  });

  it('a failure after the reverse task ran (rollback-ip refused) cleans it up as onFailure says', async () => {
    const file = input({ rollbackWindow: 0 }, { onFailure: 'delete' });
    const check = { outcome: 'failed', reached: 'target' } as const;
    const refused = {
      activity: 'rollbackIp',
      status: 400,
      errorCode: 'DCS.4957',
      errorMessage: 'not allowed',
    } as const;
    const scenario = { check, task: { ...MIGRATION, faults: [refused] }, reverse: { fullSyncMs: 5_000 } };
    const { handle, log, paidTasksLeft } = await run(file, scenario);
    const failure = await failureOf(handle);
    expect(failure.message).toMatch(/reverse task .* stopped and deleted/);
    expect(named(log, 'reverse')).toEqual(expect.arrayContaining(['stopTask', 'deleteTask']));
    expect(named(log, 'migration')).toEqual(expect.arrayContaining(['stopTask', 'deleteTask']));
    expect(paidTasksLeft('failure after the reverse task')).toBe(0);
  });
});
