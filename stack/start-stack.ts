/**
 * The local stack behind `dcs-migrate up`: provisioned tools, a Temporal dev server with its Web UI and
 * dcs-migrate's search attributes, the DCS emulator with a source and a target instance (real redis-servers),
 * sample data on the source, and a migration worker running in this process. `stop()` takes it all down;
 * every process is started through `local/processes.ts`, so nothing outlives the stack even on a crash.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import getPort from 'get-port';
import { pino } from 'pino';
import { createSecretResolver } from '../activities/index.js';
import { generateKeyRing, loadCodecKeyRing } from '../codec/codec-keys.js';
import { dataConverterFor } from '../codec/data-converter.js';
import { EncryptionCodec } from '../codec/encryption-codec.js';
import { startCodecServer } from '../codec/server.js';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue.js';
import {
  DEFAULT_TOPOLOGY,
  formatTopology,
  startEmulator,
  type Emulator,
  type InstanceTopology,
} from '../emulator/index.js';
import { seedSampleData, type SampleDataSummary } from '../local/sample-data.js';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';
import { projectRoot, resolveRedisServer, resolveTemporalCli } from '../local/tools.js';
import type { RedisEndpoint } from '../redis/endpoint.js';
import { createMigrationWorker } from '../worker/create-worker.js';
import { createJsonLogger } from '../worker/logger.js';
import { migrationMetricsRuntime } from '../worker/metrics.js';
import { installRuntime } from '../worker/runtime.js';
import { dcsForEmulator } from './dcs-for-emulator.js';
import { writeSampleBackup } from './sample-backup.js';
import { displayPath, renderEnvFile, stackEnvironment, type StackEnvEntry } from './stack-env.js';
import {
  claimDefaultEnvFile,
  pidLine,
  releaseDefaultEnvFile,
  removeStaleStackFiles,
  stackFilePaths,
  writePrivateFile,
} from './stack-files.js';
import type { StackLog } from './stack-log.js';

/**
 * DCS instance ids of the stack's emulator (the demo migration moves data from the first to the second): the same
 * as docker-compose.yml's, so one migration file (examples/) runs against both.
 */
export const STACK_INSTANCES = { source: 'dcs-source', target: 'dcs-target' } as const;
/**
 * Where the worker finds the instances' passwords: the `{ env: … }` references of the demo's input and of
 * examples/, the names docker-compose.yml's worker sets.
 */
export const STACK_PASSWORD_ENV = { source: 'SOURCE_REDIS_PASSWORD', target: 'TARGET_REDIS_PASSWORD' } as const;
/** Self-hosted addresses (compose's service names) that reach the instances, for examples/legacy-online.yaml. */
export const STACK_ADDRESS_ALIASES = {
  'redis-source:6379': STACK_INSTANCES.source,
  'redis-target:6379': STACK_INSTANCES.target,
} as const;
/** The ports the CLI and the Temporal CLI reach without flags; the stack takes them when free. */
export const DEFAULT_STACK_PORTS = { temporal: 7233, ui: 8233, metrics: 9464 } as const;

export interface LocalStackOptions {
  /** Sample keys seeded on the source (every type, some with TTLs). */
  keys: number;
  /** Temporal gRPC port; 7233 when free (so the CLI's defaults reach it), else any free port. */
  port?: number | undefined;
  /** Web UI port; 8233 when free, else any free port. */
  uiPort?: number | undefined;
  /** Folder for the logs (Temporal, worker); `.dcs-migrate/` in the project by default. */
  logDir?: string;
  /**
   * The instance types (default single nodes): master/standby, or a Redis Cluster. With a cluster on either side
   * the sample data goes into db 0 only (a cluster has no other database) and the demo cuts over without an IP switch.
   */
  topologies?: { source?: InstanceTopology | undefined; target?: InstanceTopology | undefined };
  /** Emulator status-machine delays; the defaults are realistic but short. */
  timings?: { creatingMs?: number; terminatingMs?: number };
}

