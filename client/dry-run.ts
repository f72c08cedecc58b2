/**
 * `start --dry-run`: what a start would do, doing none of it. It resolves every password reference (from this
 * shell's environment; values never printed), runs the pre-flight checks (DCS reads and read-only Redis probes
 * only), and lists the DCS calls the migration would make, in order. No write reaches DCS and no workflow starts.
 */
import { referencesOf } from '../activities/check-references.js';
import { createSecretResolver } from '../activities/index.js';
import type { MigrationInput } from '../common/migration-input.js';
import { failingChecks, type PrecheckOutcome } from '../common/precheck.js';
import { deriveTaskName } from '../workflows/task-name.js';
import { precheckSummary, precheckTable, runCliPrechecks } from './prechecks.js';

export interface PlannedCall {
  operation: string;
  /** `read` calls may repeat (polling); a `write` changes DCS. */
  kind: 'read' | 'write' | 'worker';
  why: string;
}

export interface DryRunReport {
  ok: boolean;
  workflowId: string;
  taskName: string;
  references: Array<{ field: string; reference: string; resolves: boolean; reason?: string }>;
  outcomes: PrecheckOutcome[];
  calls: PlannedCall[];
}

export async function dryRun(input: MigrationInput, workflowId: string, options: { redis: boolean }): Promise<DryRunReport> {
  const secrets = createSecretResolver();
  const references: DryRunReport['references'] = [];
  for (const { field, ref } of referencesOf(input)) {
    const reference = ref.env !== undefined ? `env ${ref.env}` : `file ${ref.file ?? ''}`;
    try {
      await secrets.resolve(ref, field);
      references.push({ field, reference, resolves: true });
    } catch (error) {
      references.push({ field, reference, resolves: false, reason: error instanceof Error ? error.message : 'cannot be resolved' });
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
    calls: plannedCalls(input, taskName),
  };
}

/** The DCS calls of a migration of `input`, in order (the workflow's steps, `workflows/migration.ts`). */
export function plannedCalls(input: MigrationInput, taskName: string): PlannedCall[] {
  const calls: PlannedCall[] = [];
  if (input.prechecks.mode !== 'off') {
    calls.push({ operation: 'ShowInstance', kind: 'read', why: `pre-flight checks: target ${input.target.instanceId}` });
    if (input.kind === 'online' && input.source.instanceId !== undefined) {
      calls.push({ operation: 'ShowInstance', kind: 'read', why: `pre-flight checks: source ${input.source.instanceId}` });
    }
  }
  calls.push({ operation: 'ListMigrationTask', kind: 'read', why: `look the task up by name ${taskName} (adopt it instead of creating a second)` });
  if (input.kind === 'online') {
    calls.push({
      operation: 'CreateOnlineMigrationTask',
      kind: 'write',
      why: `create task ${taskName} in VPC ${input.network.vpcId} (a migration machine, billed while it runs)`,
    });
    calls.push({ operation: 'ShowJobInfo', kind: 'read', why: 'wait for the migration machine (job SUCCESS, task RUNNING)' });
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
    calls.push({ operation: 'CreateMigrationTask', kind: 'write', why: `create backup import ${taskName} into ${input.target.instanceId}` });
  }
  calls.push({
    operation: 'ListMigrationTask',
    kind: 'read',
    why: `poll the status (every ${input.polling.initialInterval} ms, growing to ${input.polling.maxInterval} ms)`,
  });
  if (input.kind === 'online') calls.push({ operation: 'ShowMigrationTaskStats', kind: 'read', why: 'progress figures' });
  const incremental = input.kind !== 'backup_import' && input.method === 'incremental';
  if (incremental) {
    const until = input.hold?.maxDuration === undefined ? 'until dcs-migrate cutover' : `until cutover or ${input.hold.maxDuration} ms in sync`;
    calls.push({ operation: 'ListMigrationTask', kind: 'read', why: `hold in sync ${until}` });
  }
  if (input.verify)
    calls.push({
      operation: 'verifyData',
      kind: 'worker',
      why: `compare ${input.verify.source.address} with ${input.verify.target.address} (${input.verify.mode}; no DCS call)`,
    });
  if (incremental) {
    calls.push({ operation: 'StopMigrationTask', kind: 'write', why: 'stop the task after the hold' });
    calls.push({ operation: 'ListMigrationTask', kind: 'read', why: 'wait for TERMINATED' });
  }
  return calls;
}

export function dryRunText(report: DryRunReport): string[] {
  const lines = [`dry run of migration ${report.workflowId} (task ${report.taskName}): nothing was created, no workflow was started`, ''];
  lines.push('secret references (resolved here, values not shown):');
  if (report.references.length === 0) lines.push('  none');
  for (const entry of report.references)
    lines.push(`  ${entry.field}: ${entry.reference} ${entry.resolves ? 'resolves' : `does not resolve: ${entry.reason ?? ''}`}`);
  lines.push('', 'pre-flight checks:');
  lines.push(
    report.outcomes.length === 0 ? '  off (prechecks.mode: off)' : precheckTable(report.outcomes),
    ...(report.outcomes.length ? [precheckSummary(report.outcomes)] : []),
  );
  lines.push('', 'DCS calls the migration would make, in order:');
  report.calls.forEach((call, index) => lines.push(`  ${String(index + 1).padStart(2)}. ${call.operation.padEnd(26)} ${call.kind.padEnd(6)} ${call.why}`));
  lines.push('', report.ok ? 'ready to start: run the same command without --dry-run' : 'not ready: fix what failed above, then run again');
  return lines;
}
