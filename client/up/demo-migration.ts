/**
 * The migration `dcs-migrate up` runs on its stack: an online INCREMENTAL migration from the source instance to
 * the target, end to end, through the real workflow and the emulator's real data movement:
 *
 *   start → full sync (progress bar) → incremental hold → live writes on the source for a few seconds →
 *   writes stop, wait until DCS reports offset 0 → cutover → IP switch (the source's address now reaches the
 *   target, checked) → task stopped → compare target with source key by key.
 *
 * With a Redis Cluster on either side there is no IP switch (DCS switches no IPs of a cluster): the cutover only
 * stops the task, and the live writes, the seeding and the comparison reach the cluster through one node's address.
 */
import { parseMigrationInput } from '../../common/migration-input.js';
import { buildMigrationStartOptions } from '../../common/start-options.js';
import { cutoverUpdate, MIGRATION_WORKFLOW_TYPE } from '../../common/workflow-contract.js';
import { startTraffic, type Traffic, type TrafficSummary } from '../../local/sample-data.js';
import { demoMigrationInput } from '../../stack/demo-input.js';
import type { StackLog } from '../../stack/stack-log.js';
import type { LocalStack } from '../../stack/start-stack.js';
import { compareRedis, type CompareReport } from '../../verify/compare.js';
import { followMigration } from '../follow-migration.js';
import type { MigrationView } from '../migration-view.js';
import { workflowUiUrl } from '../ui-link.js';

export interface DemoOptions {
  /** How long the live writes run during the incremental hold. */
  trafficSeconds: number;
  /** Writes per second during that time. */
  trafficRate: number;
  /** How long to wait for offset 0 after the writes stop before cutting over anyway. */
  syncTimeoutMs?: number;
  out?: NodeJS.WriteStream;
}

export interface DemoResult {
  workflowId: string;
  uiUrl: string;
  view: MigrationView;
  traffic: TrafficSummary | undefined;
  comparison: CompareReport | undefined;
  /** True when the migration was cut over and the target equals the source. */
  ok: boolean;
}

export async function runDemoMigration(stack: LocalStack, options: DemoOptions, log: StackLog): Promise<DemoResult> {
  const workflowId = `local-incremental-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const start = buildMigrationStartOptions({
    input: parseMigrationInput(demoMigrationInput({ cluster: stack.clustered })),
    workflowId,
    taskQueue: stack.taskQueue,
  });
  const handle = await stack.client.workflow.start(MIGRATION_WORKFLOW_TYPE, start);
  const uiUrl = workflowUiUrl(stack.uiUrl, stack.temporal.namespace, workflowId);
  log.info(`\nmigration ${workflowId} started — watch it in the Temporal UI: ${uiUrl}`);

  let traffic: Traffic | undefined;
  let trafficStartedAt = 0;
  let trafficSummary: TrafficSummary | undefined;
  let writesStoppedAt = 0;
  let cutoverSent = false;
  let switchNoted = false;
  const syncTimeoutMs = options.syncTimeoutMs ?? 30_000;

  const view = await followMigration(stack.client, handle.workflowId, {
    uiUrl,
    ...(options.out ? { out: options.out } : {}),
    onView: async (current, note) => {
      const switched = current.status?.switch;
      // A cluster demo switches nothing (switch: none), so there is nothing to note.
      if (!switchNoted && !stack.clustered && switched?.check) {
        switchNoted = true;
        const address = `${stack.source.host}:${stack.source.port}`;
        note(
          `IPs switched: clients of ${address} (the source's address) now reach the target — check ${switched.check.outcome}: ${switched.check.evidence}`,
        );
      }
      if (current.execution !== 'RUNNING' || cutoverSent) return;
      const phase = current.status?.phase ?? current.phase;
      if (phase !== 'incremental-hold') return;
      if (!traffic && !trafficSummary && options.trafficSeconds > 0) {
        traffic = startTraffic(stack.source, {
          keys: stack.seeded.keys,
          dbs: stack.sampleDbs,
          opsPerSecond: options.trafficRate,
        });
        trafficStartedAt = Date.now();
        note(
          `in sync; now writing to the source (~${options.trafficRate}/s for ${options.trafficSeconds}s): DCS follows the changes`,
        );
        return;
      }
      if (traffic && Date.now() - trafficStartedAt >= options.trafficSeconds * 1000) {
        trafficSummary = await traffic.stop();
        traffic = undefined;
        writesStoppedAt = Date.now();
        note(
          `writes stopped: ${trafficSummary.writes} writes, ${trafficSummary.deletes} deletes, ` +
            `${trafficSummary.expiring} short TTLs, ${trafficSummary.persisted} PERSISTs; waiting for offset 0`,
        );
        return;
      }
      if (traffic) return;
      // With no live writes the sync wait starts when the hold does.
      if (writesStoppedAt === 0) writesStoppedAt = Date.now();
      const offset = current.status?.progress?.offset;
      const inSync = offset === 0;
      if (!inSync && Date.now() - writesStoppedAt < syncTimeoutMs) return;
      cutoverSent = true;
      const accepted = await handle.executeUpdate(cutoverUpdate, {
        args: [{ note: 'dcs-migrate up (local stack demo)' }],
      });
      note(
        `cutover accepted at offset ${accepted.offset ?? 'unknown'}${inSync ? '' : ` (not in sync after ${syncTimeoutMs / 1000}s)`}; ${stack.clustered ? 'stopping the task (no IP switch for a Redis Cluster: clients move to the target themselves)' : 'switching the clients, then stopping the task'}`,
      );
    },
  });
  if (traffic) trafficSummary = await traffic.stop();

  let comparison: CompareReport | undefined;
  if (view.result) {
    comparison = await log.step(
      'target compared with the source, key by key',
      () => compareRedis(stack.source, stack.target),
      (report) =>
        `${Object.values(report.dbs)
          .reduce((n, db) => n + db.keys, 0)
          .toLocaleString('en')} keys, ${report.totalDifferences} differences`,
    );
    for (const difference of comparison.differences.slice(0, 10))
      log.info(`  db${difference.db} ${difference.key}: ${difference.kind} (${difference.detail})`);
  }
  const ok = view.result?.outcome === 'cut-over' && comparison?.totalDifferences === 0;
  return { workflowId, uiUrl, view, traffic: trafficSummary, comparison, ok };
}
