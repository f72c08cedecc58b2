/**
 * A deploy under load, as docs/deploys.md describes it: migrations run pinned to version 1; version 2 (this build
 * plus a real change behind `patched()`, test/fixtures/deploy-v2-workflows.ts) is started beside it and made
 * current while migrations sit in every phase (provisioning, full sync, incremental hold, stopping after a cutover);
 * each moves at its next poll, except those stopping, which end on version 1; version 1 drains and is stopped; all
 * finish on version 2. The test (test/deploys.test.ts) runs a few of each; the benchmark (bench/deploys.ts) 50.
 */
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { CliWorker } from '../../client/testing/run-cli.js';
import { cutoverUpdate, statusQuery, type MigrationResult } from '../../common/workflow-contract.js';
import { waitFor } from '../../local/wait.js';
import { buildWorkflowBundle } from '../harness/workflow-bundle.js';
import { deployInput, startDeployStack, type DeployStack, type RunVersion } from './deploy-stack.js';

export const V2_WORKFLOWS = path.join(import.meta.dirname, '..', 'fixtures', 'deploy-v2-workflows.ts');

/** How many migrations are in each phase when version 2 becomes current. */
export interface DeployGroups {
  /** Incremental, holding in sync (the first polls through the shared status watcher). */
  hold: number;
  /** Incremental, cut over just before the switch: stopping their task, which they finish on version 1. */
  stopping: number;
  /** Full, in full sync. */
  fullSync: number;
  /** Full, DCS still creating their migration machine. */
  provisioning: number;
}
export type Group = keyof DeployGroups;

/**
 * How long DCS takes to create a migration machine and to stop a task; the full sync takes twice as long, so a
 * migration in it at the switch is still in it when it moves. Phases this long leave a loaded 2-core machine the
 * seconds it needs to start the last group and switch inside them.
 */
const PHASE_MS = 8_000;
const POLLING = { initialInterval: '500ms', maxInterval: '1s' };
const SHARED_POLLING = { ...POLLING, mode: 'shared', confirmInterval: '2s' };

export interface PreparedDeploy {
  stack: DeployStack;
  v1: CliWorker;
  v2: CliWorker;
  v2Bundle: string;
}

export interface PrepareOptions {
  name: string;
  /** Serve version 1's metrics here. */
  v1MetricsPort?: number;
  /** Provisioning and stop durations, half the full sync's (default {@link PHASE_MS}); longer for more migrations. */
  phaseMs?: number;
}

/** The stack, version 1 (flags, this build) current and version 2 (environment, its own bundle) started beside it. */
export async function prepareDeploy(options: PrepareOptions): Promise<PreparedDeploy> {
  const { name, v1MetricsPort, phaseMs = PHASE_MS } = options;
  const timings = { creatingMs: phaseMs, terminatingMs: phaseMs };
  const stack = await startDeployStack({ name, timings, fullSyncMs: 2 * phaseMs });
  try {
    const [v2Bundle, v1] = await Promise.all([
      buildWorkflowBundle(stack.dir, V2_WORKFLOWS, 'v2.js'),
      stack.startVersion('v1', v1MetricsPort ? { metricsPort: v1MetricsPort } : {}),
    ]);
    const startV2 = stack.startVersion('v2', { bundle: v2Bundle, viaEnvironment: true });
    const [v2] = await Promise.all([startV2, stack.setCurrentVersion('v1')]);
    return { stack, v1, v2, v2Bundle };
  } catch (error) {
    await stack.teardown();
    throw error;
  }
}

export interface MigrationOutcome {
  workflowId: string;
  group: Group;
  phaseAtSwitch: string;
  /** The run pinned before the switch, and the last run. */
  before: RunVersion;
  final: RunVersion;
  /** From `set-current-version` until the run on version 2 started; undefined for one that ended without moving. */
  movedAfterMs: number | undefined;
  result: MigrationResult;
  remoteTasks: number;
}

export interface DeployReport {
  migrations: MigrationOutcome[];
  /** Version 1's drainage just before it was stopped. */
  v1Drainage: string | undefined;
  /** From `set-current-version`: every migration that could move had; version 1 was drained. */
  allMovedMs: number;
  drainedMs: number;
  /** From the first start until every migration closed. */
  totalMs: number;
}

export interface DeployHooks {
  /** Runs while the first migrations hold, before the switch: the pre-deploy gate. */
  beforeDeploy?: () => Promise<void>;
  log?: (line: string) => void;
}

