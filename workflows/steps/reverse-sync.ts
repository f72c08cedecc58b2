/**
 * The reverse sync of the rollback window (`cutover.rollback: keep-writes`; its pure decisions are
 * common/reverse-sync.ts). DCS stops the online migration during an IP switch, so a rollback alone restores the
 * addresses and loses what clients wrote on the target since. Here, right after the switch (EXCHANGE_SUCCESS and
 * the post-switch check), a second DCS online migration task copies the target back into the source (incremental:
 * a full sync, then it follows) for the rollback window; a rollback first waits until it has caught up (offset 0
 * for the gate's number of reads in a row), stops it, deletes from the source the keys the target deleted before
 * the reverse task's full sync (which cannot carry a delete: activities/rollback-prune.ts), and only then calls
 * rollback-ip: the source holds every write. When the window ends, the migration commits to the target and the reverse task is stopped and deleted; a
 * failed or cancelled migration cleans it up as it does its own task (`onFailure`, `deleteOnCancel`).
 *
 * Which instances: by instance id, not by address. After exchange-ip each instance answers at the other's service
 * address (the addresses the forward task shows, and the one the switch check used, now reach the other server),
 * while an instance id still names the same server. So the reverse task is configured with the migration's target
 * id as its source and the source id as its target, each with its own password (equal: the switch requires it).
 *
 * The forward task: DCS stopped its copy at the switch, so nothing copies source → target while the reverse task
 * copies back (no loop), and it is not stopped here: rollback-ip is refused once it is stopped. It is stopped as
 * before when the window ends, or restarted by a rollback with `afterRollback: hold`.
 *
 * Nothing here fails the migration while the clients are on the target, except a reverse task that cannot be
 * stopped (a paid task must not be left running): a reverse task DCS refuses or that fails leaves the rollback
 * `addresses-only`, with a warning and the task's log in the status.
 */
import { ApplicationFailure } from '@temporalio/common';
import { condition, isCancellation, log, patched, sleep } from '@temporalio/workflow';
import { retryDelayMs } from '../../common/backoff.js';
import { isFinalClass, readStatus, type StatusReading } from '../../common/dcs-status.js';
import { catchUpReads, fullSyncEndsAt, requestedRollbackMode, reverseSyncObstacle } from '../../common/reverse-sync.js';
import { ROLLBACK_CHECK_ID, roughDuration } from '../../common/reverse-sync.js';
import { MigrationFailureType, type MigrationSwitch } from '../../common/workflow-contract.js';
import type { ReverseSync, RollbackRequest } from '../../common/workflow-contract.js';
import type { SwitchCheck } from '../../activities/switch.js';
import type { DbKey } from '../../activities/rollback-prune.js';
import { callActivity, isPermanentFailure } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { Patch } from '../patches.js';
import { IDEMPOTENT_WRITE_OPTIONS, LOG_READ_OPTIONS, MAX_WRITE_TRIES } from '../retry-policy.js';
import { PRUNE_OPTIONS, READ_OPTIONS, SINGLE_ATTEMPT_OPTIONS } from '../retry-policy.js';
import { describeError, recordError } from '../state.js';
import { reverseTaskName } from '../task-name.js';
import { workflowFailure } from './failures.js';

type Ctx = MigrationContext;

/** How long a rollback waits for the reverse task to catch up before it is called off (automatic: goes without). */
const CATCH_UP_LIMIT_MS = 30 * 60_000;
/** Reads spent waiting for the reverse task to stop before the migration fails (no paid task left running). */
const MAX_STOP_READS = 400;
/** Reads of the reverse task that failed in a row before it counts as failed. */
const MAX_FAILED_READS = 5;
/** Keys only on the source a rollback deletes at most; more are not lost deletes but something else (left alone). */
const MAX_CARRIED_DELETES = 10_000;
/** ERROR log entries of a failed reverse task quoted in its reason. */
const LOG_ENTRIES = 3;
const MAX_WARNINGS = 10;

