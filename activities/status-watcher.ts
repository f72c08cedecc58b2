/**
 * The shared status watcher: ONE poller per worker process for the status of every migration task it watches.
 *
 * Per-task polling costs one list call per migration per round, so N migrations cost N calls a round. Here the
 * migrations that wait for a change register with the watcher; each round it lists every task of the project, a
 * page of up to 1,000 tasks per call, and wakes the waiters whose task changed status (or vanished from a complete
 * listing). Calls per round grow with pages of tasks, not with migrations.
 *
 * The watcher only speeds up noticing: the workflow still reads its own task at its confirm interval, so a task
 * the watcher misses (a page shifted under a concurrent create, a watcher that cannot list) is still seen. Rounds
 * run only while someone waits.
 *
 * Rounds back off like per-task polling: while rounds see no change, the interval grows ×1.5 up to
 * `maxRoundIntervalMs`; a change, a failed round or a newly watched task brings it back to `roundIntervalMs`. So a
 * single long migration costs about what per-task polling costs, while many busy migrations keep the short round.
 */
import type { MetricMeter } from '@temporalio/common';
import { MIGRATION_METRICS as M } from '../common/migration-metrics.js';
import { listAllMigrationTasks } from '../dcs/pagination.js';
import type { ListMigrationTaskQuery, ListMigrationTaskResponse, MigrationTaskListItem } from '../dcs/schemas/index.js';
import type { StatusWait } from './results.js';

/** Lists every task of the project, page by page (the DCS client's `listAllMigrationTasks`). */
export type ListAllTasks = (options: { pageSize: number; onPage: () => void }) => Promise<MigrationTaskListItem[]>;

export interface StatusWatcherOptions {
  list: ListAllTasks;
  /** Time between the starts of two rounds after a change (default 5 s). */
  roundIntervalMs?: number;
  /** Longest time between two rounds while nothing changes (default 60 s; equal to `roundIntervalMs`: no backoff). */
  maxRoundIntervalMs?: number;
  /** Tasks per list call: the API's maximum, 1,000, by default. */
  pageSize?: number;
  /** Consecutive failed rounds after which waiters are told the watcher cannot see (default 3). */
  failingAfterRounds?: number;
  /** Called with a failed round's error (no secrets: DCS errors are scrubbed). */
  onRoundError?: (error: unknown) => void;
  /** Where rounds, pages, watched tasks and failures are exported (the worker's runtime meter); none by default. */
  meter?: MetricMeter;
}

export interface StatusWatcherStats {
  rounds: number;
  listCalls: number;
  failedRounds: number;
  /** Waits registered right now. */
  watchedTasks: number;
  /** Waits ended by a change, by absence, by timeout. */
  woken: number;
  lastRoundMs: number | undefined;
  /** The interval before the next round, after backoff. */
  currentIntervalMs: number;
}

/** Growth of the round interval per round that saw no change (the per-task polling backoff's coefficient). */
const BACKOFF_COEFFICIENT = 1.5;
/** Rounds a task stays known after its last wait. */
const KNOWN_FOR_ROUNDS = 3;

interface Waiter {
  taskId: string;
  knownStatus: string | undefined;
  /** Predictive polling: rounds wanted at `at`, then every `everyMs` (`StatusWaitRequest.dueAt`). */
  due: WatchDue | undefined;
  settle: (outcome: StatusWait<MigrationTaskListItem>) => void;
  onListed: (() => void) | undefined;
}

/** When a waiter expects its task to change: a round at `at`, then every `everyMs` while it waits. */
export interface WatchDue {
  at: number;
  everyMs: number;
}

/** The first of the waiter's due times after `after` (epoch ms). */
function nextDue(due: WatchDue, after: number): number {
  if (due.at > after) return due.at;
  const every = Math.max(1, due.everyMs);
  return due.at + (Math.floor((after - due.at) / every) + 1) * every;
}

