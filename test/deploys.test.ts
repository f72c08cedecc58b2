/**
 * Safe deploys (issue 28, docs/deploys.md) on a real dev server with real `dcs-migrate worker` processes and the
 * emulator as DCS: two migrations in each phase run pinned to version 1; version 2 (a real workflow change behind
 * `patched()`) is made current with the Temporal CLI; every migration outside a stop loop moves at its next poll,
 * the stopping ones end on version 1, which drains and is stopped; all finish on version 2 with one remote task
 * each. The same deploy with 50 migrations is `bench/deploys.ts`.
 */
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../client/testing/run-cli.js';
import { EXIT } from '../client/exit-codes.js';
import { prepareDeploy, runDeploy, type DeployReport, type Group, type PreparedDeploy } from './deploys/scenario.js';

const GROUPS = { hold: 2, stopping: 2, fullSync: 2, provisioning: 2 };

let prepared: PreparedDeploy;
let report: DeployReport;
let v1Metrics: string;

beforeAll(async () => {
  const metricsPort = await getPort({ host: '127.0.0.1' });
  prepared = await prepareDeploy('test', metricsPort);
  v1Metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  report = await runDeploy(prepared, GROUPS, { log: (line) => console.log(`deploy: ${line}`) });
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

  it('finished every migration, each with exactly one remote task', () => {
    const expected = { hold: 'cut-over', stopping: 'cut-over', fullSync: 'succeeded', provisioning: 'succeeded' };
    for (const { workflowId, group, result, remoteTasks } of report.migrations) {
      const outcome = { workflowId, outcome: result.outcome, remoteTasks };
      expect(outcome).toEqual({ workflowId, outcome: expected[group], remoteTasks: 1 });
    }
  });
});
