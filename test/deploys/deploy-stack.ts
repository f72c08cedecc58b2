/**
 * The stack a deploy runs on, every part real: a Temporal dev server (Worker Versioning on, as it is by default;
 * drainage re-checked every second instead of every few minutes), the DCS emulator on its timeline data plane
 * (statuses advance on a schedule, so many migrations share one target), and `dcs-migrate worker` children, each
 * a Worker Deployment version. Versions are switched with the Temporal CLI, as an operator does (docs/deploys.md).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { decodeVersioningBehavior } from '@temporalio/common';
import { startCliWorker, cliEnvironment, type CliWorker } from '../../client/testing/run-cli.js';
import { parseMigrationInput, type MigrationInputFile } from '../../common/migration-input.js';
import { buildMigrationStartOptions } from '../../common/start-options.js';
import { MIGRATION_WORKFLOW_TYPE } from '../../common/workflow-contract.js';
import { startEmulator, type Emulator, type EmulatorTimings } from '../../emulator/index.js';
import { resolveTemporalCli } from '../../local/tools.js';
import { waitFor } from '../../local/wait.js';
import { emulatorDcsEnvironment } from '../../stack/dcs-for-emulator.js';
import { deriveTaskName } from '../../workflows/task-name.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../harness/temporal.js';

export const DEPLOYMENT = 'dcs-migrate';

/** The dev server re-checks a version's drainage on this schedule (the server's defaults are minutes). */
const DRAINAGE_CONFIG = [
  ['matching.wv.VersionDrainageStatusRefreshInterval', '"1s"'],
  ['matching.wv.VersionDrainageStatusVisibilityGracePeriod', '"1s"'],
].flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]);

export interface DeployStackOptions {
  name: string;
  timings: Pick<EmulatorTimings, 'creatingMs' | 'terminatingMs'>;
  fullSyncMs: number;
}

export interface VersionOptions {
  /** A prebuilt workflow bundle; this build's workflow code otherwise. */
  bundle?: string;
  /** Name the version in DCS_MIGRATE_DEPLOYMENT_NAME / DCS_MIGRATE_BUILD_ID instead of the flags. */
  viaEnvironment?: boolean;
  metricsPort?: number;
}

/** Where a run is pinned, from `describe`. */
export interface RunVersion {
  runId: string;
  buildId: string | undefined;
  behavior: string | undefined;
  startedAt: number;
  closed: boolean;
  memo: Record<string, unknown>;
}

export interface DeployStack {
  readonly dir: string;
  readonly temporal: TemporalTestEnv;
  readonly emu: Emulator;
  readonly taskQueue: string;
  /** The environment of a `dcs-migrate` child: the stack's Temporal server and task queue, the emulator as DCS. */
  cliEnv(): NodeJS.ProcessEnv;
  /** Starts `dcs-migrate worker` as version `buildId` of {@link DEPLOYMENT}. */
  startVersion(buildId: string, options?: VersionOptions): Promise<CliWorker>;
  /** `temporal <args>` against the stack's server; stdout. */
  temporalCli(args: string[]): Promise<string>;
  /** `set-current-version`, retried while the version's workers have not registered it yet. */
  setCurrentVersion(buildId: string): Promise<void>;
  /** The version's drainage status as `describe-version` prints it (`draining`, `drained`, or none yet). */
  drainageOf(buildId: string): Promise<string | undefined>;
  start(input: MigrationInputFile, workflowId: string): Promise<WorkflowHandle>;
  /** The latest run of a migration and the version it is pinned to. */
  versionOf(workflowId: string): Promise<RunVersion>;
  /** Remote tasks in the emulator carrying this migration's task name. */
  remoteTasks(workflowId: string): number;
  teardown(): Promise<void>;
}

const TARGET = 'deploy-target';

/** An online migration from a self-hosted address (the timeline data plane connects nowhere) to the stack's target. */
export function deployInput(method: 'full' | 'incremental', polling: Record<string, unknown>): MigrationInputFile {
  return {
    kind: 'online',
    source: { addrs: '127.0.0.1:1' },
    target: { instanceId: TARGET },
    network: { vpcId: 'vpc-deploy', subnetId: 'subnet-deploy', securityGroupId: 'sg-deploy' },
    method,
    polling,
  } as MigrationInputFile;
}

