/**
 * Safe deploys (issue 28, docs/deploys.md) on a real dev server with real `dcs-migrate worker` processes and the
 * emulator as DCS: two migrations in each phase run pinned to version 1; version 2 (a real workflow change behind
 * `patched()`) is made current with the Temporal CLI; every migration outside a stop loop moves at its next poll,
 * the stopping ones end on version 1, which drains and is stopped; all finish on version 2 with one remote task
 * each. Before the switch, the replay gate (`dcs-migrate replay`) passes version 2 and refuses a deliberately
 * non-deterministic version 3. The same deploy with 50 migrations is `bench/deploys.ts`.
 */
import path from 'node:path';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli, type CliRun } from '../client/testing/run-cli.js';
import type { ReplayReport } from '../client/commands/replay-report.js';
import { EXIT } from '../client/exit-codes.js';
import { prepareDeploy, runDeploy, V2_WORKFLOWS } from './deploys/scenario.js';
import type { DeployReport, Group, PreparedDeploy } from './deploys/scenario.js';

const GROUPS = { hold: 2, stopping: 2, fullSync: 2, provisioning: 2 };
/** Version 3: the released workflow with a timer added without `patched()` (the replay gate's own fixture). */
const V3_WORKFLOWS = path.join(import.meta.dirname, 'fixtures', 'nondeterministic-workflows.ts');

let prepared: PreparedDeploy;
let report: DeployReport;
let v1Metrics: string;
/** The replay gate over the migrations running before the switch (the holding and the soon stopping ones). */
const gate: { v2?: CliRun; v3?: CliRun } = {};

/** `dcs-migrate replay` of the running migrations against a workflows module, as a CI job runs it before a deploy. */
async function replayGate(workflowsPath: string): Promise<CliRun> {
  return runCli(['replay', '--workflows-path', workflowsPath, '--json'], prepared.stack.cliEnv());
}

beforeAll(async () => {
  const metricsPort = await getPort({ host: '127.0.0.1' });
  prepared = await prepareDeploy({ name: 'test', v1MetricsPort: metricsPort });
  v1Metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const beforeDeploy = async () => {
    [gate.v2, gate.v3] = await Promise.all([replayGate(V2_WORKFLOWS), replayGate(V3_WORKFLOWS)]);
  };
  report = await runDeploy(prepared, GROUPS, { beforeDeploy, log: (line) => console.log(`deploy: ${line}`) });
  const moves = report.migrations.map((migration) => `${migration.group} ${migration.movedAfterMs ?? '-'}`);
  console.log(`deploy: moved after (ms) ${moves.join(', ')}`);
}, 600_000);

afterAll(async () => {
  await prepared?.stack.teardown();
});

const inGroup = (group: Group) => report.migrations.filter((migration) => migration.group === group);
const moving = () => report.migrations.filter((migration) => migration.group !== 'stopping');

describe('the worker as a deployment version', () => {
  it('names its version on its start line, from the flags or the environment', async () => {
    for (const [worker, buildId] of [
      [prepared.v1, 'v1'],
      [prepared.v2, 'v2'],
    ] as const) {
      const started = (await worker.logLines()).find((line) => line.msg === 'worker started');
      expect(started).toMatchObject({ versioning: 'pinned', deploymentName: 'dcs-migrate', buildId });
    }
  });

  it('names it in /metrics: a labelled info gauge', () => {
    const info = v1Metrics.split('\n').find((line) => line.startsWith('dcs_migrate_worker_info{'));
    expect(info).toMatch(/\} 1$/);
    const labels = ['deployment_name="dcs-migrate"', 'build_id="v1"', 'versioning="pinned"'];
    for (const label of labels) expect(info).toContain(label);
  });

  it('refuses half a version, naming the missing flag (exit 2, before connecting anywhere)', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const run = await runCli(['worker', '--deployment-name', 'dcs-migrate'], env);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toContain('--build-id (or DCS_MIGRATE_BUILD_ID): required with --deployment-name');
  });
});

