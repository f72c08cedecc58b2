/**
 * The CI part of the chaos suite (issue #7): every scenario of test/chaos/ at its reduced size (`quick`), run
 * concurrently — they mostly wait on timeouts (sticky queue, activity start-to-close, bandwidth), each on its own
 * dev server, emulator and workers. The full suite is `npx tsx bench/chaos/run.ts`.
 *
 * The seed is random and printed; `CHAOS_SEED=n` replays a run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { buildWorkflowBundle } from './chaos/harness.js';
import { renderTable, type ScenarioReport } from './chaos/report.js';
import { runScenario, SCENARIOS, type ScenarioContext } from './chaos/scenarios.js';
import { soakScenario } from './chaos/soak.js';

const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);

describe(`chaos suite, reduced (seed ${seed}; replay with CHAOS_SEED=${seed})`, () => {
  let dir: string;
  let context: ScenarioContext;
  const reports: ScenarioReport[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-chaos-test-'));
    context = { seed, quick: true, workflowBundle: await buildWorkflowBundle(dir) };
  });
  afterAll(async () => {
    console.log(`chaos suite (seed ${seed}):\n${renderTable(reports)}`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // Concurrent tests take `expect` from their context so each assertion is counted against its own test.
  /** The invariants every scenario shares: each migration ended as expected with exactly one remote task. */
  function expectNothingLost(expect: ExpectStatic, report: ScenarioReport, migrations: number): void {
    expect(report.problems).toEqual([]);
    expect(report.migrations).toBe(migrations);
    expect(report.completed + report.failedAsExpected).toBe(migrations);
    expect(report.remoteTasks).toBe(migrations);
    expect(report.duplicates).toBe(0);
    expect(report.lost).toBe(0);
  }

  async function run(id: string): Promise<ScenarioReport> {
    const scenario = SCENARIOS.find((s) => s.id === id)!;
    const report = await runScenario(scenario, context);
    reports.push(report);
    return report;
  }

  /** Runs the scenario and checks the shared invariants and how many of its migrations completed. */
  async function runChecked(
    expect: ExpectStatic,
    id: string,
    migrations: number,
    completed = migrations,
  ): Promise<ScenarioReport> {
    const report = await run(id);
    expectNothingLost(expect, report, migrations);
    expect(report.completed).toBe(completed);
    return report;
  }

  const timeout = (id: string) => SCENARIOS.find((s) => s.id === id)!.deadlineMs(true) + 30_000;

  it.concurrent(
    'kill -9 the worker 5 times over 5 migrations: all complete, one remote task each',
    async ({ expect }) => {
      const report = await runChecked(expect, 'kill-worker', 5);
      expect(report.figures.kills).toBe(5);
      expect(report.recoveryMs.length).toBeGreaterThanOrEqual(3);
      expect(report.figures['key differences']).toBe(0);
    },
    timeout('kill-worker'),
  );

  it.concurrent(
    'Temporal dev server stopped (SIGTERM, then SIGKILL) mid-migration and restarted on its file: all resume and complete',
    async ({ expect }) => {
      const report = await runChecked(expect, 'server-restart', 4);
      expect(report.figures['worker restarts']).toBe(0);
      expect(report.recoveryMs).toHaveLength(2);
    },
    timeout('server-restart'),
  );

  it.concurrent(
    '30% 500s, 10% dropped connections, 2 s on every call: 10 of 10 succeed',
    async ({ expect }) => {
      const report = await runChecked(expect, 'api-faults', 10);
      expect(report.figures['answered 500']).toBeGreaterThan(0);
      expect(report.figures.dropped).toBeGreaterThan(0);
      expect(report.figures['delayed 2 s']).toBe(report.figures['API requests']);
    },
    timeout('api-faults'),
  );

  it.concurrent(
    'source redis killed in full sync: manual fails as RemoteTaskFailed saying why, auto resumes and completes',
    async ({ expect }) => {
      const report = await runChecked(expect, 'source-killed', 2, 1);
      expect(report.failedAsExpected).toBe(1);
      expect(report.figures['manual: remote task']).toBe('FAILED');
      expect(String(report.figures['manual: reason'])).toMatch(/^RemoteTaskFailed: .*ended FAILED: .*source Redis/);
      expect(report.figures['auto: key differences']).toBe(0);
    },
    timeout('source-killed'),
  );

  for (const [id, what, faultCalls] of [
    ['dcs-down', 'the DCS endpoint down (every connection reset)', 'connections reset'],
    ['dcs-throttled', 'DCS answering 429 APIGW.0308', 'answered 429'],
  ] as const) {
    it.concurrent(
      `${what} for 15 s while 6 migrations hold: no retry storm, all complete after it`,
      async ({ expect }) => {
        const report = await runChecked(expect, id, 6);
        expect(Number(report.figures[faultCalls])).toBeGreaterThan(0);
        // The report's own invariants, restated: the calls that reach DCS during the fault stay within the bound
        // (one per migration in flight, then one probe per hold), and fewer per minute than before it.
        const [during, bound] = String(report.figures['calls during / bound']).split(' / ').map(Number);
        expect(during).toBeLessThanOrEqual(bound!);
        expect(Number(report.figures['calls/min during'])).toBeLessThanOrEqual(
          Number(report.figures['calls/min before']),
        );
        expect(report.figures['answered again after']).not.toBe('never');
        expect(report.recoveryMs).toHaveLength(1);
      },
      timeout(id),
    );
  }

  it.concurrent(
    'two workers on one task queue, one killed: the other completes every migration',
    async ({ expect }) => {
      const report = await runChecked(expect, 'two-workers', 4);
      expect(Number(report.figures['migrations handed over to the survivor'])).toBeGreaterThan(0);
    },
    timeout('two-workers'),
  );

  it.concurrent(
    'soak, reduced: 10 migrations and a plan over 45 s, a worker kill, a server and an emulator restart, an outage, 10% 500s',
    async ({ expect }) => {
      const report = await soakScenario({
        durationMs: 45_000,
        migrations: 10,
        killEveryMs: 25_000,
        serverRestartEveryMs: 35_000,
        apiFaultRate: 0.1,
        outageMs: 6_000,
        planItems: 2,
        sampleEveryMs: 5_000,
        warmupMs: 15_000,
        seed,
        workflowBundle: context.workflowBundle,
        settleTimeoutMs: 120_000,
      });
      reports.push(report);
      expectNothingLost(expect, report, 12);
      expect(report.failedAsExpected).toBe(1);
      expect(report.figures['worker kills']).toBe(1);
      expect(report.figures['server restarts']).toBe(1);
      expect(report.figures['key differences']).toBe(0);
      expect(report.recoveryMs).toHaveLength(1);
    },
    240_000,
  );
});
