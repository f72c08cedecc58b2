/**
 * The contract between the emulator's control plane (HTTP API, task store, status machine) and its data plane
 * (the engine that moves keys between real redis-servers). The control plane derives a task's DCS status from
 * `run.phase()` on every request, so the data plane never needs to know about DCS statuses or HTTP.
 */

import type { HostPort } from '../../redis/address.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';

/**
 * A side of a migration: a Redis endpoint (redis/endpoint.ts: a standalone server or any node of a Redis Cluster,
 * whose masters the data plane finds itself), and what DCS adds to it.
 */
export interface MigrationEndpoint extends RedisEndpoint {
  /**
   * Other nodes of the same Redis Cluster, for a self-hosted cluster given as several addresses (DCS's `addrs`, its
   * masters comma-separated): where the run looks for the cluster when `host:port` does not answer. Several
   * addresses of anything but one cluster fail the run.
   */
  seeds?: HostPort[] | undefined;
}

/**
 * What a run copies: once (`full`), or once and then the changes until stopped (`incremental`). The API's
 * `migration_method` (`full_amount_migration`, …) is `MigrationMethod` in dcs/schemas; this is the data plane's short form.
 */
export type RunMethod = 'full' | 'incremental';
export type ResumeMode = 'auto' | 'manual';

/**
 * - `full-sync`: copying the keyspace (DCS `FULLMIGRATING` / `MIGRATING`).
 * - `incremental`: full copy done, following changes (DCS status `TaskStatus.Incremental`); incremental runs only.
 * - `succeeded`: a full migration or backup import finished (DCS `SUCCESS`).
 * - `failed`: see `error()` (DCS `FAILED`).
 * - `stopping` / `stopped`: `stop()` was called (DCS `TERMINATING` / `TERMINATED`).
 */
export type RunPhase = 'full-sync' | 'incremental' | 'succeeded' | 'failed' | 'stopping' | 'stopped';

export interface RunStats {
  /** 0–100, keys copied over keys seen by the scan (100 once the full phase is done). */
  fullMigrationProgress: number;
  /** Changes waiting to be applied to the target (0 = in sync). */
  offset: number;
  sourceDbSize: number;
  targetDbSize: number;
  /** Operations per second written to the target, averaged over the last few seconds. */
  targetOps: number;
  /** Kilobytes per second written to the target, averaged over the last few seconds. */
  targetInputKbps: number;
  isMigrating: boolean;
  keysCopied: number;
  /** A cluster source only: keys copied per source master (`host:port`), over the whole run (a failover adds the new master). */
  shards?: ShardStats[];
}

export interface ShardStats {
  /** `host:port` of a master of the source cluster. */
  shard: string;
  keysCopied: number;
}

/** Faults injected into the data plane on purpose (emulator admin API). */
export interface DataPlaneFaults {
  /** Fail the run with this message once full-sync progress reaches `atProgress` percent. */
  failAt?: { atProgress: number; message?: string };
  /** Drop the source connection once full-sync progress reaches this percent (resume_mode decides what follows). */
  dropSourceAtProgress?: number;
}

export interface OnlineMigrationOptions {
  source: MigrationEndpoint;
  target: MigrationEndpoint;
  method: RunMethod;
  resumeMode: ResumeMode;
  /** `bandwidth_limit_mb`: megabytes per second written to the target. Unlimited when omitted. */
  bandwidthLimitMb?: number;
  faults?: DataPlaneFaults;
  /**
   * The copy was already following the source before this run (the emulator restarted with its state): the run
   * starts in `incremental` with progress 100 and resyncs (a full re-copy), as after a lost connection, so the task
   * does not go back to full sync. The keys carried before are not known to it (README). Incremental runs only.
   */
  resumeSynced?: boolean;
}

export interface BackupImportOptions {
  /** Local paths of RDB or AOF files (told apart by magic bytes), loaded in order. */
  files: string[];
  target: RedisEndpoint;
  faults?: DataPlaneFaults;
}

export interface DataPlaneRun {
  phase(): RunPhase;
  /** Why the run failed, in words an operator understands (no secrets). Undefined unless phase is `failed`. */
  error(): string | undefined;
  /**
   * True when the run failed because a connection was lost or refused (and, with resume mode `auto`, reconnecting
   * gave up): what a restart of the task can get past. False for every other failure and while not failed.
   */
  failedOnConnection(): boolean;
  stats(): RunStats;
  /**
   * Stops the run. For an incremental run: applies the changes of everything the source ran before the stop
   * (writes and deletes; keys the source never had stay on the target), then reaches `stopped`. Idempotent;
   * resolves when the phase is `stopped` (or the run had already ended).
   */
  stop(): Promise<void>;
  /** Resolves when the run leaves the active phases for good (succeeded, failed or stopped). */
  readonly ended: Promise<void>;
}

export interface DataPlane {
  startOnlineMigration(options: OnlineMigrationOptions): DataPlaneRun;
  startBackupImport(options: BackupImportOptions): DataPlaneRun;
}
