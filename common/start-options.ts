/**
 * How a client starts a migration: `client.workflow.start(MIGRATION_WORKFLOW_TYPE, buildMigrationStartOptions(…))`.
 * It takes the input already parsed (`parseMigrationInput`, or the CLI's `loadMigrationFile`), so nothing starts
 * on a bad file and the input is parsed once on the client, and fills in what the Temporal UI shows: search
 * attributes, a one-line summary and a details block. None of it holds a secret: passwords are references.
 */
import { randomUUID } from 'node:crypto';
import type { SearchAttributePair } from '@temporalio/common';
import type { MigrationInput } from './migration-input.js';
import { DcsMigrationType, DcsPhase } from './search-attributes.js';
import { DEFAULT_TASK_QUEUE } from './task-queue.js';

export interface MigrationStartRequest {
  /** The parsed migration input (`parseMigrationInput`); the workflow receives it as it is. */
  input: MigrationInput;
  /** Business id; also the basis of the remote task name. Generated when omitted. */
  workflowId?: string;
  taskQueue?: string;
}

/** The options object for `client.workflow.start` (and `execute`). */
export interface MigrationStartOptions {
  taskQueue: string;
  workflowId: string;
  args: [MigrationInput];
  typedSearchAttributes: SearchAttributePair[];
  staticSummary: string;
  staticDetails: string;
  /**
   * The remote task name derives from the workflow id, so an id is never reused: a second run with the same id
   * would find and adopt the first run's task.
   */
  workflowIdReusePolicy: 'REJECT_DUPLICATE';
  workflowIdConflictPolicy: 'FAIL';
}

export function buildMigrationStartOptions(request: MigrationStartRequest): MigrationStartOptions {
  const { input } = request;
  const migrationType = input.kind === 'backup_import' ? 'backup_import' : `${input.kind}:${input.method}`;
  return {
    taskQueue: request.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: request.workflowId ?? defaultWorkflowId(input),
    args: [input],
    typedSearchAttributes: [
      { key: DcsMigrationType, value: migrationType },
      { key: DcsPhase, value: 'validating' },
    ],
    staticSummary: summaryOf(input).slice(0, 200),
    staticDetails: detailsOf(input),
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    workflowIdConflictPolicy: 'FAIL',
  };
}

/** `dcs-<kind>-<target instance>-<random>`: readable in the UI, unique per start. */
export function defaultWorkflowId(input: MigrationInput): string {
  return `dcs-${input.kind.replace('_', '-')}-${input.target.instanceId}-${randomUUID().slice(0, 8)}`;
}

function sourceOf(input: MigrationInput): string {
  if (input.kind === 'backup_import') {
    return input.backup.source === 'obs'
      ? `OBS bucket ${input.backup.bucket} (${input.backup.files.length} file(s))`
      : `backup ${input.backup.backupId}`;
  }
  if (input.kind === 'online')
    return input.source.instanceId ? `instance ${input.source.instanceId}` : (input.source.addrs ?? '?');
  return input.source.addrs;
}

function summaryOf(input: MigrationInput): string {
  const what =
    input.kind === 'backup_import'
      ? 'Backup import'
      : `${input.method === 'full' ? 'Full' : 'Incremental'} online migration`;
  return `${what}: ${sourceOf(input)} → instance ${input.target.instanceId}`;
}

function detailsOf(input: MigrationInput): string {
  const lines = [
    `**Kind:** ${input.kind}`,
    `**Source:** ${sourceOf(input)}`,
    `**Target:** instance ${input.target.instanceId}`,
  ];
  if (input.kind !== 'backup_import') lines.push(`**Method:** ${input.method}`);
  if (input.kind === 'online')
    lines.push(
      `**Resume mode:** ${input.resumeMode}`,
      `**Network:** VPC ${input.network.vpcId}, subnet ${input.network.subnetId}`,
    );
  if (input.kind !== 'backup_import' && input.hold?.maxDuration !== undefined)
    lines.push(`**Hold deadline:** ${Math.round(input.hold.maxDuration / 1000)} s after reaching sync`);
  if (input.taskName) lines.push(`**Task name:** ${input.taskName}`);
  if (input.description) lines.push(`**Description:** ${input.description}`);
  return lines.join('\n');
}