/**
 * Whether this switch runs a reverse task: asked once per switch, after the post-switch check, for inputs with a
 * switch (`Patch.ReverseSyncInRollbackWindow`; runs recorded before it replay the window without one). Records
 * the rollback mode, and why a reverse task is not possible.
 */
export function planReverseSync(ctx: MigrationContext, record: MigrationSwitch, check: SwitchCheck): boolean {
  const { input, state } = ctx;
  const requested = requestedRollbackMode(input);
  if (!requested || input.kind !== 'online' || !patched(Patch.ReverseSyncInRollbackWindow)) return false;
  record.rollbackMode = requested.mode;
  if (requested.mode === 'addresses-only') return false;
  // No window and nothing to roll back: no reverse task either.
  if (check.outcome === 'passed' && (input.cutover?.rollbackWindow ?? 0) <= 0) return false;
  const taskName = reverseTaskName(ctx.taskName, record.switches ?? 1);
  const precheck = state.prechecks?.find((outcome) => outcome.id === ROLLBACK_CHECK_ID && outcome.verdict !== 'pass');
  const obstacle = precheck?.evidence ?? reverseSyncObstacle(input, {});
  if (obstacle !== undefined) {
    unavailable(ctx, record, taskName, obstacle);
    return false;
  }
  if (check.outcome === 'failed' && check.reached !== 'target') {
    // The check found the source's address still on the source's server (or no answer at all).
    const reason =
      check.reached === 'other'
        ? "the source's address still reached the source's server: no write went to the target through it"
        : 'the post-switch check got no answer at the source’s address: whether clients wrote to the target is unknown';
    unavailable(ctx, record, taskName, reason, check.reached !== 'other');
    return false;
  }
  record.reverse = { state: 'creating', taskName, keepsWrites: false, startedAt: new Date().toISOString() };
  publish(ctx);
  return true;
}

/** The rollback goes without a reverse task: recorded (with a warning when it loses writes), nothing created. */
function unavailable(ctx: Ctx, record: MigrationSwitch, taskName: string, reason: string, warn = true): void {
  record.rollbackMode = 'addresses-only';
  record.reverse = { state: 'unavailable', taskName, keepsWrites: false, reason };
  if (warn) addWarning(ctx, `a rollback restores the addresses only (no reverse task): ${reason}`);
  publish(ctx);
}

function addWarning(ctx: MigrationContext, message: string): void {
  const { state } = ctx;
  log.warn('reverse sync', { message });
  const warning = { field: 'cutover.rollback', message, at: new Date().toISOString() };
  state.warnings = [...(state.warnings ?? []), warning].slice(-MAX_WARNINGS);
}

/**
 * The rollback window with a reverse task (after {@link planReverseSync} said yes): creates and configures it,
 * follows it, and returns `rollback` once a rollback may call rollback-ip (the reverse task caught up and stopped,
 * or the rollback goes without the writes), or `commit` when the window ended (the reverse task stopped and
 * deleted). A rollback asked for already (a failed post-switch check) is the first thing it waits for.
 */
export async function rollbackWindowWithReverseSync(ctx: Ctx, record: MigrationSwitch): Promise<'rollback' | 'commit'> {
  const { input } = ctx;
  const reverse = record.reverse!;
  const windowMs = input.kind === 'online' ? (input.cutover?.rollbackWindow ?? 0) : 0;
  const endsAt = Date.now() + windowMs;
  const pace = new Pace(ctx);
  await startReverseTask(ctx, record, endsAt);
  for (;;) {
    if (record.rollback) {
      if ((await catchUp(ctx, record)) === 'go') return 'rollback';
      continue;
    }
    if (Date.now() >= endsAt) {
      await endReverseTask(ctx, reverse, true);
      return 'commit';
    }
    const before = reverse.state;
    await followReverseTask(ctx, reverse);
    const wait = Math.max(1, Math.min(pace.next(before === reverse.state), endsAt - Date.now()));
    await condition(() => record.rollback !== undefined, wait);
  }
}