describe('the replay gate before the deploy', () => {
  const running = () => [...inGroup('hold'), ...inGroup('stopping')].map((migration) => migration.workflowId).sort();
  type Report = ReplayReport & { failed: number };

  it('passes version 2: every running migration replays on it (its change is behind patched())', () => {
    expect(gate.v2?.code, gate.v2?.stderr).toBe(EXIT.OK);
    const report = jsonOf<Report>(gate.v2!);
    expect(report.outcomes.map((outcome) => outcome.workflowId).sort()).toEqual(running());
    expect(report.failed).toBe(0);
  });

  it('refuses version 3 (a command added without patched()), naming every running migration', () => {
    expect(gate.v3?.code).toBe(EXIT.REPLAY_FAILED);
    const report = jsonOf<Report>(gate.v3!);
    const verdicts = report.outcomes.map((outcome) => [outcome.workflowId, outcome.verdict]).sort();
    expect(verdicts).toEqual(running().map((id) => [id, 'nondeterministic']));
    for (const id of running()) expect(gate.v3!.stderr).toContain(id);
  });
});

describe('a deploy with migrations in every phase', () => {
  it('switched while migrations were provisioning, in full sync, holding and stopping, all pinned to version 1', () => {
    const phasesOf = (group: Group) => inGroup(group).map((migration) => migration.phaseAtSwitch);
    const phases = Object.fromEntries((Object.keys(GROUPS) as Group[]).map((group) => [group, phasesOf(group)]));
    expect(phases).toEqual({
      hold: ['incremental-hold', 'incremental-hold'],
      stopping: ['stopping', 'stopping'],
      fullSync: ['migrating', 'migrating'],
      provisioning: ['provisioning', 'provisioning'],
    });
    for (const { before } of report.migrations) expect(before).toMatchObject({ buildId: 'v1', behavior: 'PINNED' });
  });

  it('moved every migration outside a stop loop at its next poll, onto version 2 code, pinned there', () => {
    for (const migration of moving()) {
      // The new run started on version 2's code: the change behind its patch ran (the memo), and it is pinned again.
      const onV2 = { buildId: 'v2', behavior: 'PINNED', memo: { startedOnBuild: 'v2' } };
      expect(migration.final, migration.workflowId).toMatchObject(onV2);
      expect(migration.final.runId).not.toBe(migration.before.runId);
      // Polls are at most 1 s apart here (2 s for the shared-watcher one): seconds, not minutes.
      expect(migration.movedAfterMs, migration.workflowId).toBeLessThan(15_000);
    }
  });

  it('let the stopping migrations finish on version 1, which then drained and was stopped', () => {
    for (const migration of inGroup('stopping')) {
      expect(migration.final).toMatchObject({ runId: migration.before.runId, buildId: 'v1' });
      expect(migration.final.memo).not.toHaveProperty('startedOnBuild');
      expect(migration.result.outcome).toBe('cut-over');
    }
    expect(report.v1Drainage).toBe('drained');
  });

  it('status of a migration that ended on the stopped version 1: its result, and that no worker answered', async () => {
    const [ended] = inGroup('stopping');
    const run = await runCli(['status', ended!.workflowId, '--json'], prepared.stack.cliEnv());
    expect(run.code, run.stderr).toBe(EXIT.OK);
    const view = jsonOf<{ result?: { outcome?: string }; statusUnavailable?: string }>(run);
    expect(view.result?.outcome).toBe('cut-over');
    expect(view.statusUnavailable).toContain('no worker answered the status query');
  });

  it('finished every migration, each with exactly one remote task', () => {
    const expected = { hold: 'cut-over', stopping: 'cut-over', fullSync: 'succeeded', provisioning: 'succeeded' };
    for (const { workflowId, group, result, remoteTasks } of report.migrations) {
      const outcome = { workflowId, outcome: result.outcome, remoteTasks };
      expect(outcome).toEqual({ workflowId, outcome: expected[group], remoteTasks: 1 });
    }
  });
});
