import type { IncrementalStatusSpelling } from '../common/dcs-status.js';
import type { DataPlane, DataPlaneFaults } from './data-plane/contract.js';
import type { FaultRules, IpSwitchFaults } from './faults/fault-rules.js';
import type { RequestLog } from './http/request-log.js';
import type { TenantRateLimit } from './http/tenant-rate-limit.js';
import type { TokenStore } from './http/token-store.js';
import type { InstanceRegistry } from './instances/instance-registry.js';
import type { TaskStore } from './tasks/task-store.js';

/** AK/SK and project of the emulated account. The SK is a secret: never log it. */
export interface EmulatorCredentials {
  ak: string;
  sk: string;
  projectId: string;
}

/** An IAM user that may get tokens from `POST /v3/auth/tokens`. The password is a secret. */
export interface EmulatorIamUser {
  name: string;
  password: string;
  /** Account (domain) name; any domain is accepted when omitted. */
  domain?: string | undefined;
}

/** Delays of the status machine (milliseconds). */
export interface EmulatorTimings {
  /** CREATING → RUNNING of an online task (and its job RUNNING → SUCCESS). */
  creatingMs: number;
  /** Least time a stopped task shows TERMINATING before TERMINATED. */
  terminatingMs: number;
  /** `task_status` EXCHANGING before EXCHANGE_SUCCESS / ROLLBACK_SUCCESS. */
  exchangingMs: number;
  /** Up to this much seeded random time is added to each delay above, per task. */
  pollJitterMs: number;
}

/** Everything the HTTP layer and the operations share; one per emulator. */
export interface EmulatorContext {
  credentials: EmulatorCredentials;
  iamUser: EmulatorIamUser;
  dataDir: string;
  timings: EmulatorTimings;
  store: TaskStore;
  instances: InstanceRegistry;
  faults: FaultRules;
  tokens: TokenStore;
  requestLog: RequestLog;
  /** The per-tenant API rate limit (`EmulatorOptions.rateLimit`); none when absent. */
  rateLimit?: TenantRateLimit;
  dataPlane: DataPlane;
  /** `host:port` → DCS instance id: self-hosted addresses resolved to an instance (`EmulatorOptions.addressAliases`). */
  addressAliases?: ReadonlyMap<string, string>;
  /** How task reads spell the incremental state (`EmulatorOptions.incrementalSpelling`). */
  incrementalSpelling: IncrementalStatusSpelling;
  /**
   * Saves the state to the data dir if it changed (emulator/state), resolving once it is on disk; called after every
   * request, before it is answered. Undefined when the emulator keeps no state (no data dir given).
   */
  persist?: (() => Promise<void>) | undefined;
  /** Seeded random delay in `[0, pollJitterMs]`. */
  jitter(): number;
  now(): number;
}

/** What an operation gets: its path parameters, query, raw body and the faults meant for a run it starts. */
export interface OperationInput {
  ctx: EmulatorContext;
  params: Record<string, string>;
  query: URLSearchParams;
  rawBody: string;
  dataPlaneFaults?: DataPlaneFaults | undefined;
  /** Faults meant for an IP switch the operation starts. */
  ipSwitchFaults?: IpSwitchFaults | undefined;
}

export interface OperationResult {
  status: 200 | 201 | 204;
  body?: unknown;
  headers?: Record<string, string>;
}

export type OperationHandler = (input: OperationInput) => Promise<OperationResult> | OperationResult;