export interface LocalStack {
  temporal: TemporalDevServer;
  emulator: Emulator;
  client: Client;
  taskQueue: string;
  /** The UI's base URL, e.g. `http://127.0.0.1:8233`. */
  uiUrl: string;
  /** Where clients reach each instance: its service address, or a Redis Cluster's first master (any node tells the cluster). */
  source: RedisEndpoint;
  target: RedisEndpoint;
  /** The instance types the stack started. */
  topologies: { source: InstanceTopology; target: InstanceTopology };
  /** True when either side is a Redis Cluster: db 0 only, and no IP switch at the cutover. */
  clustered: boolean;
  /** The databases the sample data (and the demo's live writes) use: 0–2, or 0 only with a cluster on either side. */
  sampleDbs: number[];
  seeded: SampleDataSummary;
  logDir: string;
  /** The codec server the UI decodes payloads through. */
  codecUrl: string;
  /**
   * The file holding the session's generated payload key (mode 0600, removed on stop), for the CLI in another
   * shell (`DCS_MIGRATE_CODEC_KEY_FILE`); undefined when the keys came from the environment.
   */
  codecKeyFile: string | undefined;
  /**
   * This stack's env file (`.dcs-migrate/env-<port>`, mode 0600, removed on stop): every variable other tools need,
   * secrets included, as `export` lines for the operator's shell; `entries` says which are secret.
   */
  env: { file: string; entries: StackEnvEntry[]; isDefault: boolean; defaultFile: string };
  /** Default ports (7233, 8233) that were taken, with the port this stack uses instead; empty when none was. */
  movedPorts: MovedPort[];
  /** The emulator's OBS stand-in: `<dir>/<bucket>/<file>` are the objects a backup import can name. */
  bucketsDir: string;
  /** Resolves when the worker stops; rejects if it crashed. */
  workerDone: Promise<void>;
  stop(): Promise<void>;
}

export interface MovedPort {
  what: 'Temporal' | 'Temporal UI';
  wanted: number;
  got: number;
}

