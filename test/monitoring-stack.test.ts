/**
 * The migration metrics end to end: a real Prometheus server (a free port, a temp config) scrapes a real
 * `dcs-migrate worker` (its `--metrics-port`) while an incremental migration runs against the emulator; the
 * phase, progress and offset arrive in Prometheus, and when the emulator starts failing every status read
 * (503), the shipped `DcsMigrationStalled` rule fires. The worker runs without a workflow cache, so every workflow
 * task replays: nothing may count twice. The rule comes from monitoring/prometheus/rules.yml with
 * seconds for minutes (the shipped durations are tested by promtool in test/monitoring.test.ts). A plan whose
 * canary fails halts: its series arrive, and the shipped `DcsMigratePlanHalted` rule (unchanged) fires naming it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { jsonOf, runCli } from '../client/testing/run-cli.js';
import type { PlanResult } from '../common/plan-contract.js';
import { MIGRATION_METRICS as M, PLAN_METRICS as P } from '../common/migration-metrics.js';
import { startProcess } from '../local/processes.js';
import { projectRoot, resolvePrometheus } from '../local/tools.js';
import { waitFor } from '../local/wait.js';
import { onlineInput, startTestStack, type TestStack } from './harness/stack.js';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
}
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

let stack: TestStack;
let prometheusUrl: string;

/** The shipped stall rule, with a 3 s threshold and a 1 s `for:` instead of 10 and 5 minutes; the plan rule as shipped. */
async function testRules(): Promise<string> {
  const shipped = parseYaml(await readFile(path.join(projectRoot, 'monitoring/prometheus/rules.yml'), 'utf8')) as {
    groups: Array<{ rules: Rule[] }>;
  };
  const rules = shipped.groups.flatMap((group) => group.rules);
  const stalled = rules.find((rule) => rule.alert === 'DcsMigrationStalled');
  if (!stalled) throw new Error('rules.yml has no DcsMigrationStalled rule');
  const planHalted = rules.find((rule) => rule.alert === 'DcsMigratePlanHalted');
  if (!planHalted) throw new Error('rules.yml has no DcsMigratePlanHalted rule');
  const expr = stalled.expr.replace(/> 600\b/, '> 3');
  // Fails loudly when the shipped rule changes shape, rather than testing a rule that no longer exists.
  expect(expr).not.toBe(stalled.expr);
  return toYaml({ groups: [{ name: 'dcs-migrate-test', rules: [{ ...stalled, expr, for: '1s' }, planHalted] }] });
}

async function query(promql: string): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error ?? response.status}`);
  return body.data.result;
}

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

async function firingAlerts(): Promise<Alert[]> {
  const body = (await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()) as {
    data: { alerts: Alert[] };
  };
  return body.data.alerts.filter((alert) => alert.state === 'firing');
}

beforeAll(async () => {
  stack = await startTestStack({ name: 'monitoring', sourceKeys: 200 });
  const metricsPort = await getPort({ host: '127.0.0.1' });
  await stack.startCliWorker([
    '--metrics-port',
    String(metricsPort),
    '--metrics-host',
    '127.0.0.1',
    '--shutdown-grace',
    '2s',
    '--watch-interval',
    '300ms',
    '--watch-max-interval',
    '600ms',
  ]);

  const prometheusPort = await getPort({ host: '127.0.0.1' });
  prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  await writeFile(path.join(stack.dir, 'rules.yml'), await testRules());
  await writeFile(
    path.join(stack.dir, 'prometheus.yml'),
    toYaml({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ['rules.yml'],
      scrape_configs: [{ job_name: 'dcs-migrate-worker', static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }] }],
    }),
  );
  const prometheus = startProcess({
    name: 'prometheus',
    command: await resolvePrometheus(),
    args: [
      `--config.file=${path.join(stack.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(stack.dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
    ],
    logFile: path.join(stack.dir, 'prometheus.log'),
  });
  stack.onTeardown(() => prometheus.stop(2_000));
  await waitFor(
    'Prometheus to be ready',
    async () => (await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined))?.ok,
    30_000,
    200,
  );
});

afterAll(async () => {
  await stack?.teardown();
});