/** The wait between reads of the reverse task: the input's poll backoff, starting again when its state changes. */
class Pace {
  private interval: number;
  constructor(private readonly ctx: MigrationContext) {
    this.interval = ctx.input.polling.initialInterval;
  }
  next(unchanged: boolean): number {
    const { polling } = this.ctx.input;
    const grown = Math.min(polling.maxInterval, this.interval * polling.backoffFactor);
    this.interval = unchanged ? grown : polling.initialInterval;
    return this.interval;
  }
}

/** A rollback (`by` operator or check) interrupts the start only when it goes without the writes. */
function startInterrupted(record: MigrationSwitch, endsAt: number): boolean {
  return record.rollback?.force === true || (record.rollback === undefined && Date.now() >= endsAt);
}

/**
 * Creates the reverse task exactly once (looked up by name before every create, as the migration's own task is),
 * waits for its migration machine, and configures it: the target (by id) as source, the source as target,
 * incremental. A refusal, or a task that fails before it runs, leaves the rollback `addresses-only` (warning).
 * Returns early, leaving the task to the caller's cleanup, when the window ends or a forced rollback comes.
 */
async function startReverseTask(ctx: MigrationContext, record: MigrationSwitch, endsAt: number): Promise<void> {
  const { state, input } = ctx;
  const reverse = record.reverse!;
  if (input.kind !== 'online') return;
  for (let attempt = 1; reverse.taskId === undefined; attempt++) {
    const found = await findByName(ctx, reverse, `Look up ${label(reverse)} before creating`);
    if (found) {
      reverse.taskId = found.taskId;
      break;
    }
    try {
      const description = `dcs-migrate: reverse sync of ${ctx.taskName}`;
      const request = { taskName: reverse.taskName, description, network: input.network };
      const summary = `Create ${label(reverse)}`;
      const created = await callActivity(state, 'createOnlineTask', SINGLE_ATTEMPT_OPTIONS, summary, request);
      reverse.taskId = created.taskId;
      publish(ctx);
    } catch (error) {
      if (isCancellation(error)) throw error;
      recordError(state, error, new Date());
      const reason = `DCS refused to create it: ${describeError(error).message}`;
      if (isPermanentFailure(error) || attempt >= MAX_WRITE_TRIES) return giveUp(ctx, record, reason);
      await sleep(retryDelayMs(attempt, undefined));
    }
  }
  // The migration machine: CREATING, then RUNNING (waiting for its configuration).
  let configureTries = 0;
  for (;;) {
    if (startInterrupted(record, endsAt)) return;
    const reading = await readReverseTask(ctx, reverse);
    if (reading === 'absent') return giveUp(ctx, record, 'it disappeared while being created');
    const statusClass = reading?.statusClass;
    if (statusClass === 'failed') return giveUp(ctx, record, await failureOf(ctx, reverse, 'while being created'));
    if (statusClass !== undefined && !['pending', 'awaiting-configuration', 'unknown'].includes(statusClass)) {
      // Past RUNNING: an earlier configure call went through although its answer was lost.
      reverse.state = 'full-sync';
      return;
    }
    if (statusClass === 'awaiting-configuration') {
      try {
        await configureReverseTask(ctx, reverse);
        reverse.state = 'full-sync';
        publish(ctx);
        return;
      } catch (error) {
        if (isCancellation(error)) throw error;
        recordError(state, error, new Date());
        configureTries += 1;
        const reason = `DCS refused to configure it: ${describeError(error).message}`;
        if (isPermanentFailure(error) || configureTries >= MAX_WRITE_TRIES) return giveUp(ctx, record, reason);
      }
    }
    await condition(() => startInterrupted(record, endsAt), ctx.input.polling.initialInterval);
  }
}

