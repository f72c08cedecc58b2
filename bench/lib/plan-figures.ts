/**
 * What the plan benchmark counts after (and while) a plan runs: the remote tasks of each item on the emulator, the
 * history events of every run of the plan's continue-as-new chain, DCS calls per minute against a budget, and the
 * shared status watcher's rounds and list pages per worker (scraped from each worker's Prometheus endpoint, so a
 * worker killed later keeps the figures it last showed).
 */
import type { Client } from '@temporalio/client';
import { isFinalStatus } from '../../common/dcs-status.js';
import type { RateLimit } from '../../common/rate-limit.js';
import type { Emulator } from '../../emulator/index.js';
import { MIGRATION_METRICS } from '../../common/migration-metrics.js';
import { deriveTaskName } from '../../workflows/task-name.js';

export interface RemoteTaskCount {
  /** Items with exactly one remote task. */
  once: number;
  /** Items with none, and with more than one (each a duplicate create). */
  missing: string[];
  duplicated: string[];
  /** Tasks whose status is not final (a paid machine still running). */
  leftRunning: number;
  /** Tasks whose name is no item's. */
  strangers: number;
}

/** Remote tasks per migration, by the task name each workflow id derives (`workflows/task-name.ts`). */
export function countRemoteTasks(emu: Emulator, workflowIds: readonly string[]): RemoteTaskCount {
  const byName = new Map<string, number>();
  const tasks = emu.tasks();
  for (const task of tasks) byName.set(task.name, (byName.get(task.name) ?? 0) + 1);
  const count: RemoteTaskCount = { once: 0, missing: [], duplicated: [], leftRunning: 0, strangers: 0 };
  const expected = new Set<string>();
  for (const workflowId of workflowIds) {
    const name = deriveTaskName(workflowId);
    expected.add(name);
    const n = byName.get(name) ?? 0;
    if (n === 1) count.once += 1;
    else if (n === 0) count.missing.push(workflowId);
    else count.duplicated.push(workflowId);
  }
  count.strangers = tasks.filter((task) => !expected.has(task.name)).length;
  count.leftRunning = tasks.filter((task) => !isFinalStatus(task.status)).length;
  return count;
}

/** History events of each run of a workflow id, oldest run first (every run of a continue-as-new chain). */
export async function historyEventsPerRun(client: Client, workflowId: string): Promise<number[]> {
  const runs: Array<{ runId: string; startTime: Date }> = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
    runs.push({ runId: execution.runId, startTime: execution.startTime });
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  const lengths: number[] = [];
  for (const run of runs) {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    lengths.push(history.events?.length ?? 0);
  }
  return lengths;
}

export interface CallRate {
  total: number;
  /** Calls answered 429 (the tenant's rate limit tripped). */
  throttled: number;
  meanPerMinute: number;
  /** The most calls in any 60 s window. */
  peakPerMinute: number;
  /** The budget in calls per minute, when one was configured. */
  budgetPerMinute: number | undefined;
}

/** The emulator's request log as calls per minute, between `from` and `to` (epoch ms). */
export function callRate(emu: Emulator, from: number, to: number, budget: RateLimit | undefined): CallRate {
  const log = emu.requests().filter((entry) => entry.operation !== undefined);
  const times = log.map((entry) => Date.parse(entry.time)).filter((at) => at >= from && at <= to);
  times.sort((a, b) => a - b);
  let peak = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= 60_000) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return {
    total: times.length,
    throttled: log.filter((entry) => entry.status === 429).length,
    meanPerMinute: times.length / Math.max(1 / 60, (to - from) / 60_000),
    peakPerMinute: peak,
    budgetPerMinute: budget ? (budget.limit * 60_000) / budget.windowMs : undefined,
  };
}

export interface WatcherFigures {
  label: string;
  rounds: number;
  listPages: number;
}

const metricValue = (body: string, name: string): number =>
  body
    .split('\n')
    .filter((line) => line.startsWith(name) && /^[a-z_]+(\{[^}]*\})? /.test(line))
    .filter((line) => /^[a-z_]+/.exec(line)?.[0] === name)
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

/**
 * Scrapes the watcher counters of each worker every `intervalMs`, keeping the last figures seen: a worker killed
 * -9 keeps those of its last scrape (up to one interval short).
 */
export function watchWatcherMetrics(intervalMs = 2_000): {
  add(label: string, port: number): void;
  scrapeNow(): Promise<void>;
  stop(): WatcherFigures[];
} {
  const workers = new Map<string, { port: number; figures: WatcherFigures }>();
  const scrape = async () => {
    await Promise.all(
      [...workers.values()].map(async (worker) => {
        const body = await fetch(`http://127.0.0.1:${worker.port}/metrics`, { signal: AbortSignal.timeout(2_000) })
          .then((response) => response.text())
          .catch(() => undefined);
        if (body === undefined) return;
        worker.figures.rounds = metricValue(body, MIGRATION_METRICS.watcherRounds.name);
        worker.figures.listPages = metricValue(body, MIGRATION_METRICS.watcherPages.name);
      }),
    );
  };
  const timer = setInterval(() => void scrape(), intervalMs);
  return {
    add: (label, port) => workers.set(label, { port, figures: { label, rounds: 0, listPages: 0 } }),
    scrapeNow: scrape,
    stop: () => {
      clearInterval(timer);
      return [...workers.values()].map((worker) => worker.figures);
    },
  };
}
