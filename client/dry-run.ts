/**
 * `start --dry-run`: what a start would do, doing none of it. It resolves every password reference (from this
 * shell's environment; values never printed), runs the pre-flight checks (DCS reads and read-only Redis probes
 * only), and lists the DCS calls the migration would make, in order. No write reaches DCS and no workflow starts.
 */
import { referencesOf } from '../activities/check-references.js';
import { createSecretResolver } from '../activities/index.js';
import type { MigrationInput, MigrationInputOf } from '../common/migration-input.js';
import { failingChecks, type PrecheckOutcome } from '../common/precheck.js';
import { requestedRollbackMode, ROLLBACK_CHECK_ID } from '../common/reverse-sync.js';
import { deriveTaskName, reverseTaskName } from '../workflows/task-name.js';
import { formatDuration } from './output.js';
import { precheckSummary, precheckTable, runCliPrechecks } from './prechecks.js';

export interface PlannedCall {
  operation: string;
  /** `read` calls may repeat (polling); a `write` changes DCS. */
  kind: 'read' | 'write' | 'worker';
  why: string;
}

type Outcomes = readonly PrecheckOutcome[];

/** A DCS task the migration would create: DCS bills its migration machine while it runs. */
export interface PaidTask {
  taskName: string;
  /** `migration`: the migration's own task; `reverse`: the rollback window's (`cutover.rollback: keep-writes`). */
  role: 'migration' | 'reverse';
  /** How long it runs, in words. */
  runs: string;
}

export interface DryRunReport {
  ok: boolean;
  workflowId: string;
  taskName: string;
  references: Array<{ field: string; reference: string; resolves: boolean; reason?: string }>;
  outcomes: PrecheckOutcome[];
  calls: PlannedCall[];
  paidTasks: PaidTask[];
}

export async function dryRun(
  input: MigrationInput,
  workflowId: string,
  options: { redis: boolean },
): Promise<DryRunReport> {
  const secrets = createSecretResolver();
  const references: DryRunReport['references'] = [];
  for (const { field, ref } of referencesOf(input)) {
    const reference = ref.env !== undefined ? `env ${ref.env}` : `file ${ref.file ?? ''}`;
    try {
      await secrets.resolve(ref, field);
      references.push({ field, reference, resolves: true });
    } catch (error) {
      references.push({
        field,
        reference,
        resolves: false,
        reason: error instanceof Error ? error.message : 'cannot be resolved',
      });
    }
  }
  const outcomes = input.prechecks.mode === 'off' ? [] : await runCliPrechecks(input, options);
  const taskName = input.taskName ?? deriveTaskName(workflowId);
  const blocking = input.prechecks.mode === 'enforce' ? failingChecks(outcomes).length : 0;
  return {
    ok: blocking === 0 && references.every((entry) => entry.resolves),
    workflowId,
    taskName,
    references,
    outcomes,
    calls: plannedCalls(input, taskName, outcomes),
    paidTasks: paidTasks(input, taskName, outcomes),
  };
}

/** Whether the migration would run a reverse task after its switch: asked for, and not ruled out by the checks. */
function runsReverseTask(input: MigrationInput, outcomes: readonly PrecheckOutcome[]): boolean {
  const requested = requestedRollbackMode(input);
  const check = outcomes.find((outcome) => outcome.id === ROLLBACK_CHECK_ID);
  const window = input.kind === 'online' ? (input.cutover?.rollbackWindow ?? 0) : 0;
  return requested?.mode === 'keep-writes' && window > 0 && (check === undefined || check.verdict === 'pass');
}

/** The DCS tasks the migration would create, and how long each runs (DCS bills a task while it runs). */
export function paidTasks(input: MigrationInput, taskName: string, outcomes: Outcomes = []): PaidTask[] {
  const incremental = input.kind !== 'backup_import' && input.method === 'incremental';
  const switching = input.kind === 'online' && (input.cutover?.switch ?? 'none') !== 'none';
  const afterWindow = switching ? ' (after the rollback window)' : '';
  const until = incremental ? `until the cutover stops it${afterWindow}` : 'until the copy ends';
  const tasks: PaidTask[] = [{ taskName, role: 'migration', runs: until }];
  if (input.kind === 'online' && runsReverseTask(input, outcomes)) {
    const window = formatDuration(input.cutover?.rollbackWindow ?? 0);
    const runs = `from the switch to the end of the rollback window (${window}) or a rollback; then deleted`;
    tasks.push({ taskName: reverseTaskName(taskName), role: 'reverse', runs });
  }
  return tasks;
}