export async function runDeploy(prepared: PreparedDeploy, groups: DeployGroups, hooks: DeployHooks = {}) {
  const { stack, v1 } = prepared;
  const log = hooks.log ?? (() => undefined);
  const fleet = new Fleet(stack, groups);
  const began = Date.now();
  await Promise.all([fleet.start('hold', 'incremental'), fleet.start('stopping', 'incremental')]);
  await fleet.waitAll([...fleet.ids('hold'), ...fleet.ids('stopping')], 'incremental-hold');
  log(`holding after ${Date.now() - began} ms`);
  await hooks.beforeDeploy?.();
  await fleet.start('fullSync', 'full');
  await fleet.waitAll(fleet.ids('fullSync'), 'migrating');
  const fullSyncFrom = Date.now();
  // Each step as soon as it can, in parallel: the last groups' phases are only seconds long.
  await Promise.all([fleet.cutover(fleet.ids('stopping'), 'during the deploy'), fleet.start('provisioning', 'full')]);
  const provisioning = fleet.waitAll(fleet.ids('provisioning'), 'provisioning');
  await Promise.all([provisioning, fleet.waitAll(fleet.ids('stopping'), 'stopping')]);

  const all = fleet.ids();
  const phasesNow = fleet.byId(all, (id) => fleet.phase(id));
  const [phases, before] = await Promise.all([phasesNow, fleet.byId(all, (id) => stack.versionOf(id))]);
  const switchAt = Date.now();
  await stack.setCurrentVersion('v2');
  log(`v2 current ${switchAt - fullSyncFrom} ms into the full sync, after ${Date.now() - switchAt} ms`);

  // Every migration that may move does so at its next poll (unless it ends first); the stopping ones end on v1.
  const moved = await waitUntilMoved(
    stack,
    all.filter((id) => fleet.groupOf(id) !== 'stopping'),
  );
  const allMovedMs = Date.now() - switchAt;
  await waitFor('version 1 drained', async () => (await stack.drainageOf('v1')) === 'drained', 120_000, 500);
  const drainedMs = Date.now() - switchAt;
  const v1Drainage = await stack.drainageOf('v1');
  await v1.stop();
  log(`all moved after ${allMovedMs} ms; v1 drained after ${drainedMs} ms, then stopped`);

  await fleet.cutover(fleet.ids('hold'), 'after the deploy');
  const results = await fleet.byId(all, (id) => fleet.result(id));
  const totalMs = Date.now() - began;
  const migrations = all.map(async (workflowId): Promise<MigrationOutcome> => ({
    workflowId,
    group: fleet.groupOf(workflowId),
    phaseAtSwitch: phases.get(workflowId)!,
    before: before.get(workflowId)!,
    final: await stack.versionOf(workflowId),
    movedAfterMs: moved.has(workflowId) ? moved.get(workflowId)!.startedAt - switchAt : undefined,
    result: results.get(workflowId)!,
    remoteTasks: stack.remoteTasks(workflowId),
  }));
  const outcomes = await Promise.all(migrations);
  return { migrations: outcomes, v1Drainage, allMovedMs, drainedMs, totalMs } satisfies DeployReport;
}

/** Polls until each of `ids` runs on version 2 or has ended; the first run on version 2 of each that moved. */
async function waitUntilMoved(stack: DeployStack, ids: string[]): Promise<Map<string, RunVersion>> {
  const moved = new Map<string, RunVersion>();
  const ended = new Set<string>();
  const check = async () => {
    const pending = ids.filter((id) => !moved.has(id) && !ended.has(id));
    const runs = await Promise.all(pending.map(async (id) => [id, await stack.versionOf(id)] as const));
    for (const [id, run] of runs) {
      if (run.buildId === 'v2') moved.set(id, run);
      else if (run.closed) ended.add(id);
    }
    return moved.size + ended.size === ids.length;
  };
  await waitFor('every migration outside a stop loop on version 2 (or ended)', check, 120_000, 250);
  return moved;
}

/** The deploy's migrations by group. */
class Fleet {
  private readonly handles = new Map<string, { group: Group; handle: WorkflowHandle }>();

  constructor(
    private readonly stack: DeployStack,
    private readonly groups: DeployGroups,
  ) {}

  async start(group: Group, method: 'full' | 'incremental'): Promise<void> {
    const started = Array.from({ length: this.groups[group] }, async (_, index) => {
      const workflowId = `${this.stack.taskQueue}-${group}-${index}`;
      const polling = group === 'hold' && index === 0 ? SHARED_POLLING : POLLING;
      this.handles.set(workflowId, { group, handle: await this.stack.start(deployInput(method, polling), workflowId) });
    });
    await Promise.all(started);
  }

  ids(group?: Group): string[] {
    return [...this.handles].filter(([, entry]) => group === undefined || entry.group === group).map(([id]) => id);
  }

  groupOf(id: string): Group {
    return this.handles.get(id)!.group;
  }

  async phase(id: string): Promise<string> {
    return (await this.handles.get(id)!.handle.query(statusQuery)).phase;
  }

  async result(id: string): Promise<MigrationResult> {
    return (await this.handles.get(id)!.handle.result()) as MigrationResult;
  }

  waitAll(ids: string[], phase: string): Promise<true> {
    const check = async () => (await Promise.all(ids.map((id) => this.phase(id)))).every((each) => each === phase);
    return waitFor(`${ids.length} migrations in ${phase}`, check, 90_000, 250);
  }

  async cutover(ids: string[], note: string): Promise<void> {
    await Promise.all(ids.map((id) => this.handles.get(id)!.handle.executeUpdate(cutoverUpdate, { args: [{ note }] })));
  }

  async byId<T>(ids: string[], read: (id: string) => Promise<T>): Promise<Map<string, T>> {
    return new Map(await Promise.all(ids.map(async (id) => [id, await read(id)] as const)));
  }
}