function configureReverseTask(ctx: MigrationContext, reverse: ReverseSync): Promise<unknown> {
  const { state, input } = ctx;
  if (input.kind !== 'online' || input.source.instanceId === undefined) throw new Error('no DCS source to sync into');
  const request = {
    method: 'incremental' as const,
    resumeMode: input.resumeMode,
    bandwidthLimitMb: input.bandwidthLimitMb,
    source: { instanceId: input.target.instanceId, password: input.target.password },
    target: { instanceId: input.source.instanceId, password: input.source.password },
  };
  const sides = `${input.target.instanceId} back to ${input.source.instanceId}`;
  const summary = `Configure ${label(reverse)}: incremental from ${sides}`;
  return callActivity(state, 'configureOnlineTask', SINGLE_ATTEMPT_OPTIONS, summary, reverse.taskId!, request);
}

/** The reverse task cannot keep the writes: the rollback restores the addresses only; a task made is removed. */
async function giveUp(ctx: MigrationContext, record: MigrationSwitch, reason: string): Promise<void> {
  const reverse = record.reverse!;
  if (reverse.taskId !== undefined) await endReverseTask(ctx, reverse, true);
  record.rollbackMode = 'addresses-only';
  reverse.state = 'unavailable';
  reverse.keepsWrites = false;
  reverse.reason = reason;
  addWarning(ctx, `${label(reverse)}: ${reason}; a rollback restores the addresses only`);
  publish(ctx);
}

/**
 * Reads the reverse task (listed by its name, as the migration's own task is read) and records what it says;
 * `absent` when it no longer exists, undefined when the read failed (counted: after a few in a row it counts as
 * failed).
 */
async function readReverseTask(ctx: Ctx, reverse: ReverseSync): Promise<StatusReading | 'absent' | undefined> {
  const { state } = ctx;
  try {
    const task = await findByName(ctx, reverse, `Read ${label(reverse)}`);
    failedReads.set(reverse, 0);
    if (!task || (reverse.taskId !== undefined && task.taskId !== reverse.taskId)) return 'absent';
    reverse.remoteStatus = task.status;
    return readStatus(task.status);
  } catch (error) {
    if (isCancellation(error)) throw error;
    recordError(state, error, new Date());
    failedReads.set(reverse, (failedReads.get(reverse) ?? 0) + 1);
    return undefined;
  }
}

/** Failed reads in a row, per reverse task record (not state: a replay counts them again). */
const failedReads = new WeakMap<ReverseSync, number>();

/**
 * One read of the reverse task during the window: its status, its progress (full sync percent and when it should
 * end, or its offset), and whether a rollback now keeps the writes.
 */
async function followReverseTask(ctx: MigrationContext, reverse: ReverseSync): Promise<void> {
  if (reverse.taskId === undefined || !['full-sync', 'in-sync', 'lagging'].includes(reverse.state)) return;
  const reading = await readReverseTask(ctx, reverse);
  if (reading === undefined) {
    const reason = `could not be read ${MAX_FAILED_READS} times in a row`;
    if ((failedReads.get(reverse) ?? 0) >= MAX_FAILED_READS) markFailed(ctx, reverse, reason);
    return;
  }
  if (reading === 'absent') return markFailed(ctx, reverse, 'it no longer exists (deleted outside dcs-migrate?)');
  const { statusClass } = reading;
  if (statusClass === 'failed') return markFailed(ctx, reverse, await failureOf(ctx, reverse, ''));
  if (statusClass === 'stopping' || isFinalClass(statusClass)) {
    return markFailed(ctx, reverse, `it ended ${reverse.remoteStatus ?? ''} (stopped outside dcs-migrate?)`);
  }
  const progress = await readProgress(ctx, reverse);
  const now = Date.now();
  if (statusClass === 'incremental') {
    reverse.inSyncAt ??= new Date(now).toISOString();
    reverse.fullSyncEndsAt = undefined;
    reverse.fullSyncProgress = undefined;
    reverse.offset = progress?.offset ?? reverse.offset;
    reverse.state = reverse.offset === undefined || reverse.offset === 0 ? 'in-sync' : 'lagging';
    reverse.keepsWrites = true;
  } else {
    reverse.state = 'full-sync';
    reverse.keepsWrites = false;
    reverse.fullSyncProgress = progress?.fullMigrationProgress ?? reverse.fullSyncProgress;
    const started = Date.parse(reverse.startedAt ?? '') || now;
    const endsAt = fullSyncEndsAt(started, reverse.fullSyncProgress, now);
    reverse.fullSyncEndsAt = endsAt === undefined ? undefined : new Date(endsAt).toISOString();
  }
  publish(ctx);
}

