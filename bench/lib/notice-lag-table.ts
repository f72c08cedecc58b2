/**
 * The notice-lag half of bench/api-economy.ts: calls per migration and the lag from a remote transition to the
 * client's read that saw it (median, p99), for Terraform's 10 s poll, dcs-migrate's backoff (before the
 * `predictive-polling` patch) and its predictive schedule, on the same seeded timelines (bench/lib/poll-simulation.ts);
 * then the real workflow (this code, on the time-skipping server against a scripted timeline) as a check of the
 * simulated predictive row.
 */
import { seededRandom } from '../../common/seeded-random.js';
import type { MigrationResult } from '../../common/workflow-contract.js';
import { fakeActivities, type RecordedCall } from '../../test/harness/fake-activities.js';
import { startTimeSkippingEnv } from '../../test/harness/time-skipping.js';
import { quantile, SIM_SCENARIOS, simulate, type SimClient, type SimOutcome } from './poll-simulation.js';

export interface LagRow {
  timeline: string;
  client: string;
  samples: number;
  callsPerMigration: number;
  /** Calls from configure to the notice of the full sync's end. */
  syncCalls: number;
  medianLagMs: number;
  p99LagMs: number;
  byOperation: string;
}

const CLIENTS: Array<[SimClient, string]> = [
  ['terraform', 'Terraform-equivalent (10 s poll)'],
  ['backoff', 'dcs-migrate backoff (before the patch)'],
  ['predictive', 'dcs-migrate predictive'],
];

function rowOf(timeline: string, client: string, outcomes: SimOutcome[]): LagRow {
  const byOperation = new Map<string, number>();
  for (const outcome of outcomes)
    for (const [name, count] of Object.entries(outcome.byOperation))
      byOperation.set(name, (byOperation.get(name) ?? 0) + count);
  const lags = outcomes.map((outcome) => outcome.lagMs);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    timeline,
    client,
    samples: outcomes.length,
    callsPerMigration: mean(outcomes.map((outcome) => outcome.calls)),
    syncCalls: mean(outcomes.map((outcome) => outcome.syncCalls)),
    medianLagMs: quantile(lags, 0.5),
    p99LagMs: quantile(lags, 0.99),
    byOperation: [...byOperation].map(([name, count]) => `${name} ${(count / outcomes.length).toFixed(1)}`).join(', '),
  };
}

/** Every client on every timeline, `samples` timelines each (`holdSamples` for the day-long hold). */
export function simulatedRows(timelines: string[], samples: number, holdSamples: number): LagRow[] {
  const rows: LagRow[] = [];
  for (const name of timelines) {
    const scenario = SIM_SCENARIOS[name];
    if (!scenario) throw new Error(`unknown timeline ${name} (known: ${Object.keys(SIM_SCENARIOS).join(', ')})`);
    const n = scenario.base.method === 'incremental' ? holdSamples : samples;
    for (const [client, label] of CLIENTS) rows.push(rowOf(name, label, simulate(scenario, client, n)));
  }
  return rows;
}

/**
 * The real workflow on `full30m`: `samples` online full migrations with default polling on the time-skipping
 * server, each against a scripted copy of 30 min + up to 2 min (steady: the scripted timeline has no wobble).
 * Machine creation is instant there, so only the lag and the calls of the full sync compare with the simulation.
 */
export async function workflowCheckRow(samples: number): Promise<LagRow> {
  const fake = fakeActivities();
  const ts = await startTimeSkippingEnv(fake.activities);
  const random = seededRandom(7);
  try {
    // One at a time: the test server skips time for everyone at once, and many concurrent workflows there time
    // out its activation completions.
    const runs: Array<{ calls: RecordedCall[]; fullSyncMs: number }> = [];
    for (let index = 0; index < samples; index++) {
      runs.push(
        await (async () => {
          const fullSyncMs =
            SIM_SCENARIOS.full30m!.base.fullSyncMs + random() * SIM_SCENARIOS.full30m!.spread.fullSyncMs;
          const workflowId = `lag-check-${index}-${Date.now()}`;
          const calls = fake.script(workflowId, { reads: [], timeline: { fullSyncMs } });
          const input = {
            kind: 'online',
            source: { addrs: '10.0.0.1:6379' },
            target: { instanceId: 'target' },
            network: { vpcId: 'vpc', subnetId: 'subnet', securityGroupId: 'sg' },
            method: 'full',
          };
          const handle = await ts.start(input as never, workflowId);
          const result = (await handle.result()) as MigrationResult;
          if (result.outcome !== 'succeeded') throw new Error(`check run ${workflowId} ended ${result.outcome}`);
          return { calls, fullSyncMs };
        })(),
      );
    }
    const outcomes: SimOutcome[] = runs.map(({ calls, fullSyncMs }) => outcomeOf(calls, fullSyncMs));
    return rowOf(
      'full30m',
      'dcs-migrate predictive: the real workflow (time-skipping server, scripted steady copy)',
      outcomes,
    );
  } finally {
    await ts.teardown();
  }
}

/** DCS calls (the reference check and the owner lookup are not), and the lag of the read that saw SUCCESS. */
function outcomeOf(calls: RecordedCall[], fullSyncMs: number): SimOutcome {
  const dcs = calls.filter(
    (call) => !['checkReferences', 'findTaskOwner', 'validateMigrationInput'].includes(call.name),
  );
  const configuredAt = dcs.find((call) => call.name === 'configureOnlineTask')!.at;
  const noticedAt = dcs.filter((call) => call.name === 'findTaskByName').at(-1)!.at;
  const byOperation: Record<string, number> = {};
  for (const call of dcs) byOperation[call.name] = (byOperation[call.name] ?? 0) + 1;
  return {
    calls: dcs.length,
    syncCalls: dcs.filter((call) => call.at >= configuredAt && call.at <= noticedAt).length,
    byOperation,
    lagMs: noticedAt - (configuredAt + fullSyncMs),
  };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

export function lagTable(rows: LagRow[]): string {
  const terraform = new Map(
    rows.filter((r) => r.client.startsWith('Terraform')).map((r) => [r.timeline, r.callsPerMigration]),
  );
  return [
    '| timeline | client | samples | calls per migration | ratio vs Terraform | calls in the full sync | notice lag median | notice lag p99 | calls by operation (per migration) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => {
      const ratio = r.client.includes('real workflow')
        ? '–'
        : (r.callsPerMigration / (terraform.get(r.timeline) ?? Number.NaN)).toFixed(2);
      return `| ${r.timeline} | ${r.client} | ${r.samples} | ${r.callsPerMigration.toFixed(1)} | ${ratio} | ${r.syncCalls.toFixed(1)} | ${seconds(r.medianLagMs)} s | ${seconds(r.p99LagMs)} s | ${r.byOperation} |`;
    }),
  ].join('\n');
}