/** Brings the stack up step by step, narrating on `log`. On failure, stops what was already started. */
export async function startLocalStack(options: LocalStackOptions, log: StackLog): Promise<LocalStack> {
  const logDir = options.logDir ?? path.join(projectRoot, '.dcs-migrate');
  await mkdir(logDir, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    await log.step(
      'tools',
      async () => {
        const [temporal, redis] = await Promise.all([
          resolveTemporalCli({ install: true, log: (line) => log.info(`  ${line}`) }),
          resolveRedisServer(),
        ]);
        return `${path.relative(projectRoot, temporal) || temporal}, ${redis}`;
      },
      (found) => found,
    );

    const host = '127.0.0.1';
    const port = options.port ?? (await getPort({ host, port: DEFAULT_STACK_PORTS.temporal }));
    const uiPort = options.uiPort ?? (await getPort({ host, port: DEFAULT_STACK_PORTS.ui }));
    const movedPorts: MovedPort[] = [];
    if (options.port === undefined && port !== DEFAULT_STACK_PORTS.temporal)
      movedPorts.push({ what: 'Temporal', wanted: DEFAULT_STACK_PORTS.temporal, got: port });
    if (options.uiPort === undefined && uiPort !== DEFAULT_STACK_PORTS.ui)
      movedPorts.push({ what: 'Temporal UI', wanted: DEFAULT_STACK_PORTS.ui, got: uiPort });
    // One set of files per stack (named by its Temporal port): another stack in this folder keeps its own.
    const files = stackFilePaths(logDir, port);
    await removeStaleStackFiles(logDir);
    if (movedPorts.length > 0) log.info(movedPortsWarning(movedPorts, host, port, files.envFile));
    // One password for both instances: DCS switches IPs only between instances with the same password (the demo switches).
    const password = randomBytes(12).toString('base64url');
    const passwords = { source: password, target: password };

    // Payloads are encrypted like in production: the environment's keys, else a key for this session only,
    // and a codec server (no token: loopback only) so the UI shows them decoded.
    const configuredRing = loadCodecKeyRing(process.env);
    const ring = configuredRing ?? generateKeyRing();
    const dataConverter = dataConverterFor(ring);
    let codecKeyFile: string | undefined;
    if (!configuredRing) {
      codecKeyFile = files.codecKeyFile;
      const keyFile = codecKeyFile;
      cleanups.push(() => rm(keyFile, { force: true }));
      await writePrivateFile(
        keyFile,
        `${ring.activeKeyId}:${ring.keys.get(ring.activeKeyId)?.toString('base64') ?? ''}\n`,
      );
    }
    const codecServer = await startCodecServer({
      codec: new EncryptionCodec(ring),
      host,
      corsOrigins: [`http://${host}:${uiPort}`, `http://localhost:${uiPort}`],
    });
    cleanups.push(() => codecServer.stop());

    const topologies = {
      source: options.topologies?.source ?? DEFAULT_TOPOLOGY,
      target: options.topologies?.target ?? DEFAULT_TOPOLOGY,
    };
    const kinds =
      topologies.source.mode === 'single' && topologies.target.mode === 'single'
        ? ''
        : ` (${formatTopology(topologies.source)} → ${formatTopology(topologies.target)})`;
    const [temporalStarted, emulatorStarted] = await Promise.allSettled([
      log.step(
        'Temporal dev server with Web UI and search attributes',
        () =>
          startTemporalDevServer({
            port,
            ui: true,
            uiPort,
            logDir,
            extraArgs: ['--ui-codec-endpoint', codecServer.url],
          }),
        (t) => `${t.address}, UI ${t.uiUrl}`,
      ),
      log.step(
        `DCS emulator with a source and a target instance (redis-server)${kinds}`,
        () =>
          startEmulator({
            instances: [
              { id: STACK_INSTANCES.source, password: passwords.source, topology: topologies.source },
              { id: STACK_INSTANCES.target, password: passwords.target, topology: topologies.target },
            ],
            addressAliases: STACK_ADDRESS_ALIASES,
            timings: {
              creatingMs: options.timings?.creatingMs ?? 1_500,
              terminatingMs: options.timings?.terminatingMs ?? 1_000,
            },
          }),
        (e) => e.url,
      ),
    ]);
    // Whichever of the two started is stopped even when the other failed.
    if (temporalStarted.status === 'fulfilled') cleanups.push(() => temporalStarted.value.stop());
    if (emulatorStarted.status === 'fulfilled') cleanups.push(() => emulatorStarted.value.stop());
    if (temporalStarted.status === 'rejected') throw temporalStarted.reason;
    if (emulatorStarted.status === 'rejected') throw emulatorStarted.reason;
    const temporal = temporalStarted.value;
    const emulator = emulatorStarted.value;
    const bucketsDir = path.join(emulator.dataDir, 'buckets');
    // Users (and the seeding, the env file, verify) reach an instance at its service address, as on DCS.
    const serviceOf = (id: string): RedisEndpoint => {
      const instance = emulator.instance(id);
      return { ...instance.endpoint, ...instance.service };
    };
    const source = serviceOf(STACK_INSTANCES.source);
    const target = serviceOf(STACK_INSTANCES.target);
    // A Redis Cluster has db 0 only: a source with keys elsewhere fails the precheck multi-db-into-cluster.
    const clustered = topologies.source.mode === 'cluster' || topologies.target.mode === 'cluster';
    const sampleDbs = clustered ? [0] : [0, 1, 2];
    // One node's RDB of a cluster would hold only that master's slots: no sample backup then.
    const withBackup = topologies.source.mode !== 'cluster';

    // Seeding (redis pipelines) and creating the worker (webpack bundling) overlap: both take seconds.
    const workerLogger = createJsonLogger(
      'info',
      pino.destination({ dest: path.join(logDir, 'worker.log'), sync: false, mkdir: true }),
    );
    // The worker's Prometheus endpoint, as `dcs-migrate worker --metrics-port` serves it (docs/monitoring.md).
    const metricsAddress = `${host}:${await getPort({ host, port: DEFAULT_STACK_PORTS.metrics })}`;
    let metricsUrl: string | undefined;
    try {
      installRuntime({
        logger: workerLogger,
        metricsBindAddress: metricsAddress,
        migrationMetrics: migrationMetricsRuntime(emulator.credentials.projectId),
      });
      metricsUrl = `http://${metricsAddress}/metrics`;
    } catch {
      // A runtime is already installed in this process (a test); the worker uses that one.
    }
    const taskQueue = DEFAULT_TASK_QUEUE;
    const [seeded, worker] = await Promise.all([
      log.step(
        `sample data on the source (${options.keys.toLocaleString('en')} keys)${withBackup ? ', and its RDB in the OBS bucket' : ''}`,
        async () => {
          const summary = await seedSampleData(source, { keys: options.keys, dbs: sampleDbs });
          if (withBackup) await writeSampleBackup(source, bucketsDir);
          return summary;
        },
        describeSeed,
      ),
      log.step(
        'migration worker (in this process)',
        async () => {
          const connection = await NativeConnection.connect({ address: temporal.address });
          cleanups.push(() => connection.close());
          return createMigrationWorker({
            connection,
            namespace: temporal.namespace,
            taskQueue,
            dcs: await dcsForEmulator(emulator),
            secrets: createSecretResolver({
              env: { [STACK_PASSWORD_ENV.source]: passwords.source, [STACK_PASSWORD_ENV.target]: passwords.target },
            }),
            shutdownGraceTime: '5s',
            dataConverter,
          });
        },
        () =>
          `task queue ${taskQueue}, metrics ${metricsUrl ?? 'off'}, log ${path.relative(projectRoot, path.join(logDir, 'worker.log'))}`,
      ),
    ]);
    const workerDone = runWorker(worker);
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerDone.catch(() => undefined);
    });

    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.namespace, dataConverter });

    const uiUrl = temporal.uiUrl ?? `http://${host}:${uiPort}`;
    const entries = stackEnvironment({
      temporal,
      uiUrl,
      codecUrl: codecServer.url,
      codecKeyFile,
      taskQueue,
      emulator,
      redis: { source, target },
      passwordEnv: STACK_PASSWORD_ENV,
    });
    cleanups.push(() => rm(files.envFile, { force: true }));
    await writePrivateFile(
      files.envFile,
      renderEnvFile(entries, [
        pidLine(),
        `Temporal ${temporal.address}, UI ${uiUrl}, DCS emulator ${emulator.url}; written ${new Date().toISOString()}.`,
        'Secrets in plain text on purpose, for your own shell only: mode 0600, removed when the stack stops.',
        `Use: source ${displayPath(files.envFile)}`,
      ]),
    );
    const isDefault = await claimDefaultEnvFile(files);
    if (isDefault) cleanups.push(() => releaseDefaultEnvFile(files));

    return {
      temporal,
      emulator,
      client,
      taskQueue,
      uiUrl,
      source,
      target,
      topologies,
      clustered,
      sampleDbs,
      seeded,
      logDir,
      codecUrl: codecServer.url,
      codecKeyFile,
      env: { file: files.envFile, entries, isDefault, defaultFile: files.defaultEnvFile },
      movedPorts,
      bucketsDir,
      workerDone,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The loud line when a default port was taken (a second stack in this folder, or another Temporal server). */
export function movedPortsWarning(moved: MovedPort[], host: string, temporalPort: number, envFile: string): string {
  const ports = moved.map((m) => `${m.what} port ${m.wanted} is taken, this stack uses ${m.got}`).join('; ');
  return (
    `⚠ ${ports} (another dcs-migrate up, or another Temporal server?). The CLI's defaults reach the other one: ` +
    `pass --address ${host}:${temporalPort}, or run \`source ${displayPath(envFile)}\` first.`
  );
}

function runWorker(worker: Worker): Promise<void> {
  const done = worker.run();
  // Observed here so a crash is reported by whoever awaits `workerDone`, not as an unhandled rejection.
  done.catch(() => undefined);
  return done;
}

function describeSeed(summary: SampleDataSummary): string {
  const types = Object.entries(summary.byType)
    .filter(([, count]) => count > 0)
    .map(([type, count]) => `${count} ${type}`)
    .join(', ');
  return `${types}; ${summary.withTtl} with a TTL; dbs ${Object.keys(summary.byDb).join(', ')}`;
}