async function readProgress(ctx: MigrationContext, reverse: ReverseSync) {
  try {
    const summary = `Progress of ${label(reverse)}`;
    return (await callActivity(ctx.state, 'showTaskStats', READ_OPTIONS, summary, reverse.taskId!)).progress;
  } catch (error) {
    if (isCancellation(error)) throw error;
    recordError(ctx.state, error, new Date());
    return undefined;
  }
}

function markFailed(ctx: MigrationContext, reverse: ReverseSync, reason: string): void {
  reverse.state = 'failed';
  reverse.keepsWrites = false;
  reverse.reason = reason;
  const loses = 'a rollback now needs --force and loses the writes made since the switch';
  addWarning(ctx, `${label(reverse)} failed: ${reason}; ${loses}`);
  publish(ctx);
}

/** Why the reverse task failed: its last ERROR log entries (scrubbed by the activity), read as the forward task's. */
async function failureOf(ctx: MigrationContext, reverse: ReverseSync, when: string): Promise<string> {
  const { state, input } = ctx;
  const secretRefs = [
    ...('source' in input && input.source.password ? [input.source.password] : []),
    ...(input.target.password ? [input.target.password] : []),
  ];
  const status = `it ended ${reverse.remoteStatus ?? 'FAILED'}${when ? ` ${when}` : ''}`;
  try {
    const request = { taskId: reverse.taskId!, last: LOG_ENTRIES, level: 'ERROR' as const, secretRefs };
    const summary = `Read the log of ${label(reverse)}`;
    const { entries } = await callActivity(state, 'readTaskLog', LOG_READ_OPTIONS, summary, request);
    const quoted = entries.map((entry) => `${entry.at} ${entry.code}: ${entry.message}`).join(' | ');
    return quoted ? `${status}; last log entries: ${quoted}` : `${status} (its log has no ERROR entry)`;
  } catch (error) {
    if (isCancellation(error)) throw error;
    recordError(state, error, new Date());
    return `${status} (its log could not be read)`;
  }
}

/**
 * A rollback was asked for: wait until the reverse task has caught up (incremental, offset 0 for the gate's
 * number of reads in a row), then stop it; `go` once rollback-ip may be called. A forced rollback, and one with
 * nothing to wait for (no reverse task), go at once without the writes. When the reverse task fails or does not
 * catch up in time, an automatic rollback (failed check) goes without them, with a warning; an operator's is
 * called off (`called-off`: the update fails saying why, and the window goes on).
 */
