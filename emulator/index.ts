/**
 * The local DCS emulator: the DCS v2 data-migration HTTP API (AK/SK and IAM token auth, Huawei-shaped errors, the
 * task status machine, fault injection) in front of a data plane that moves keys for real between redis-servers.
 * See emulator/README.md.
 *
 * @example
 * const emu = await startEmulator({ instances: [{ id: 'target', password: 'secret' }], timings: { creatingMs: 100 } });
 * try {
 *   // point the DCS client at emu.url with emu.credentials …
 * } finally {
 *   await emu.stop();
 * }
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import getPort from 'get-port';
import { generateCredentials } from './account.js';
import type { EmulatorContext, EmulatorCredentials, EmulatorIamUser, EmulatorTimings } from './context.js';
import { createDataPlane, type DataPlaneSettings } from './data-plane/index.js';
import { isRecordedRun } from './data-plane/timeline.js';
import { FaultRules, type FaultRule, type FaultRuleInput } from './faults/fault-rules.js';
import { seededRandom } from '../common/seeded-random.js';
import { mountAdminRoutes } from './http/admin-routes.js';
import { createBaseApp, mountDcsOperations } from './http/app.js';
import { mountIamRoutes } from './http/iam-routes.js';
import { RequestLog, type RequestLogEntry } from './http/request-log.js';
import { TokenStore } from './http/token-store.js';
import { EndpointOutage, type OutageMode } from './http/endpoint-outage.js';
import { TenantRateLimit } from './http/tenant-rate-limit.js';
import type { RateLimit } from '../common/rate-limit.js';
import type { Server } from 'node:http';
import {
  InstanceRegistry,
  type EmulatedInstance,
  type InstanceAttributes,
  type RegisteredRedis,
} from './instances/instance-registry.js';
import type { InstanceTopology } from './instances/topology.js';
import { DCS_OPERATION_HANDLERS } from './operations/index.js';
import { stopRunQuietly } from './operations/task-runs.js';
import { TaskStatus, type IncrementalStatusSpelling } from '../common/dcs-status.js';
import { runPhaseStatus, taskStatus } from './tasks/task.js';
import { TaskStore } from './tasks/task-store.js';
import { openState, restoreState, startPersistence } from './state/persistence.js';
import type { Persistence, RestoredState } from './state/persistence.js';
import { formatTime } from './tasks/task-views.js';

export { emulatorCredentials, generateCredentials, InvalidEmulatorAccountError } from './account.js';
export type { EmulatorCredentials, EmulatorIamUser, EmulatorTimings } from './context.js';
export type { FaultRule, FaultRuleInput } from './faults/fault-rules.js';
export type { RequestLogEntry } from './http/request-log.js';
export type { RestoredState } from './state/persistence.js';
export type { EmulatedOperation } from './emulated-operations.js';
export type { OutageMode } from './http/endpoint-outage.js';
export {
  CACHE_MODES,
  isValidInstanceId,
  type CacheMode,
  type EmulatedInstance,
  type InstanceAttributes,
  type InstanceNodes,
} from './instances/instance-registry.js';
export {
  DEFAULT_TOPOLOGY,
  formatTopology,
  InstanceSpecError,
  parseInstanceSpec,
  parseTopology,
  type InstanceSpec,
  type InstanceTopology,
} from './instances/topology.js';

export interface EmulatorOptions {
  /** TCP port; a free one when omitted. */
  port?: number;
  /**
   * Address to listen on (default `127.0.0.1`). `0.0.0.0` exposes the emulator, admin API included, to the network:
   * only for a container whose port is published to a trusted host.
   */
  host?: string;
  /**
   * Holds instance dirs and `buckets/<bucket>/<file>` (the OBS stand-in); a temp dir, removed on stop, when omitted.
   * A data dir given keeps the emulator's state (`state.json`, the instances' AOFs): started again on it, the
   * emulator has its tasks, instances and addresses back (emulator/state, README "Restarts").
   */
  dataDir?: string;
  /** AK/SK and project id; generated when omitted. */
  credentials?: EmulatorCredentials;
  /** The IAM user `POST /v3/auth/tokens` accepts; generated when omitted. */
  iamUser?: EmulatorIamUser;
  /**
   * DCS instances to start as real redis-servers: each a single node unless `topology` says master/standby (`ha`,
   * standbys following the master) or Redis Cluster; optionally with what ShowInstance reports about it.
   */
  instances?: Array<{
    id: string;
    password?: string | undefined;
    topology?: InstanceTopology | undefined;
    attributes?: Partial<InstanceAttributes>;
  }>;
  /**
   * Self-hosted addresses (`addrs`, e.g. `redis-source:6379`) that reach a DCS instance, as a compose network resolves
   * a service name: `{ 'redis-source:6379': 'dcs-source' }`. Lets one migration file name the same Redis in the local
   * stack and in docker-compose. Resolved when a task is created.
   */
  addressAliases?: Record<string, string>;
  /** Status machine delays; small values in tests. Defaults: creating 2000, terminating 1000, exchanging = terminating, jitter 0. */
  timings?: Partial<EmulatorTimings>;
  /** Seed of probabilistic faults and timing jitter (default 1). */
  seed?: number;
  /** Lifetime of issued IAM tokens (default 24 h, as IAM). */
  tokenTtlMs?: number;
  /** Settings of the data plane (e.g. a shorter reconnect policy in tests). */
  dataPlane?: DataPlaneSettings;
  /** Requests `emu.requests()` keeps, the oldest dropped first (default 10,000); benchmarks counting calls raise it. */
  requestLogCapacity?: number;
  /**
   * How task reads spell the incremental steady state: the live API's spelling (default), or the corrected
   * spelling newer documentation prints, to check that a client treats both alike.
   */
  incrementalSpelling?: IncrementalStatusSpelling;
  /** Called with unexpected errors (answered as DCS.5000); default prints one line to stderr. */
  onInternalError?: (error: unknown) => void;
  /** A per-tenant API rate limit, as Huawei's gateway applies (429 `APIGW.0308` beyond it); none by default. */
  rateLimit?: RateLimit;
}