describe('a Prometheus server scraping the worker', () => {
  const perTask = `monitoring-task-${process.pid}`;
  const shared = `monitoring-shared-${process.pid}`;
  const stalled = async () =>
    (await firingAlerts()).filter((alert) => alert.labels.alertname === 'DcsMigrationStalled');

  it('sees two migrations (per-task and shared polling) hold with their progress and offset, then both stall alerts fire when status reads fail', async () => {
    // Short polling, progress read on every poll, and failing reads tolerated for the length of the test. The
    // shared one reads its task itself only every 10 minutes (confirmInterval): its watcher's rounds count as reads.
    const polling = { initialInterval: '300ms', maxInterval: '600ms', progressInterval: '0s', maxFailedPolls: 1_000 };
    await stack.start(onlineInput('incremental', { polling }), perTask);
    await stack.start(onlineInput('incremental', { polling: { ...polling, mode: 'shared' } }), shared);
    for (const id of [perTask, shared]) {
      await waitFor(
        `Prometheus to scrape ${id} in the hold`,
        async () => (await query(`${M.phase.name}{migration_id="${id}",phase="incremental-hold"} == 1`)).length === 1,
        60_000,
        500,
      );
    }
    const byId = `migration_id="${perTask}"`;
    const [progress] = await query(`${M.fullSyncProgress.name}{${byId}}`);
    expect(progress?.value[1]).toBe('100');
    expect(progress?.metric).toMatchObject({
      task_name: `dcsm-${perTask}`,
      kind: 'online:incremental',
      project: stack.emu.credentials.projectId,
    });
    expect(await query(`${M.syncOffset.name}{${byId}}`)).toHaveLength(1);
    expect(
      await query(`${M.remoteStatus.name}{${byId},status="INCRMIGEATING",status_class="incremental"} == 1`),
    ).toHaveLength(1);
    // The phases left read 0, not a stale 1.
    expect((await query(`${M.phase.name}{${byId}} == 1`)).map((sample) => sample.metric.phase)).toEqual([
      'incremental-hold',
    ]);
    expect(await query(`${M.apiCalls.name}{${byId},operation="showMigrationTaskStats",outcome="ok"}`)).toHaveLength(1);
    expect((await query(`${M.watcherRounds.name}{outcome="ok"} > 0`)).length).toBeGreaterThan(0);
    // Replays emitted nothing: each migration left each earlier phase exactly once.
    const left = await query(`sum by (phase) (${M.phaseDuration.name}_count{kind="online:incremental"})`);
    expect(Object.fromEntries(left.map((sample) => [sample.metric.phase, sample.value[1]]))).toEqual({
      validating: '2',
      prechecking: '2',
      creating: '2',
      provisioning: '2',
      configuring: '2',
      migrating: '2',
    });
    // Holding quietly for longer than the test rule's 3 s + 1 s is no stall, in either polling mode.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await stalled()).toEqual([]);

    // Every status read now fails with a 503 (the watcher's listing too): the last reads age, and the rule fires.
    stack.emu.faults.add({ operation: 'ListMigrationTask', status: 503 });
    stack.emu.faults.add({ operation: 'ShowMigrationTask', status: 503 });
    const started = Date.now();
    const alerts = await waitFor(
      'DcsMigrationStalled to fire for both',
      async () => ((await stalled()).length === 2 ? stalled() : false),
      30_000,
      500,
    );
    const firedAfterMs = Date.now() - started;
    expect(alerts.map((alert) => alert.labels.migration_id).sort()).toEqual([perTask, shared].sort());
    expect(alerts[0]?.labels).toMatchObject({ kind: 'online:incremental', severity: 'critical' });
    // Threshold 3 s, for 1 s, scrapes and evaluations every second: well inside 15 s.
    expect(firedAfterMs).toBeLessThan(15_000);
    expect((await query(`${M.apiErrors.name}{${byId},error_code="DCS.5000"}`)).length).toBeGreaterThan(0);
    expect((await query(`${M.watcherConsecutiveFailures.name} > 0`)).length).toBeGreaterThan(0);
    // The failing reads are retried by Temporal (attempts after the first).
    expect((await query(`${M.activityRetries.name}{${byId}} > 0`)).length).toBeGreaterThan(0);
    stack.emu.faults.clear();
  });

  it('sees a plan whose canary failed halt: its series, and DcsMigratePlanHalted firing with its id and cause', async () => {
    // Two items, a canary first whose target does not exist: it fails in its pre-flight checks (no DCS task), the
    // plan halts at once (a failed canary, whatever the budget) and ends halted without starting the other.
    const planId = `halting-plan-${process.pid}`;
    const { target: _target, ...defaults } = onlineInput('full');
    const file = path.join(stack.dir, 'halting-plan.yaml');
    await writeFile(
      file,
      toYaml({
        id: planId,
        defaults: { ...defaults, target: { password: { env: 'TARGET_REDIS_PASSWORD' } } },
        items: [
          { key: 'canary', target: { instanceId: 'no-such-instance' } },
          { key: 'rest', target: { instanceId: 'target' } },
        ],
        ramp: { canary: 1, factor: 2 },
      }),
    );
    const started = Date.now();
    const run = await runCli(['plan', 'start', '--file', file, '--wait', '--json'], stack.cliEnv(), 60_000);
    const result = jsonOf<PlanResult>(run);
    expect(result, run.stderr).toMatchObject({ outcome: 'halted', counts: { failed: 1, notStarted: 1 } });
    const halted = async () =>
      (await firingAlerts()).filter(
        (alert) => alert.labels.alertname === 'DcsMigratePlanHalted' && alert.labels.plan_id === planId,
      );
    const [alert] = await waitFor(
      'DcsMigratePlanHalted to fire',
      async () => ((await halted()).length > 0 ? halted() : false),
      60_000,
      500,
    );
    const firedAfterMs = Date.now() - started;
    expect(alert?.labels).toMatchObject({
      cause: 'canary',
      severity: 'critical',
      project: stack.emu.credentials.projectId,
    });
    expect(alert?.annotations.summary).toBe(`Plan ${planId} halted (a canary item failed): nothing new starts`);
    const byPlan = `plan_id="${planId}"`;
    const items = await query(`${P.items.name}{${byPlan}} > 0`);
    expect(Object.fromEntries(items.map((sample) => [sample.metric.phase, sample.value[1]]))).toEqual({
      failed: '1',
      'not-started': '1',
    });
    expect((await query(`${P.failureBudgetLeft.name}{${byPlan}}`))[0]?.value[1]).toBe('0');
    expect((await query(`${P.state.name}{${byPlan}} == 1`)).map((sample) => sample.metric.state)).toEqual([
      'completed',
    ]);
    // The canary failed before creating a DCS task: nothing paid is left behind by the plan.
    expect(stack.emu.tasks().filter((task) => task.name.includes(planId))).toEqual([]);
    // Scrapes and evaluations every second, `for: 0m`: the alert follows the halt within seconds.
    expect(firedAfterMs).toBeLessThan(30_000);
  });
});