export async function startDeployStack(options: DeployStackOptions): Promise<DeployStack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const teardown = async () => {
    const report = (error: unknown) => console.error(`deploy teardown: ${String(error)}`);
    while (cleanups.length > 0) await cleanups.pop()!().catch(report);
  };
  try {
    const dir = await mkdtemp(path.join(os.tmpdir(), `dcs-deploy-${options.name}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const [temporal, emu, cli] = await Promise.all([
      startTemporalTestEnv({ extraArgs: DRAINAGE_CONFIG }),
      startEmulator({ timings: options.timings, dataPlane: { timeline: { fullSyncMs: options.fullSyncMs } } }),
      resolveTemporalCli(),
    ]);
    cleanups.push(
      () => temporal.teardown(),
      () => emu.stop(),
    );
    emu.registerInstance({ id: TARGET, host: '127.0.0.1', port: 2 });
    const taskQueue = `deploy-${options.name}-${process.pid}-${Date.now()}`;
    const { address, namespace } = temporal.server;
    const server = ['--address', address, '--namespace', namespace];
    const temporalCli = async (args: string[]) => (await promisify(execFile)(cli, [...args, ...server])).stdout;
    const version = (buildId: string) => ['--deployment-name', DEPLOYMENT, '--build-id', buildId];
    const dcs = emulatorDcsEnvironment(emu);
    const cliEnv = (extra: NodeJS.ProcessEnv = {}) => cliEnvironment(temporal.server, taskQueue, { ...dcs, ...extra });
    return {
      dir,
      temporal,
      emu,
      taskQueue,
      cliEnv: () => cliEnv(),
      async startVersion(buildId, { bundle, viaEnvironment, metricsPort } = {}) {
        const env = cliEnv({
          DCS_MIGRATE_WATCH_INTERVAL: '500',
          DCS_MIGRATE_WATCH_MAX_INTERVAL: '1000',
          ...(bundle ? { DCS_MIGRATE_WORKFLOW_BUNDLE: bundle } : {}),
          ...(viaEnvironment ? { DCS_MIGRATE_DEPLOYMENT_NAME: DEPLOYMENT, DCS_MIGRATE_BUILD_ID: buildId } : {}),
        });
        const args = [
          '--shutdown-grace',
          '2s',
          ...(viaEnvironment ? [] : version(buildId)),
          ...(metricsPort ? ['--metrics-port', String(metricsPort), '--metrics-host', '127.0.0.1'] : []),
        ];
        const worker = await startCliWorker(args, env, path.join(dir, `worker-${buildId}.log`));
        cleanups.push(() => worker.stop());
        return worker;
      },
      temporalCli,
      async setCurrentVersion(buildId) {
        // A version exists once one of its workers has polled; until then the server refuses to route to it.
        const set = () => temporalCli(['worker', 'deployment', 'set-current-version', ...version(buildId), '--yes']);
        await waitFor(
          `${DEPLOYMENT}.${buildId} to become current`,
          () =>
            set().then(
              () => true,
              () => false,
            ),
          60_000,
          300,
        );
      },
      async drainageOf(buildId) {
        const args = ['worker', 'deployment', 'describe-version', ...version(buildId), '-o', 'json'];
        const described = await temporalCli(args);
        return (JSON.parse(described) as { drainageInfo?: { drainageStatus?: string } }).drainageInfo?.drainageStatus;
      },
      start(input, workflowId) {
        const options = buildMigrationStartOptions({ input: parseMigrationInput(input), workflowId, taskQueue });
        return temporal.client.workflow.start(MIGRATION_WORKFLOW_TYPE, options);
      },
      async versionOf(workflowId) {
        const description = await temporal.client.workflow.getHandle(workflowId).describe();
        const versioning = description.raw.workflowExecutionInfo?.versioningInfo;
        return {
          runId: description.runId,
          buildId: versioning?.deploymentVersion?.buildId ?? undefined,
          behavior: decodeVersioningBehavior(versioning?.behavior),
          startedAt: description.startTime.getTime(),
          closed: description.status.name !== 'RUNNING',
          memo: description.memo ?? {},
        };
      },
      remoteTasks: (workflowId) => emu.tasks().filter((task) => task.name === deriveTaskName(workflowId)).length,
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}