/** A task as `emu.tasks()` shows it (introspection, no secrets). */
export interface EmulatorTaskSummary {
  id: string;
  name: string;
  status: string;
  type: string;
  method: string;
  jobId?: string | undefined;
  createdAt: string;
  updatedAt: string;
  errorMessage?: string | undefined;
}

export interface EmulatorFaults {
  /** Adds a rule (evaluated in the order added); returns its id. Throws naming the bad field. */
  add(rule: FaultRuleInput): string;
  remove(id: string): boolean;
  clear(): void;
  list(): FaultRule[];
}

export interface Emulator {
  /** The DCS endpoint, e.g. `http://127.0.0.1:PORT` (loopback also when listening on 0.0.0.0); DCS paths are under `/v2/{project_id}/…`, IAM at `/v3/auth/tokens`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly credentials: EmulatorCredentials;
  readonly iamUser: EmulatorIamUser;
  /**
   * A DCS instance: `endpoint` is its own redis-server (its data), `service` the address clients use, which an IP
   * exchange swaps with the other instance's. Throws when unknown.
   */
  instance(id: string): EmulatedInstance;
  instances(): EmulatedInstance[];
  /** Starts another DCS instance (a single node unless `topology` says otherwise). */
  addInstance(options: { id: string; password?: string; topology?: InstanceTopology }): Promise<EmulatedInstance>;
  /** Registers a Redis that already runs as a DCS instance (the emulator does not stop it). */
  /** Registers a Redis someone else runs (its ACL user and TLS options too) as a DCS instance. */
  registerInstance(options: RegisteredRedis): EmulatedInstance;
  /**
   * Sets what ShowInstance reports about an instance (status, engine version, capacity, cache mode, SSL, public
   * access); the attributes not given stay. Back to the start options' attributes on `reset()`. Throws for an unknown id.
   */
  setInstanceAttributes(id: string, attributes: Partial<InstanceAttributes>): InstanceAttributes;
  readonly faults: EmulatorFaults;
  /** Sets the per-tenant rate limit from now on (undefined: none); see `EmulatorOptions.rateLimit`. */
  setRateLimit(rate: RateLimit | undefined): void;
  /**
   * The DCS endpoint down and up again (`emulator/http/endpoint-outage.ts`): `refuse` closes the listener
   * (ECONNREFUSED), `reset` resets each connection on accept and counts the attempts.
   */
  readonly endpoint: {
    down(mode: OutageMode): Promise<void>;
    up(): Promise<void>;
    /** Connections reset while down in `reset` mode (epoch ms each). */
    resetConnections(): number[];
  };
  /** Switches how task reads spell the incremental steady state from now on (see `incrementalSpelling`). */
  setIncrementalSpelling(spelling: IncrementalStatusSpelling): void;
  tasks(): EmulatorTaskSummary[];
  /** When a task's run changed status (data plane `timeline` only, else empty): for measuring notice lag. */
  statusChanges(taskId: string): Array<{ status: string; at: number }>;
  requests(): RequestLogEntry[];
  /** Stops every run and forgets tasks, jobs, faults, tokens and the request log; instances (and their data) stay. */
  reset(): Promise<void>;
  /** Stops the server, every run and every redis-server the emulator started. */
  stop(): Promise<void>;
  /** What the data dir held when the emulator started (a restart); undefined for a fresh start. */
  readonly restored?: RestoredState | undefined;
}

