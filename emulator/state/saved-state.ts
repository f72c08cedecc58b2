/**
 * The shape of the emulator's state file (`<dataDir>/state.json`), checked when it is read back so that a damaged
 * or hand-edited file is refused naming the field, rather than half-restored. Version 1.
 */
import { z } from 'zod';
import { MigrationMethod, MigrationType, ResumeMode } from '../../dcs/schemas/enums.js';
import { IpSwitchStatus } from '../../common/dcs-status.js';
import { CACHE_MODES } from '../instances/cache-modes.js';

export const STATE_VERSION = 1;

const port = z.number().int().min(1).max(65535);
const time = z.number().int().nonnegative();
const count = z.number().int().min(0);
const address = z.object({ host: z.string().min(1), port });

const text = z.string().optional();
const tls = z.object({ ca: text, servername: text, insecure: z.boolean().optional() });

const endpoint = z.object({
  host: z.string().min(1),
  port,
  username: z.string().optional(),
  // Kept so that a restarted emulator can start and reach its servers (see state-file.ts for why in plain text).
  password: z.string().optional(),
  tls: tls.optional(),
  seeds: z.array(address).optional(),
});

const topology = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('single') }),
  z.object({ mode: z.literal('ha'), standbys: z.number().int().min(1) }),
  z.object({ mode: z.literal('cluster'), masters: count.min(1), replicasPerMaster: count }),
]);

const server = z.object({ port, pid: z.number().int().positive() });

const attributes = z.object({
  status: z.string(),
  engineVersion: z.string().optional(),
  capacityGb: z.number(),
  maxMemoryMb: z.number().optional(),
  cacheMode: z.enum(CACHE_MODES),
  enableSsl: z.boolean(),
  enablePublicIp: z.boolean(),
});

const instance = z.object({
  id: z.string().min(1),
  started: z
    .object({
      topology,
      layout: z.object({ shards: z.array(z.object({ master: server, replicas: z.array(server) })).min(1) }),
      password: z.string().optional(),
    })
    .optional(),
  registered: endpoint.omit({ seeds: true }).optional(),
  attributes: attributes.optional(),
  baseline: attributes.optional(),
});

const side = z.object({ instanceId: z.string().optional(), addrs: z.string(), service: address.optional(), endpoint });

const phase = z.enum(['full-sync', 'incremental', 'succeeded', 'failed', 'stopping', 'stopped']);

/** A data-plane run as saved: its phase, and for a finished run what it ended with (stats, error). */
export const savedRun = z.object({
  phase,
  error: z.string().optional(),
  failedOnConnection: z.boolean(),
  /** An active run had finished its full sync (an incremental one was following its source): it resumes synced. */
  synced: z.boolean().optional(),
  stats: z
    .object({
      fullMigrationProgress: z.number(),
      sourceDbSize: z.number(),
      targetDbSize: z.number(),
      keysCopied: z.number(),
      shards: z.array(z.object({ shard: z.string(), keysCopied: z.number() })).optional(),
    })
    .optional(),
});

const backupFile = z.object({ file_name: z.string(), size: z.string().optional(), update_at: z.string().optional() });
const level = z.enum(['INFO', 'ERROR']);
const logLine = z.object({ at: time, level, code: z.string(), message: z.string(), keywords: z.array(z.string()) });

// Every field of MigrationTask has its place here (task-state.ts fails to compile while one has none).
const task = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string(),
  kind: z.enum(['online', 'legacy_online', 'backup_import']),
  migrationType: MigrationType,
  migrationMethod: MigrationMethod.optional(),
  networkType: z.string().optional(),
  createdAt: time,
  updatedAt: time,
  readyAt: time,
  jobId: z.string().optional(),
  job: z.object({ id: z.string(), taskId: z.string(), beginAt: time, endAt: time }).optional(),
  network: z.object({ vpcId: z.string(), subnetId: z.string(), securityGroupId: z.string() }).optional(),
  resumeMode: ResumeMode,
  bandwidthLimitMb: z.number().optional(),
  source: side.optional(),
  target: side.optional(),
  backupFiles: z
    .object({
      fileSource: z.string(),
      bucketName: z.string().optional(),
      backupId: z.string().optional(),
      files: z.array(backupFile),
    })
    .optional(),
  run: savedRun.optional(),
  stop: z.object({ requestedAt: time, notBefore: time }).optional(),
  failure: z.string().optional(),
  ipSwitch: z
    .object({
      settlesAt: time,
      settled: z.enum([IpSwitchStatus.ExchangeSuccess, IpSwitchStatus.RollbackSuccess]),
      pending: z.boolean().optional(),
      swapped: z.boolean().optional(),
      domains: z.boolean().optional(),
    })
    .optional(),
  terminatingMs: z.number().int().nonnegative(),
  logs: z.array(logLine),
});

export const savedState = z.object({
  version: z.literal(STATE_VERSION),
  instances: z.array(instance),
  addresses: z.object({
    addresses: z.array(z.object({ id: z.string(), host: z.string(), port })),
    holders: z.record(z.string(), z.string()),
    domainHolders: z.record(z.string(), z.string()),
  }),
  /** In creation order (the order List returns them). */
  tasks: z.array(task),
});

export type SavedState = z.infer<typeof savedState>;
export type SavedTask = z.infer<typeof task>;
export type SavedRun = z.infer<typeof savedRun>;