export class SharedStatusWatcher {
  readonly #list: ListAllTasks;
  readonly #roundIntervalMs: number;
  readonly #maxRoundIntervalMs: number;
  #currentIntervalMs: number;
  /** When the pending round fires (epoch ms), to bring it forward for a newly watched task. */
  #nextRoundAt = 0;
  #lastRoundStartedAt = 0;
  /**
   * The round that last looked for each task. A waiter for a task none of the last few rounds looked for is new and
   * resets the backoff; a migration that re-registers after its confirm read (one round's gap at most) is not.
   */
  #watchedInRound = new Map<string, number>();
  /** A new task arrived while a round ran: that round must not back off. */
  #resetRequested = false;
  readonly #pageSize: number;
  readonly #failingAfterRounds: number;
  readonly #onRoundError: ((error: unknown) => void) | undefined;
  readonly #metrics: WatcherMetrics | undefined;
  readonly #waiters = new Set<Waiter>();
  #timer: NodeJS.Timeout | undefined;
  #roundRunning = false;
  #consecutiveFailures = 0;
  #lastError = '';
  #closed = false;
  #stats: Omit<StatusWatcherStats, 'currentIntervalMs'> = {
    rounds: 0,
    listCalls: 0,
    failedRounds: 0,
    watchedTasks: 0,
    woken: 0,
    lastRoundMs: undefined,
  };

  constructor(options: StatusWatcherOptions) {
    this.#list = options.list;
    this.#roundIntervalMs = options.roundIntervalMs ?? 5_000;
    this.#maxRoundIntervalMs = Math.max(this.#roundIntervalMs, options.maxRoundIntervalMs ?? 60_000);
    this.#currentIntervalMs = this.#roundIntervalMs;
    this.#pageSize = options.pageSize ?? 1_000;
    this.#failingAfterRounds = options.failingAfterRounds ?? 3;
    this.#onRoundError = options.onRoundError;
    this.#metrics = options.meter ? watcherMetrics(options.meter) : undefined;
  }

  get roundIntervalMs(): number {
    return this.#roundIntervalMs;
  }

  /**
   * Resolves when the task's status differs from `knownStatus`, when a complete listing lacks the task, when a
   * round fails after `failingAfterRounds` failed rounds in a row (so while the API is down a wait lasts about one
   * round, and rounds keep probing for recovery), or after `maxWaitMs`. Aborting `signal` rejects with its reason.
   * `onListed` is called each time a round lists the task (its status read, changed or not). With `due`, rounds
   * also run at the waiter's due times, whatever the backoff (predictive polling).
   */
  wait(
    taskId: string,
    knownStatus: string | undefined,
    maxWaitMs: number,
    signal?: AbortSignal,
    onListed?: () => void,
    due?: WatchDue,
  ): Promise<StatusWait<MigrationTaskListItem>> {
    if (this.#closed) return Promise.reject(new Error('the status watcher is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<StatusWait<MigrationTaskListItem>>((resolve, reject) => {
      const timeout = setTimeout(() => settle({ kind: 'timeout' }), Math.max(0, maxWaitMs));
      const onAbort = () => {
        finish();
        reject(signal?.reason as Error);
      };
      const finish = () => {
        clearTimeout(timeout);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(waiter);
        this.#stats.watchedTasks = this.#waiters.size;
        this.#metrics?.watchedTasks.set(this.#waiters.size);
      };
      const settle = (outcome: StatusWait<MigrationTaskListItem>) => {
        finish();
        this.#stats.woken += 1;
        resolve(outcome);
      };
      const waiter: Waiter = { taskId, knownStatus, due, settle, onListed };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
      this.#stats.watchedTasks = this.#waiters.size;
      this.#metrics?.watchedTasks.set(this.#waiters.size);
      // A task no round has looked at yet (a new migration, most often): be quick about it again.
      if (!this.#watchedInRound.has(taskId)) this.#resetBackoff();
      this.#schedule();
      if (due && this.#timer && !this.#roundRunning && nextDue(due, this.#lastRoundStartedAt) < this.#nextRoundAt)
        this.#scheduleAt(nextDue(due, this.#lastRoundStartedAt));
    });
  }

  stats(): StatusWatcherStats {
    return { ...this.#stats, currentIntervalMs: this.#currentIntervalMs };
  }

  /** Stops the rounds; pending waits end as `timeout` so their activities complete cleanly on shutdown. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const waiter of [...this.#waiters]) waiter.settle({ kind: 'timeout' });
  }

  /** Keeps one round scheduled while anyone waits; the first waiter after an idle spell waits a full interval. */
  #schedule(): void {
    if (this.#timer || this.#roundRunning || this.#closed || this.#waiters.size === 0) return;
    this.#scheduleAt(this.#soonerDue(Date.now() + this.#currentIntervalMs));
  }

  /** `at`, or a waiter's due time if one comes first (never before the last round started). */
  #soonerDue(at: number): number {
    let soonest = at;
    for (const waiter of this.#waiters)
      if (waiter.due) soonest = Math.min(soonest, nextDue(waiter.due, this.#lastRoundStartedAt));
    return soonest;
  }

  #scheduleAt(at: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#nextRoundAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.#round();
      },
      Math.max(0, at - Date.now()),
    );
    this.#timer.unref();
  }

  /** Back to the short interval, bringing a pending backed-off round forward. */
  #resetBackoff(): void {
    this.#currentIntervalMs = this.#roundIntervalMs;
    this.#resetRequested = true;
    const soonest = Math.max(Date.now(), this.#lastRoundStartedAt + this.#roundIntervalMs);
    if (this.#timer && this.#nextRoundAt > soonest) this.#scheduleAt(soonest);
  }

  async #round(): Promise<void> {
    this.#roundRunning = true;
    const started = Date.now();
    this.#lastRoundStartedAt = started;
    // Only waiters registered before the listing began may be told "absent": a later one may watch a task
    // created after the listing was taken.
    const waiting = [...this.#waiters];
    const round = this.#stats.rounds;
    for (const waiter of waiting) this.#watchedInRound.set(waiter.taskId, round);
    for (const [taskId, lastRound] of this.#watchedInRound)
      if (lastRound < round - KNOWN_FOR_ROUNDS) this.#watchedInRound.delete(taskId);
    let sawChange = false;
    this.#resetRequested = false;
    try {
      const tasks = await this.#list({
        pageSize: this.#pageSize,
        onPage: () => {
          this.#stats.listCalls += 1;
          this.#metrics?.pages.add(1);
        },
      });
      this.#consecutiveFailures = 0;
      this.#metrics?.lastSuccess.set(Date.now() / 1000);
      const byId = new Map(tasks.map((task) => [task.task_id, task]));
      for (const waiter of waiting) {
        if (!this.#waiters.has(waiter)) continue;
        const task = byId.get(waiter.taskId);
        if (task) waiter.onListed?.();
        if (!task) waiter.settle({ kind: 'absent' });
        else if (task.status !== waiter.knownStatus) waiter.settle({ kind: 'changed', task });
        else continue;
        sawChange = true;
      }
    } catch (error) {
      this.#stats.failedRounds += 1;
      this.#consecutiveFailures += 1;
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#onRoundError?.(error);
      // Probe at the short interval: waiters learn of a failing watcher (and of its recovery) in a few rounds.
      sawChange = true;
      if (this.#consecutiveFailures >= this.#failingAfterRounds) {
        for (const waiter of waiting)
          if (this.#waiters.has(waiter)) waiter.settle({ kind: 'watcher-failing', error: this.#lastError });
      }
    } finally {
      this.#metrics?.rounds.add(1, { outcome: this.#consecutiveFailures === 0 ? 'ok' : 'failed' });
      this.#metrics?.consecutiveFailures.set(this.#consecutiveFailures);
      this.#stats.rounds += 1;
      this.#stats.lastRoundMs = Date.now() - started;
      this.#roundRunning = false;
      this.#currentIntervalMs =
        sawChange || this.#resetRequested
          ? this.#roundIntervalMs
          : Math.min(this.#maxRoundIntervalMs, Math.round(this.#currentIntervalMs * BACKOFF_COEFFICIENT));
      // The next round starts one interval after this one started (or at once if the listing took longer).
      if (!this.#closed && this.#waiters.size > 0) this.#scheduleAt(this.#soonerDue(started + this.#currentIntervalMs));
    }
  }
}

interface WatcherMetrics {
  rounds: ReturnType<MetricMeter['createCounter']>;
  pages: ReturnType<MetricMeter['createCounter']>;
  watchedTasks: ReturnType<MetricMeter['createGauge']>;
  consecutiveFailures: ReturnType<MetricMeter['createGauge']>;
  lastSuccess: ReturnType<MetricMeter['createGauge']>;
}

function watcherMetrics(meter: MetricMeter): WatcherMetrics {
  return {
    rounds: meter.createCounter(M.watcherRounds.name, M.watcherRounds.unit, M.watcherRounds.help),
    pages: meter.createCounter(M.watcherPages.name, M.watcherPages.unit, M.watcherPages.help),
    watchedTasks: meter.createGauge(
      M.watcherWatchedTasks.name,
      'int',
      M.watcherWatchedTasks.unit,
      M.watcherWatchedTasks.help,
    ),
    consecutiveFailures: meter.createGauge(
      M.watcherConsecutiveFailures.name,
      'int',
      M.watcherConsecutiveFailures.unit,
      M.watcherConsecutiveFailures.help,
    ),
    lastSuccess: meter.createGauge(
      M.watcherLastSuccess.name,
      'float',
      M.watcherLastSuccess.unit,
      M.watcherLastSuccess.help,
    ),
  };
}

/** A watcher listing through a DCS client's ListMigrationTask (item offsets, pages of `pageSize`). */
export function statusWatcherOver(
  dcs: { listMigrationTask(query: ListMigrationTaskQuery): Promise<ListMigrationTaskResponse> },
  options: Omit<StatusWatcherOptions, 'list'> = {},
): SharedStatusWatcher {
  return new SharedStatusWatcher({
    ...options,
    list: ({ pageSize, onPage }) =>
      listAllMigrationTasks(
        (query) => {
          onPage();
          return dcs.listMigrationTask(query);
        },
        { pageSize },
      ),
  });
}