const DEFAULT_TIMINGS: EmulatorTimings = { creatingMs: 2000, terminatingMs: 1000, exchangingMs: 1000, pollJitterMs: 0 };

/** Starts an emulator; stop it with `emu.stop()`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const printError = (error: unknown) => console.error(`dcs emulator: internal error: ${errorText(error)}`);
  const onInternalError = options.onInternalError ?? printError;
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'dcs-emulator-')));
  await mkdir(path.join(dataDir, 'buckets'), { recursive: true });
  // A temp data dir dies with the emulator: nothing to keep.
  const state = ownsDataDir ? undefined : await openState(dataDir);
  const terminatingMs = options.timings?.terminatingMs ?? DEFAULT_TIMINGS.terminatingMs;
  const timings: EmulatorTimings = { ...DEFAULT_TIMINGS, exchangingMs: terminatingMs, ...options.timings };
  const seed = options.seed ?? 1;
  const jitterRandom = seededRandom(seed ^ 0x5bd1e995);
  const instances = new InstanceRegistry(dataDir, state !== undefined);
  const ctx: EmulatorContext = {
    credentials: options.credentials ?? generateCredentials(),
    iamUser: options.iamUser ?? { name: 'emulator-user', password: randomBytes(18).toString('base64url') },
    dataDir,
    timings,
    store: new TaskStore(),
    instances,
    faults: new FaultRules(seed),
    tokens: new TokenStore(options.tokenTtlMs ?? 24 * 3600_000),
    requestLog: new RequestLog(options.requestLogCapacity),
    rateLimit: new TenantRateLimit(options.rateLimit),
    dataPlane: createDataPlane(options.dataPlane),
    addressAliases: new Map(Object.entries(options.addressAliases ?? {})),
    incrementalSpelling: options.incrementalSpelling ?? TaskStatus.Incremental,
    jitter: () => Math.floor(jitterRandom() * (timings.pollJitterMs + 1)),
    now: () => Date.now(),
  };

  let server: ServerType | undefined;
  let persistence: Persistence | undefined;
  try {
    const restored = state?.saved ? await restoreState(ctx, state.saved) : undefined;
    for (const { attributes, ...instance } of options.instances ?? []) {
      // After a restart the data dir may hold the instance already: kept when it is the same one.
      await (state ? instances.ensure(instance) : instances.add(instance));
      if (attributes) instances.setAttributes(instance.id, attributes, { baseline: true });
    }
    if (state) {
      persistence = startPersistence(ctx, state.file, state.release);
      ctx.persist = persistence.save;
      await persistence.save();
    }
    const saved = persistence;
    /** After a change made outside a request (the in-process API): saved now; a failure is an internal error. */
    const saveSoon = (): void => void saved?.save().catch((error: unknown) => onInternalError(error));
    const app = createBaseApp(ctx, onInternalError);
    const stopAllRuns = async (): Promise<void> => {
      await Promise.all(ctx.store.clear().map((task) => stopRunQuietly(task)));
    };
    const reset = async (): Promise<void> => {
      await stopAllRuns();
      ctx.faults.clear();
      ctx.tokens.clear();
      ctx.requestLog.clear();
      ctx.instances.restoreAddresses();
      ctx.instances.resetAttributes();
    };
    const tasks = (): EmulatorTaskSummary[] => {
      const now = ctx.now();
      return ctx.store.all().map((task) => ({
        id: task.id,
        name: task.name,
        status: taskStatus(task, now),
        type: task.migrationType,
        method: task.migrationMethod ?? '',
        jobId: task.jobId,
        createdAt: formatTime(task.createdAt),
        updatedAt: formatTime(task.updatedAt),
        errorMessage: task.run?.error() ?? task.failure,
      }));
    };
    mountAdminRoutes(app, ctx, {
      reset,
      tasks,
      addInstance: (instance) => instances.add(instance),
      registerInstance: (instance) => instances.register(instance),
    });
    mountIamRoutes(app, ctx);
    mountDcsOperations(app, ctx, DCS_OPERATION_HANDLERS);

    const host = options.host ?? '127.0.0.1';
    const listening = await listen(app.fetch, host, options.port);
    server = listening.server;
    const port = listening.port;
    const runningServer = server;
    const outage = new EndpointOutage(server as Server, host, port);
    let stopped = false;
    return {
      url: `http://${urlHost(host)}:${port}`,
      port,
      dataDir,
      credentials: ctx.credentials,
      iamUser: ctx.iamUser,
      restored,
      instance: (id) => {
        const instance = instances.get(id);
        if (!instance) throw new Error(`the emulator has no DCS instance "${id}"`);
        return instance;
      },
      instances: () => instances.list(),
      addInstance: async (instance) => {
        const added = await instances.add(instance);
        await saved?.save();
        return added;
      },
      registerInstance: (instance) => {
        const registered = instances.register(instance);
        saveSoon();
        return registered;
      },
      setInstanceAttributes: (id, attributes) => {
        const set = instances.setAttributes(id, attributes);
        saveSoon();
        return set;
      },
      faults: {
        add: (rule) => ctx.faults.add(rule),
        remove: (id) => ctx.faults.remove(id),
        clear: () => ctx.faults.clear(),
        list: () => ctx.faults.list(),
      },
      setRateLimit: (rate) => ctx.rateLimit?.set(rate),
      endpoint: { down: (mode) => outage.down(mode), up: () => outage.up(), resetConnections: () => outage.attempts() },
      setIncrementalSpelling: (spelling) => {
        ctx.incrementalSpelling = spelling;
      },
      tasks,
      statusChanges: (taskId) => {
        const task = ctx.store.get(taskId);
        if (!task?.run || !isRecordedRun(task.run)) return [];
        return task.run
          .phaseChanges()
          .map((change) => ({ status: runPhaseStatus(task.kind, change.phase), at: change.at }));
      },
      requests: () => ctx.requestLog.list(),
      reset: async () => {
        await reset();
        await saved?.save();
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await closeServer(runningServer);
        // Saved before the runs and servers are stopped: a restart resumes them (see Persistence.close).
        await saved?.close();
        await stopAllRuns();
        await instances.stopAll();
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (server) await closeServer(server);
    // The state as it was read stays (nothing half-restored is saved over it): fix the cause and start again.
    if (persistence) await persistence.close().catch(() => undefined);
    else await state?.release();
    await Promise.all(ctx.store.clear().map((task) => stopRunQuietly(task)));
    await instances.stopAll();
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type FetchHandler = Parameters<typeof serve>[0]['fetch'];

/** The host part of the emulator's URL: a wildcard address is reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Listens on `host`; with no port given, retries another free port if one is taken between pick and bind. */
async function listen(
  fetch: FetchHandler,
  host: string,
  port: number | undefined,
): Promise<{ server: ServerType; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidate = port ?? (await getPort({ host }));
    try {
      const server = await new Promise<ServerType>((resolve, reject) => {
        const created = serve({ fetch, port: candidate, hostname: host }, () => resolve(created));
        created.once('error', reject);
      });
      return { server, port: candidate };
    } catch (error) {
      lastError = error;
      if (port !== undefined) break;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('could not listen');
}

async function closeServer(server: ServerType): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
