/**
 * `dcs-migrate start --file migration.yaml`: validates the file against the workflow's input schema (a bad file
 * starts nothing: exit 2, each problem naming its field), starts the migration workflow with a readable id, and
 * prints the id with its Temporal UI link. `--wait` then follows it live like `watch`.
 */
import type { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes.js';
import type { StartedJson } from '../json-output.js';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';

interface StartFlags extends TemporalFlags {
  file: string;
  id?: string;
  taskQueue?: string;
  wait?: boolean;
  json?: boolean;
  dryRun?: boolean;
  redis: boolean;
}

const WORKFLOW_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('start')
      .description('Start a migration described by a YAML or JSON file (see examples/).')
      .requiredOption('-f, --file <path>', 'migration input file (YAML or JSON)')
      .option('--id <workflow-id>', 'workflow id (also the basis of the DCS task name); generated when omitted')
      .option('--task-queue <name>', 'task queue of the workers (default: DCS_MIGRATE_TASK_QUEUE or "dcs-migrate")')
      .option('--wait', 'follow the migration live until it ends')
      .option('--json', 'print JSON (with --wait: the final state; progress goes to stderr)')
      .option(
        '--dry-run',
        'resolve the secret references, run the pre-flight checks and print the DCS calls it would make; start nothing',
      )
      .option('--no-redis', 'with --dry-run: skip the pre-flight checks that connect to the Redis servers'),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 started (with --wait: succeeded or cut over), 2 bad file or arguments (nothing started), ' +
        '4 (with --wait) the migration failed or was cancelled, 5 Temporal unreachable, ' +
        '6 (with --dry-run) a pre-flight check failed or a secret reference does not resolve.',
    )
    .action(async (flags: StartFlags) => {
      if (flags.id !== undefined && !WORKFLOW_ID.test(flags.id)) {
        throw new CliError(
          `--id: expected 1–200 characters of letters, digits, ".", "_", ":" or "-"; got "${flags.id}"`,
          EXIT.USAGE,
        );
      }
      if (flags.taskQueue !== undefined && !flags.taskQueue.trim()) {
        // Otherwise the migration would silently go to the default task queue, where no worker may listen.
        throw new CliError('--task-queue: must not be empty', EXIT.USAGE);
      }
      // Loaded on demand, like every command's implementation: defining the commands must stay cheap.
      const [
        { WorkflowExecutionAlreadyStartedError },
        { buildMigrationStartOptions },
        { MIGRATION_WORKFLOW_TYPE },
        { WORKER_ENV },
        { followMigration },
        { migrationJson },
        { loadMigrationFile },
        { endedBadly, isClosed, readMigration },
        { printJson, printLines },
        { withTemporal },
        { migrationUiUrl },
      ] = await Promise.all([
        import('@temporalio/client'),
        import('../../common/start-options.js'),
        import('../../common/workflow-contract.js'),
        import('../../worker/worker-options.js'),
        import('../follow-migration.js'),
        import('../json-output.js'),
        import('../migration-file.js'),
        import('../migration-view.js'),
        import('../output.js'),
        import('../temporal-client.js'),
        import('../ui-link.js'),
      ]);
      const input = await loadMigrationFile(flags.file);
      const taskQueue = flags.taskQueue ?? (process.env[WORKER_ENV.taskQueue]?.trim() || undefined);
      const options = buildMigrationStartOptions({
        input,
        ...(flags.id ? { workflowId: flags.id } : {}),
        ...(taskQueue ? { taskQueue } : {}),
      });
      if (flags.dryRun) {
        // No Temporal connection, no DCS write: reads (ShowInstance) and read-only Redis probes only. Loaded here:
        // every CLI start would otherwise load the activities' modules.
        const { dryRun, dryRunText } = await import('../dry-run.js');
        const report = await dryRun(input, options.workflowId, { redis: flags.redis });
        if (flags.json) printJson(report);
        else printLines(...dryRunText(report));
        if (!report.ok) process.exitCode = EXIT.PRECHECK_FAILED;
        return;
      }
      const view = await withTemporal(flags, async ({ client, config }) => {
        let handle;
        try {
          handle = await client.workflow.start(MIGRATION_WORKFLOW_TYPE, options);
        } catch (error) {
          if (error instanceof WorkflowExecutionAlreadyStartedError) {
            const existing = await readMigration(client, options.workflowId, { describeOnly: true }).catch(
              () => undefined,
            );
            const state = !existing
              ? ''
              : isClosed(existing.execution)
                ? ` and ended ${existing.execution.toLowerCase()} at ${existing.closeTime ?? '?'} (phase ${existing.phase ?? '-'})`
                : ` and is running (phase ${existing.phase ?? '-'}, remote status ${existing.remoteStatus ?? '-'}; see dcs-migrate status ${options.workflowId})`;
            throw new CliError(
              `--id: a migration with id "${options.workflowId}" already exists${state}; ids are never reused`,
              EXIT.USAGE,
            );
          }
          throw error;
        }
        const ui = migrationUiUrl(config, handle.workflowId, handle.firstExecutionRunId);
        const started: StartedJson = {
          workflowId: handle.workflowId,
          runId: handle.firstExecutionRunId,
          namespace: config.namespace,
          taskQueue: options.taskQueue,
          ui: ui ?? null,
        };
        if (!flags.wait) {
          if (flags.json) printJson(started);
          else
            printLines(
              `started migration ${handle.workflowId}`,
              ...(ui ? [`  ${ui}`] : []),
              `  follow it: dcs-migrate watch ${handle.workflowId}`,
            );
          return undefined;
        }
        const out = flags.json ? process.stderr : process.stdout;
        out.write(`started migration ${handle.workflowId}${ui ? `\n  ${ui}` : ''}\n`);
        const final = await followMigration(client, handle.workflowId, { uiUrl: ui, out });
        if (flags.json) printJson(migrationJson(final));
        return final;
      });
      if (view && endedBadly(view)) process.exitCode = EXIT.MIGRATION_FAILED;
    });
}
