/**
 * History size (issue 8.3): events per workflow run and per hour of polling for incremental holds of 1 hour, 1 day
 * and 30 days with the default polling (5 s ×1.5 → 60 s, progress every 5 min, continue-as-new after 300 polls).
 * Time-skipping was not wired in yet (see the report); instead time is compressed by ONE factor: the hold, every
 * polling interval and the emulator's delays are divided by it, so the number of polls — and so the events — is
 * what the real durations would give, as long as a poll's round trip stays well below the compressed interval
 * (the table shows polls done against polls the schedule implies, to make that visible).
 *
 *   npx tsx bench/history.ts [--holds 1h,1d] [--factor 720]
 *
 * Writes section `history` of bench/results.md.
 */
import { parseDurationMs } from '../common/migration-input.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE, type MigrationResult } from '../common/workflow-contract.js';
import { benchInput, startBenchStack } from './lib/bench-stack.js';
import { cleanupAll, runBench } from './lib/cleanup.js';
import { sectionHeader, writeResultsSection } from './results-file.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const holds = flag('holds', '1h,1d').split(',');
const factor = Number(flag('factor', '720'));
const scaled = (ms: number): number => Math.max(1, Math.round(ms / factor));

interface Row {
  hold: string;
  runs: number;
  maxEventsPerRun: number;
  totalEvents: number;
  eventsPerHour: number;
  polls: number;
  expectedPolls: number;
}

/** Polls the default schedule makes in a hold with no status change: 5 s, ×1.5 each time, capped at 60 s. */
function expectedPolls(holdMs: number): number {
  let elapsed = 0;
  let interval = 5_000;
  let polls = 0;
  while (elapsed + interval <= holdMs) {
    elapsed += interval;
    polls++;
    interval = Math.min(60_000, interval * 1.5);
  }
  return polls;
}

async function measure(hold: string): Promise<Row> {
  const holdMs = parseDurationMs(hold);
  if (holdMs === undefined) throw new Error(`bad hold duration: ${hold}`);
  const { temporal, taskQueue } = await startBenchStack({
    timeline: { fullSyncMs: scaled(60_000) },
    timings: { creatingMs: scaled(60_000), terminatingMs: scaled(10_000) },
    // Per-task polling: the worker's watcher is idle, but its interval may not go below 100 ms.
    watchIntervalMs: Math.max(100, scaled(5_000)),
  });
  try {
    const input = {
      ...benchInput('incremental', {
        initialInterval: scaled(5_000),
        maxInterval: scaled(60_000),
        progressInterval: scaled(300_000),
        confirmInterval: scaled(600_000),
      }),
      hold: { maxDuration: scaled(holdMs) },
    };
    const workflowId = `history-${hold}`;
    const handle = await temporal.client.workflow.start(MIGRATION_WORKFLOW_TYPE, buildMigrationStartOptions({ input: input as never, workflowId, taskQueue }));
    const result = (await handle.result()) as MigrationResult;
    const runIds: string[] = [];
    for await (const execution of temporal.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runIds.push(execution.runId);
    const events: number[] = [];
    for (const runId of runIds) {
      const history = await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
      events.push(history.events?.length ?? 0);
    }
    const totalEvents = events.reduce((sum, count) => sum + count, 0);
    return {
      hold,
      runs: runIds.length,
      maxEventsPerRun: Math.max(...events),
      totalEvents,
      eventsPerHour: totalEvents / (holdMs / 3_600_000),
      polls: result.polls,
      expectedPolls: expectedPolls(holdMs),
    };
  } finally {
    await cleanupAll();
  }
}

function table(rows: Row[]): string {
  return [
    '| hold | runs | max events in a run | events in all runs | events per hour of hold | polls (last run) | polls the schedule implies (whole hold) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.hold} | ${r.runs} | ${r.maxEventsPerRun} | ${r.totalEvents} | ${r.eventsPerHour.toFixed(0)} | ${r.polls} | ${r.expectedPolls} |`),
  ].join('\n');
}

runBench(async () => {
  const rows: Row[] = [];
  for (const hold of holds) {
    console.log(`history: hold ${hold} (compressed ×${factor}) …`);
    rows.push(await measure(hold));
    console.log(table(rows.slice(-1)));
  }
  const command = `npx tsx bench/history.ts ${process.argv.slice(2).join(' ')}`.trim();
  const notes =
    `Incremental migration held until hold.maxDuration, default polling, time compressed ×${factor} (hold, intervals, emulator delays). ` +
    `Goal: at most 10,000 events in any run.`;
  console.log(`\n${table(rows)}`);
  await writeResultsSection('history', `${sectionHeader('History: events per run over long holds', command)}\n${notes}\n\n${table(rows)}\n`);
});