async function catchUp(ctx: MigrationContext, record: MigrationSwitch): Promise<'go' | 'called-off'> {
  const reverse = record.reverse!;
  const rollback = record.rollback!;
  record.state = 'rolling-back';
  enterPhase(ctx, 'rolling-back');
  const needed = catchUpReads(ctx.input);
  const started = Date.now();
  let zeroReads = 0;
  for (;;) {
    // Started, then interrupted (a window that ended in the same moment): start it again, a forced rollback aside.
    if (reverse.state === 'creating' && !rollback.force) await startReverseTask(ctx, record, Infinity);
    if (rollback.force || reverse.taskId === undefined || ['unavailable', 'deleted'].includes(reverse.state)) {
      await endReverseTask(ctx, reverse, false);
      rollback.keptWrites = false;
      return 'go';
    }
    const problem =
      reverse.state === 'failed'
        ? reverse.reason
        : Date.now() - started >= CATCH_UP_LIMIT_MS
          ? `it did not catch up within ${roughDuration(CATCH_UP_LIMIT_MS)} (offset ${reverse.offset ?? 'unknown'})`
          : undefined;
    if (problem !== undefined) {
      const cannot = `${label(reverse)} cannot keep the writes: ${problem}`;
      if (rollback.by === 'operator') return callOff(ctx, record, cannot);
      const without = 'the automatic rollback goes without the writes made since the switch';
      addWarning(ctx, `${without}: ${label(reverse)}: ${problem}`);
      rollback.force = true;
      continue;
    }
    await followReverseTask(ctx, reverse);
    zeroReads = reverse.state === 'in-sync' && reverse.offset === 0 ? zeroReads + 1 : 0;
    if (zeroReads >= needed) {
      // Listed while it still runs, deleted once it stopped: the pause before rollback-ip stays short.
      const deletes = patched(Patch.CarryDeletesAtKeepWritesRollback) ? await listDeletes(ctx, reverse) : undefined;
      await endReverseTask(ctx, reverse, false);
      if (deletes && deletes.length > 0) await carryDeletes(ctx, reverse, deletes);
      rollback.keptWrites = true;
      return 'go';
    }
    await condition(() => rollback.force === true, ctx.input.polling.initialInterval);
  }
}

/** The pair as the prune activities take it: by instance id (the switch swapped the addresses), with passwords. */
function prunePair(ctx: MigrationContext) {
  const { input } = ctx;
  if (input.kind !== 'online' || input.source.instanceId === undefined) throw new Error('no DCS source to sync into');
  return {
    source: { instanceId: input.source.instanceId, password: input.source.password },
    target: { instanceId: input.target.instanceId, password: input.target.password },
  };
}

/**
 * The keys only the source holds: deleted on the target before the reverse task's full sync, which cannot carry a
 * delete (activities/rollback-prune.ts). Undefined, with a warning, when they cannot be told: the rollback then
 * goes on with every other write.
 */
async function listDeletes(ctx: MigrationContext, reverse: ReverseSync): Promise<DbKey[] | undefined> {
  const { state } = ctx;
  const lost = 'keys deleted on the target before the reverse task’s full sync may still be on the source';
  try {
    const summary = `List the keys only the source holds (deleted on the target before ${label(reverse)} started)`;
    const request = { ...prunePair(ctx), limit: MAX_CARRIED_DELETES };
    const found = await callActivity(state, 'listSourceOnlyKeys', PRUNE_OPTIONS, summary, request);
    if (!found.truncated) return found.keys;
    addWarning(ctx, `${lost}: more than ${MAX_CARRIED_DELETES} keys only on the source, left there (not deletes?)`);
  } catch (error) {
    if (isCancellation(error)) throw error;
    recordError(state, error, new Date());
    addWarning(ctx, `${lost}: ${describeError(error).message}`);
  }
  publish(ctx);
  return undefined;
}

/** Deletes from the source the listed keys the target still lacks (the reverse task stopped). */
async function carryDeletes(ctx: MigrationContext, reverse: ReverseSync, keys: DbKey[]): Promise<void> {
  const { state } = ctx;
  try {
    const summary = `Delete from the source ${keys.length} key(s) deleted on the target before ${label(reverse)} started`;
    const request = { ...prunePair(ctx), keys };
    reverse.deletesCarried = (
      await callActivity(state, 'deleteSourceOnlyKeys', PRUNE_OPTIONS, summary, request)
    ).deleted;
  } catch (error) {
    if (isCancellation(error)) throw error;
    recordError(state, error, new Date());
    addWarning(
      ctx,
      `${keys.length} key(s) deleted on the target are still on the source: ${describeError(error).message}`,
    );
  }
  publish(ctx);
}

