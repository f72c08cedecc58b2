/** The CLI's and worker's pure rules: UI links, the list query, worker settings, log redaction, durations. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import * as cancel from '../client/commands/cancel.js';
import * as cutover from '../client/commands/cutover.js';
import * as logs from '../client/commands/logs.js';
import { logTableLines } from '../client/commands/logs-run.js';
import * as restart from '../client/commands/restart.js';
import * as list from '../client/commands/list.js';
import { listQuery } from '../client/commands/list-query.js';
import * as start from '../client/commands/start.js';
import * as status from '../client/commands/status.js';
import * as up from '../client/commands/up.js';
import * as watch from '../client/commands/watch.js';
import * as worker from '../client/commands/worker.js';
import { ServiceError } from '@temporalio/client';
import { CliError, EXIT, exitCodeFor } from '../client/exit-codes.js';
import { resultAsRead, statusAsRead, type MigrationView } from '../client/migration-view.js';
import { formatDuration } from '../client/output.js';
import { statusLines, summaryLines } from '../client/render-migration.js';
import type { MigrationResult, MigrationStatus } from '../common/workflow-contract.js';
import { resolveTemporalConfig } from '../client/temporal-config.js';
import { migrationUiUrl, temporalUiBase } from '../client/ui-link.js';
import { createJsonLogger, redactSecrets } from '../worker/logger.js';
import { InvalidWorkerSettingsError } from '../worker/worker-errors.js';
import { resolveWorkerSettings } from '../worker/worker-options.js';
import { InvalidStackOptionsError, resolveStackOptions } from '../stack/stack-options.js';

describe('Temporal UI links', () => {
  it('use DCS_MIGRATE_UI_URL when set, else the dev server layout (gRPC port + 1000) or Temporal Cloud', () => {
    expect(temporalUiBase('localhost:7233', {})).toBe('http://localhost:8233');
    expect(temporalUiBase('127.0.0.1:40000', {})).toBe('http://127.0.0.1:41000');
    expect(temporalUiBase('ns.acct.tmprl.cloud:7233', {})).toBe('https://cloud.temporal.io');
    expect(temporalUiBase('temporal.internal:7233', {})).toBeUndefined();
    expect(temporalUiBase('temporal:7233', { DCS_MIGRATE_UI_URL: 'http://localhost:8080/' })).toBe(
      'http://localhost:8080',
    );
  });

  it('encode the namespace and workflow id', () => {
    const previous = process.env.DCS_MIGRATE_UI_URL;
    process.env.DCS_MIGRATE_UI_URL = 'http://ui';
    try {
      expect(migrationUiUrl({ address: 'x:1', namespace: 'prod ns' }, 'id/with space', 'run-1')).toBe(
        'http://ui/namespaces/prod%20ns/workflows/id%2Fwith%20space/run-1/history',
      );
    } finally {
      if (previous === undefined) delete process.env.DCS_MIGRATE_UI_URL;
      else process.env.DCS_MIGRATE_UI_URL = previous;
    }
  });
});

describe('Temporal connection settings', () => {
  it('take TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE from the environment and let flags win', () => {
    const env = {
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'migrations',
      TEMPORAL_CONFIG_FILE: '/nonexistent.toml',
    };
    expect(resolveTemporalConfig({}, env)).toMatchObject({ address: 'temporal:7233', namespace: 'migrations' });
    expect(resolveTemporalConfig({ address: 'other:1', namespace: 'n2' }, env)).toMatchObject({
      address: 'other:1',
      namespace: 'n2',
    });
    expect(resolveTemporalConfig({}, { TEMPORAL_CONFIG_FILE: '/nonexistent.toml' })).toMatchObject({
      address: 'localhost:7233',
      namespace: 'default',
    });
  });
});

describe('list query', () => {
  it('filters on the workflow type and the search attributes, and refuses unknown values naming the flag', () => {
    expect(listQuery({})).toBe('WorkflowType = "dcsMigration"');
    expect(listQuery({ status: 'Running', phase: 'incremental-hold', remoteStatus: 'INCRMIGEATING' })).toBe(
      'WorkflowType = "dcsMigration" AND ExecutionStatus = "Running" AND DcsPhase = "incremental-hold" AND DcsRemoteStatus = "INCRMIGEATING"',
    );
    expect(() => listQuery({ phase: 'sleeping' })).toThrow(/--phase: expected one of/);
    expect(() => listQuery({ remoteStatus: 'x" OR 1=1' })).toThrow(CliError);
    expect(listQuery({ plan: 'fleet-1', status: 'running' })).toBe(
      'WorkflowType = "dcsMigration" AND ExecutionStatus = "Running" AND DcsPlan = "fleet-1"',
    );
    expect(() => listQuery({ plan: '' })).toThrow(
      '--plan: expected a plan id (1–100 letters, digits, "_", ":" or "-"); got nothing',
    );
    expect(() => listQuery({ plan: '  ' })).toThrow(/--plan: .* got nothing/);
    expect(() => listQuery({ plan: 'x" OR DcsPlan != "' })).toThrow(/--plan: expected a plan id/);
  });
});

describe('worker settings', () => {
  it('come from flags, then the environment, then defaults', () => {
    expect(resolveWorkerSettings({}, {})).toMatchObject({
      taskQueue: 'dcs-migrate',
      metricsPort: undefined,
      shutdownGraceMs: 30_000,
      logLevel: 'info',
    });
    const env = { DCS_MIGRATE_TASK_QUEUE: 'q-env', DCS_MIGRATE_METRICS_PORT: '9464', DCS_MIGRATE_LOG_LEVEL: 'warn' };
    expect(resolveWorkerSettings({}, env)).toMatchObject({ taskQueue: 'q-env', metricsPort: 9464, logLevel: 'warn' });
    expect(
      resolveWorkerSettings({ taskQueue: 'q-flag', shutdownGrace: '2m', maxCachedWorkflows: '50' }, env),
    ).toMatchObject({
      taskQueue: 'q-flag',
      shutdownGraceMs: 120_000,
      maxCachedWorkflows: 50,
    });
  });

  it('are refused naming the flag', () => {
    expect(() => resolveWorkerSettings({ metricsPort: '70000' }, {})).toThrow(/--metrics-port: must be at most 65535/);
    expect(() => resolveWorkerSettings({ shutdownGrace: 'soon' }, {})).toThrow(/--shutdown-grace/);
    expect(() => resolveWorkerSettings({ logLevel: 'loud' }, {})).toThrow(InvalidWorkerSettingsError);
    expect(resolveWorkerSettings({}, {})).toMatchObject({ watchIntervalMs: 5_000, watchMaxIntervalMs: 60_000 });
    expect(resolveWorkerSettings({}, { DCS_MIGRATE_WATCH_MAX_INTERVAL: '5000' })).toMatchObject({
      watchMaxIntervalMs: 5_000,
    });
    expect(() => resolveWorkerSettings({ watchInterval: '10s', watchMaxInterval: '5s' }, {})).toThrow(
      /--watch-max-interval .*not be shorter than --watch-interval/,
    );
    expect(() => resolveWorkerSettings({ watchMaxInterval: 'later' }, {})).toThrow(/--watch-max-interval/);
  });
});

describe('up settings', () => {
  it('read DCS_MIGRATE_EXIT and refuse bad numbers naming the flag', () => {
    expect(resolveStackOptions({}, { DCS_MIGRATE_EXIT: '1' })).toMatchObject({
      exit: true,
      keys: 100_000,
      trafficSeconds: 5,
    });
    expect(resolveStackOptions({}, {})).toMatchObject({ exit: false });
    expect(() => resolveStackOptions({ keys: 'many' }, {})).toThrow(InvalidStackOptionsError);
    expect(() => resolveStackOptions({ uiPort: '0' }, {})).toThrow(/--ui-port: must be at least 1/);
  });
});

describe('worker logs', () => {
  it('are JSON lines with every secret-looking attribute redacted, however deep', () => {
    let written = '';
    const logger = createJsonLogger(
      'info',
      new Writable({ write: (chunk: Buffer, _encoding, done) => ((written += chunk.toString()), done()) }) as never,
    );
    logger.info('calling DCS', {
      request: {
        headers: { Authorization: 'SDK-HMAC-SHA256 Signature=abc' },
        body: { source_instance: { password: 'hunter2' } },
      },
      sk: 'SECRETKEY',
      taskId: 't-1',
    });
    const line = JSON.parse(written.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'calling DCS', taskId: 't-1', sk: '[redacted]', level: 30 });
    expect(written).not.toMatch(/hunter2|SECRETKEY|Signature=abc/);
    expect(redactSecrets([{ apiKey: 'k' }])).toEqual([{ apiKey: '[redacted]' }]);
  });
});

describe('exit codes', () => {
  it('are the CliError’s own, 5 when Temporal became unreachable mid-command, else 1', () => {
    expect(exitCodeFor(new CliError('bad', EXIT.USAGE))).toBe(2);
    const unavailable = Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });
    expect(exitCodeFor(new ServiceError('Failed to query workflow', { cause: unavailable }))).toBe(5);
    expect(
      exitCodeFor(
        new ServiceError('Failed to query workflow', {
          cause: Object.assign(new Error('3 INVALID_ARGUMENT'), { code: 3 }),
        }),
      ),
    ).toBe(1);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
  });
});

describe('--help', () => {
  it('documents every command and its exit codes', () => {
    // The same registration the binary uses (client/cli.ts); the binary itself is exercised in cli-commands.
    const modules = { up, start, watch, status, cutover, restart, logs, cancel, list, worker };
    const program = new Command('dcs-migrate');
    for (const [name, module] of Object.entries(modules)) {
      module.register(program);
      let help = '';
      program.commands
        .find((c) => c.name() === name)
        ?.configureOutput({ writeOut: (text) => (help += text) })
        .outputHelp();
      expect(help, name).toContain(`Usage: dcs-migrate ${name}`);
      expect(help, name).toMatch(/Exit code/);
    }
  });
});

describe('logs table', () => {
  it('lists time, level, code and message oldest first, scrubs what looks like a secret, and says when it shows only the end', () => {
    const entries = [
      {
        at: '2026-12-01T10:00:00.000Z',
        level: 'INFO',
        code: 'migration.full.start',
        message: 'Full migration started.',
      },
      {
        at: '2026-12-01T10:00:02.000Z',
        level: 'ERROR',
        code: 'migration.connection.lost',
        message: 'Migration failed, connection lost: password=hunter2.',
      },
    ];
    const lines = logTableLines('t-1', { entries, total: 7 });
    expect(lines[0]?.split('\n')).toEqual([
      'time                      level  code                       message',
      '2026-12-01T10:00:00.000Z  INFO   migration.full.start       Full migration started.',
      '2026-12-01T10:00:02.000Z  ERROR  migration.connection.lost  Migration failed, connection lost: password=[REDACTED]',
    ]);
    expect(lines[1]).toBe('(last 2 of 7 entries)');
    expect(logTableLines('t-1', { entries: [], total: 0 }, 'ERROR')).toEqual([
      'task t-1: no log entries at level ERROR',
    ]);
  });
});

describe('durations', () => {
  it('read like a person writes them', () => {
    expect(formatDuration(3_400)).toBe('3.4s');
    expect(formatDuration(123_000)).toBe('2m03s');
    expect(formatDuration(3_723_000)).toBe('1h02m03s');
  });
});

describe('results and status answers from before the unified report', () => {
  const report = {
    taskId: 'task-1',
    taskName: 'dcsm-old',
    progress: undefined,
    timings: { startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:10:00.000Z' },
    apiCalls: { findTaskByName: 3 },
    activityAttempts: 4,
    polls: 3,
    continuedAsNew: 0,
  };
  const view = (fields: Partial<MigrationView>): MigrationView => ({
    workflowId: 'wf-old',
    runId: 'run-1',
    execution: 'COMPLETED',
    startTime: '2026-01-01T00:00:00.000Z',
    closeTime: '2026-01-01T00:10:00.000Z',
    phase: 'cut-over',
    remoteStatus: 'TERMINATED',
    taskId: 'task-1',
    migrationType: 'online:incremental',
    status: undefined,
    result: undefined,
    failure: undefined,
    ...fields,
  });

  it('reads an old result (finalStatus, holdEndedBy) under the current names', () => {
    const old = {
      ...report,
      outcome: 'cut-over',
      holdEndedBy: 'deadline',
      finalStatus: 'TERMINATED',
    } as unknown as MigrationResult;
    const result = resultAsRead(old);
    expect(result).toMatchObject({ remoteStatus: 'TERMINATED', cutover: { by: 'deadline' } });
    expect(result).not.toHaveProperty('finalStatus');
    expect(result).not.toHaveProperty('holdEndedBy');
    expect(summaryLines(view({ result }), undefined)).toEqual(
      expect.arrayContaining([
        '✔ migration wf-old cut over (hold ended by deadline)',
        '  task dcsm-old (task-1), final remote status TERMINATED',
      ]),
    );
  });

  it('leaves a current result as it is', () => {
    const current: MigrationResult = {
      ...report,
      outcome: 'cut-over',
      remoteStatus: 'TERMINATED',
      cutover: { by: 'operator', requestedAt: '2026-01-01T00:05:00.000Z' },
    };
    expect(resultAsRead(current)).toEqual(current);
    const full: MigrationResult = { ...report, outcome: 'succeeded', remoteStatus: 'SUCCESS' };
    expect(resultAsRead(full)).toEqual(full);
  });

  it("reads an old worker's status answer (cutoverRequested) as a cutover", () => {
    const base = {
      ...report,
      kind: 'online',
      phase: 'stopping',
      remoteStatus: 'TERMINATING',
      lastError: undefined,
      cancel: undefined,
    } as const;
    const old = { ...base, cutoverRequested: true } as unknown as MigrationStatus;
    const status = statusAsRead(old);
    expect(status).toMatchObject({ cutover: {} });
    expect(status).not.toHaveProperty('cutoverRequested');
    expect(statusLines(view({ execution: 'RUNNING', closeTime: undefined, status }), undefined)).toContain(
      'cutover     requested',
    );
    expect(statusAsRead({ ...base, cutoverRequested: false } as unknown as MigrationStatus)).not.toHaveProperty(
      'cutover',
    );
    const current: MigrationStatus = {
      ...base,
      cutover: { by: 'operator', requestedAt: '2026-01-01T00:05:00.000Z', note: 'go' },
    };
    expect(
      statusLines(view({ execution: 'RUNNING', closeTime: undefined, status: statusAsRead(current) }), undefined),
    ).toContain('cutover     requested by operator at 2026-01-01T00:05:00.000Z: go');
  });

  it('shows the restarts of the remote task and a pending restart', () => {
    const restarted: MigrationStatus = {
      ...report,
      kind: 'online',
      phase: 'migrating',
      remoteStatus: 'FAILED',
      lastError: undefined,
      cancel: undefined,
      restarts: {
        count: 2,
        byPolicy: 1,
        last: { at: '2026-01-01T00:04:00.000Z', by: 'operator', reason: 'the connection to the source was lost' },
      },
      restartPending: {
        until: '2026-01-01T00:06:00.000Z',
        by: 'policy',
        reason: 'the connection to the source was lost',
      },
    };
    expect(statusLines(view({ execution: 'RUNNING', closeTime: undefined, status: restarted }), undefined)).toEqual(
      expect.arrayContaining([
        'restarts    2, last 2026-01-01T00:04:00.000Z by operator: the connection to the source was lost',
        'restart     due 2026-01-01T00:06:00.000Z: the connection to the source was lost',
      ]),
    );
  });
});