/** The DCS calls of a migration of `input`, in order (the workflow's steps, `workflows/migration.ts`). */
export function plannedCalls(input: MigrationInput, taskName: string, outcomes: Outcomes = []): PlannedCall[] {
  const calls: PlannedCall[] = [];
  if (input.prechecks.mode !== 'off') {
    calls.push({
      operation: 'ShowInstance',
      kind: 'read',
      why: `pre-flight checks: target ${input.target.instanceId}`,
    });
    if (input.kind === 'online' && input.source.instanceId !== undefined) {
      calls.push({
        operation: 'ShowInstance',
        kind: 'read',
        why: `pre-flight checks: source ${input.source.instanceId}`,
      });
    }
  }
  calls.push({
    operation: 'ListMigrationTask',
    kind: 'read',
    why: `look the task up by name ${taskName} (adopt it instead of creating a second)`,
  });
  if (input.kind === 'online') {
    calls.push({
      operation: 'CreateOnlineMigrationTask',
      kind: 'write',
      why: `create task ${taskName} in VPC ${input.network.vpcId} (a migration machine, billed while it runs)`,
    });
    calls.push({
      operation: 'ShowJobInfo',
      kind: 'read',
      why: 'wait for the migration machine (job SUCCESS, task RUNNING)',
    });
    calls.push({
      operation: 'SetOnlineMigrationTask',
      kind: 'write',
      why: `configure: ${input.method} from ${input.source.instanceId ?? input.source.addrs ?? '?'} to ${input.target.instanceId}, resume_mode ${input.resumeMode}`,
    });
  } else if (input.kind === 'legacy_online') {
    calls.push({
      operation: 'CreateMigrationTask',
      kind: 'write',
      why: `create online task ${taskName}: ${input.method} from ${input.source.addrs} to ${input.target.instanceId}`,
    });
  } else {
    calls.push({
      operation: 'CreateMigrationTask',
      kind: 'write',
      why: `create backup import ${taskName} into ${input.target.instanceId}`,
    });
  }
  calls.push({
    operation: 'ListMigrationTask',
    kind: 'read',
    why: `poll the status (every ${input.polling.initialInterval} ms, growing to ${input.polling.maxInterval} ms)`,
  });
  if (input.kind === 'online')
    calls.push({ operation: 'ShowMigrationTaskStats', kind: 'read', why: 'progress figures' });
  const incremental = input.kind !== 'backup_import' && input.method === 'incremental';
  if (incremental) {
    const until =
      input.hold?.maxDuration === undefined
        ? 'until dcs-migrate cutover'
        : `until cutover or ${input.hold.maxDuration} ms in sync`;
    calls.push({ operation: 'ListMigrationTask', kind: 'read', why: `hold in sync ${until}` });
  }
  if (input.verify)
    calls.push({
      operation: 'verifyData',
      kind: 'worker',
      why: `compare ${input.verify.source.address} with ${input.verify.target.address} (${input.verify.mode}; no DCS call)`,
    });
  const switching = input.kind === 'online' && (input.cutover?.switch ?? 'none') !== 'none';
  if (input.kind === 'online' && incremental && switching) calls.push(...switchCalls(input, taskName, outcomes));
  if (incremental) {
    calls.push({ operation: 'StopMigrationTask', kind: 'write', why: 'stop the task after the hold' });
    calls.push({ operation: 'ListMigrationTask', kind: 'read', why: 'wait for TERMINATED' });
  }
  return calls;
}

/** The client switch at the cutover (`cutover.switch`), its rollback window and, with keep-writes, the reverse task. */
function switchCalls(input: MigrationInputOf<'online'>, taskName: string, outcomes: Outcomes): PlannedCall[] {
  const cutover = input.cutover!;
  const window = formatDuration(cutover.rollbackWindow);
  const calls: PlannedCall[] = [
    { operation: 'ShowMigrationTask', kind: 'read', why: "the sides' addresses (the switch is checked again)" },
    { operation: 'ExchangeInstanceIp', kind: 'write', why: `switch the clients to the target (${cutover.switch})` },
  ];
  if (runsReverseTask(input, outcomes)) {
    const reverse = reverseTaskName(taskName);
    const sides = `from ${input.target.instanceId} back to ${input.source.instanceId}`;
    calls.push(
      { operation: 'ListMigrationTask', kind: 'read', why: `look the reverse task ${reverse} up by name` },
      {
        operation: 'CreateOnlineMigrationTask',
        kind: 'write',
        why: `create the reverse task ${reverse} (a second migration machine, billed for up to ${window})`,
      },
      { operation: 'SetOnlineMigrationTask', kind: 'write', why: `configure the reverse task: incremental ${sides}` },
      { operation: 'ShowMigrationTaskStats', kind: 'read', why: 'its lag through the rollback window' },
      { operation: 'StopMigrationTask', kind: 'write', why: 'stop it (caught up before a rollback, or at the end)' },
      { operation: 'DeleteMigrationTask', kind: 'write', why: 'delete the reverse task' },
    );
  }
  calls.push({
    operation: 'RollbackExchangeInstanceIp',
    kind: 'write',
    why: `only on dcs-migrate rollback (or a failed post-switch check) within ${window}: clients back on the source`,
  });
  return calls;
}

export function dryRunText(report: DryRunReport): string[] {
  const lines = [
    `dry run of migration ${report.workflowId} (task ${report.taskName}): nothing was created, no workflow was started`,
    '',
  ];
  lines.push('secret references (resolved here, values not shown):');
  if (report.references.length === 0) lines.push('  none');
  for (const entry of report.references)
    lines.push(
      `  ${entry.field}: ${entry.reference} ${entry.resolves ? 'resolves' : `does not resolve: ${entry.reason ?? ''}`}`,
    );
  lines.push('', 'pre-flight checks:');
  lines.push(
    report.outcomes.length === 0 ? '  off (prechecks.mode: off)' : precheckTable(report.outcomes),
    ...(report.outcomes.length ? [precheckSummary(report.outcomes)] : []),
  );
  lines.push('', 'paid DCS tasks it would create (billed while they run):');
  for (const task of report.paidTasks) lines.push(`  ${task.taskName} (${task.role}): ${task.runs}`);
  lines.push('', 'DCS calls the migration would make, in order:');
  report.calls.forEach((call, index) =>
    lines.push(`  ${String(index + 1).padStart(2)}. ${call.operation.padEnd(26)} ${call.kind.padEnd(6)} ${call.why}`),
  );
  lines.push(
    '',
    report.ok
      ? 'ready to start: run the same command without --dry-run'
      : 'not ready: fix what failed above, then run again',
  );
  return lines;
}