/** An operator's rollback that cannot keep the writes: called off, the clients stay on the target. */
function callOff(ctx: MigrationContext, record: MigrationSwitch, reason: string): 'called-off' {
  const message = `${reason}; the clients stay on the target — rollback --force goes back without those writes`;
  record.rollbackRefused = { at: new Date().toISOString(), reason: message };
  record.rollback = undefined;
  record.state = 'switched';
  enterPhase(ctx, 'switched');
  return 'called-off';
}

/**
 * Stops the reverse task and waits until DCS reports it stopped, then (`remove`) deletes it. A task that cannot be
 * stopped fails the migration: a paid task must not be left running unnoticed.
 */
async function endReverseTask(ctx: MigrationContext, reverse: ReverseSync, remove: boolean): Promise<void> {
  if (reverse.taskId === undefined || reverse.state === 'deleted') return;
  reverse.keepsWrites = false;
  if (reverse.state !== 'stopped') await stopReverseTask(ctx, reverse);
  if (remove) await deleteReverseTask(ctx, reverse);
  publish(ctx);
}

async function stopReverseTask(ctx: MigrationContext, reverse: ReverseSync): Promise<void> {
  const { state } = ctx;
  for (let read = 0; ; read++) {
    const reading = await readReverseTask(ctx, reverse);
    if (reading === 'absent' || (reading && isFinalClass(reading.statusClass))) break;
    if (reading && reading.statusClass !== 'stopping') {
      try {
        await callActivity(state, 'stopTask', SINGLE_ATTEMPT_OPTIONS, `Stop ${label(reverse)}`, reverse.taskId!);
      } catch (error) {
        // Refused (still being created) or lost: read again and retry.
        if (isCancellation(error)) throw error;
        recordError(state, error, new Date());
      }
    }
    if (read >= MAX_STOP_READS) {
      const message = `${label(reverse)} did not stop (last status ${reverse.remoteStatus ?? 'unknown'})`;
      throw workflowFailure(message, MigrationFailureType.RemoteTaskNotStopped);
    }
    await sleep(ctx.input.polling.initialInterval);
  }
  reverse.state = 'stopped';
  reverse.endedAt = new Date().toISOString();
  publish(ctx);
}

async function deleteReverseTask(ctx: MigrationContext, reverse: ReverseSync): Promise<void> {
  await callActivity(ctx.state, 'deleteTask', IDEMPOTENT_WRITE_OPTIONS, `Delete ${label(reverse)}`, reverse.taskId!);
  reverse.state = 'deleted';
  publish(ctx);
}

/** After ROLLBACK_SUCCESS: the reverse task (stopped before rollback-ip) is deleted. */
export async function afterRollback(ctx: MigrationContext, record: MigrationSwitch): Promise<void> {
  if (record.reverse) await endReverseTask(ctx, record.reverse, true);
}

/** A reverse task may exist: one was planned and is neither unavailable nor deleted. */
export function hasReverseTask(ctx: MigrationContext): boolean {
  const reverse = ctx.state.switch?.reverse;
  return reverse !== undefined && reverse.state !== 'unavailable' && reverse.state !== 'deleted';
}

/**
 * After a failure or a cancellation (non-cancellable): the reverse task is cleaned up as the migration's own task
 * (`stop`, `delete` or `keep`). A create whose answer was lost is found by name. Returns what was done, for the
 * failure's message (undefined when there was no reverse task); a cleanup that failed is said so, or with
 * `rethrow` (a cancellation, which then ends `CleanupFailed`) thrown.
 */
export async function cleanUpReverseTask(
  ctx: MigrationContext,
  action: 'stop' | 'delete' | 'keep',
  options: { rethrow?: boolean } = {},
): Promise<string | undefined> {
  const reverse = ctx.state.switch?.reverse;
  if (!reverse || !hasReverseTask(ctx)) return undefined;
  try {
    if (reverse.taskId === undefined) {
      const task = await findByName(ctx, reverse, `Look up ${label(reverse)}`);
      if (!task) return undefined;
      reverse.taskId = task.taskId;
    }
    if (action === 'keep') return `${label(reverse)} kept (onFailure: keep)`;
    await endReverseTask(ctx, reverse, action === 'delete');
    return `${label(reverse)} ${action === 'delete' ? 'stopped and deleted' : 'stopped'}`;
  } catch (error) {
    if (options.rethrow) throw error;
    const { message } = describeError(error);
    log.warn('could not clean up the reverse task', { taskName: reverse.taskName, error: message });
    return `${label(reverse)} could not be stopped: ${message}`;
  }
}

/** The failure to end with, its message telling what was done to the reverse task. */
export function withReverseCleanup(failure: unknown, done: string | undefined): unknown {
  if (done === undefined || !(failure instanceof ApplicationFailure)) return failure;
  return ApplicationFailure.create({
    message: `${failure.message}; ${done}`,
    type: failure.type ?? MigrationFailureType.PollingFailed,
    nonRetryable: true,
    details: [...(failure.details ?? []), { reverseTask: done }],
    ...(failure.cause ? { cause: failure.cause } : {}),
  });
}

/**
 * The `rollback` update's validator with a reverse task. A rollback that cannot keep the writes yet (the reverse
 * task being created, in its full sync, or failed) needs `force`; the answer says how long until it can. While a
 * rollback waits for the reverse task to catch up, a forced one cuts the wait short. Returns whether the request
 * is such an upgrade; throws `RollbackRejected` otherwise when refused; undefined: the usual rules apply.
 */
export function checkReverseRollback(record: MigrationSwitch | undefined, request?: RollbackRequest): 'upgrade' | void {
  const reverse = record?.reverse;
  if (!record || !reverse || record.rollbackMode !== 'keep-writes') return undefined;
  const force = request?.force === true;
  if (record.state === 'rolling-back' && record.rollback && !record.rollback.force && !record.rollback.finishedAt) {
    if (force) return 'upgrade';
    const waiting = 'rollback already requested (waiting for the reverse task to catch up; --force goes now)';
    throw ApplicationFailure.nonRetryable(waiting, MigrationFailureType.RollbackRejected);
  }
  if (record.state !== 'switched' || record.rollback || force || reverse.keepsWrites) return undefined;
  const message = `a rollback now would lose writes: ${notYet(reverse)}`;
  throw ApplicationFailure.nonRetryable(message, MigrationFailureType.RollbackRejected);
}

/** Why the reverse task cannot keep the writes yet, and how long until it can. */
export function notYet(reverse: ReverseSync): string {
  const stateText =
    reverse.state === 'creating'
      ? `${label(reverse)} is being created`
      : reverse.state === 'full-sync'
        ? `${label(reverse)} is in its full sync (${reverse.fullSyncProgress ?? 0}%${etaText(reverse)})`
        : `${label(reverse)} is ${reverse.state}${reverse.reason ? `: ${reverse.reason}` : ''}`;
  const until = reverse.state === 'creating' || reverse.state === 'full-sync' ? 'wait until it is in sync, or ' : '';
  const missing = 'the writes made on the target since the switch are not on the source yet';
  return `${stateText}; ${missing} — ${until}pass --force to go back without them`;
}

function etaText(reverse: ReverseSync): string {
  const endsAt = Date.parse(reverse.fullSyncEndsAt ?? '');
  return Number.isFinite(endsAt) ? `, about ${roughDuration(Math.max(0, endsAt - Date.now()))} left` : '';
}

/** The reverse task as listed by its name (the authoritative read, as for the migration's own task). */
async function findByName(ctx: Ctx, reverse: ReverseSync, summary: string) {
  return (await callActivity(ctx.state, 'findTaskByName', READ_OPTIONS, summary, reverse.taskName)).task;
}

function label(reverse: ReverseSync): string {
  return reverse.taskId ? `reverse task ${reverse.taskId} (${reverse.taskName})` : `reverse task ${reverse.taskName}`;
}
