/**
 * `dcs-migrate plan …` (issue 26): run a fleet of migrations from one plan file (docs/plan-file.md). `check`
 * validates the plan and runs every item's pre-flight checks; `start` starts the plan workflow; `status`, `watch`
 * read it; `pause`, `resume`, `cutover`, `retry`, `add`, `cancel` steer it. This file only defines the commands:
 * each action loads its implementation (`plan-run.ts`) when it runs, so `--help` stays fast.
 */
import type { Command } from 'commander';
import { addTemporalOptions, type TemporalFlags } from '../temporal-flags.js';

export interface PlanFlags extends TemporalFlags {
  json?: boolean;
}

const run = () => import('./plan-run.js');

function sub(plan: Command, name: string, description: string): Command {
  return addTemporalOptions(plan.command(name).description(description));
}

function registerSteering(plan: Command): void {
  sub(plan, 'pause', 'Start no new item until `plan resume`; running items go on.')
    .argument('<plan-id>')
    .option('--reason <text>', 'why (recorded in the plan)', 'paused from the dcs-migrate CLI')
    .action(async (id: string, flags: PlanFlags & { reason: string }) =>
      (await run()).signalPlan(id, flags, 'pause', { reason: flags.reason }),
    );
  sub(plan, 'resume', 'Lift a pause, and a halt: the failures so far are accepted and the plan goes on.')
    .argument('<plan-id>')
    .action(async (id: string, flags: PlanFlags) => (await run()).signalPlan(id, flags, 'resume', {}));
  sub(plan, 'cancel', 'Cancel a plan: nothing new starts, and its running items are cancelled (unless --leave-items).')
    .argument('<plan-id>')
    .option('--reason <text>', 'why (recorded in the plan and its items)', 'cancelled from the dcs-migrate CLI')
    .option('--leave-items', 'leave the running items running on their own')
    .action(async (id: string, flags: PlanFlags & { reason: string; leaveItems?: boolean }) =>
      (await run()).signalPlan(id, flags, 'cancel', {
        reason: flags.reason,
        items: flags.leaveItems ? 'leave' : 'cancel',
      }),
    );
  sub(
    plan,
    'cutover',
    'Cut over: `together` plans, a whole wave (or plan) once all its items are in sync; `each`, every item in sync.',
  )
    .argument('<plan-id>')
    .option('--wave <name>', 'the wave to cut over (default: the first one not cut over yet)')
    .option('--note <text>', 'who / why (recorded in the plan and its items)')
    .option('--json', 'print the answer as JSON')
    .addHelpText('after', '\nExit code 0 when accepted, 2 when refused (the message names the items not in sync).')
    .action(async (id: string, flags: PlanFlags & { wave?: string; note?: string }) =>
      (await run()).cutoverPlan(id, flags),
    );
  sub(plan, 'retry', 'Start a failed or cancelled item again (a new attempt, workflow id <plan>.<key>.<attempt>).')
    .argument('<plan-id>')
    .argument('<key>', 'the item key')
    .option('--json', 'print the answer as JSON')
    .action(async (id: string, key: string, flags: PlanFlags) => (await run()).retryItem(id, key, flags));
  sub(plan, 'add', 'Add items to a running plan, from a file holding `items:` (as a plan file does).')
    .argument('<plan-id>')
    .requiredOption('-f, --file <path>', 'YAML or JSON file with `items:`')
    .option('--wave <name>', 'the wave they join (default: the last one)')
    .option('--json', 'print the answer as JSON')
    .action(async (id: string, flags: PlanFlags & { file: string; wave?: string }) =>
      (await run()).addItems(id, flags),
    );
}

export function register(program: Command): void {
  const plan = program.command('plan').description('Run a fleet of migrations from one plan file (docs/plan-file.md).');
  plan
    .command('check')
    .description("Validate a plan file and run every item's pre-flight checks: an item × check table; nothing starts.")
    .requiredOption('-f, --file <path>', 'plan file (YAML or JSON)')
    .option('--json', 'print {"ok", "items": [{key, outcomes, error?}]} as JSON')
    .option('--no-redis', 'skip the checks that connect to the Redis servers (DCS reads only)')
    .option('--validate-only', 'only validate the file (no DCS or Redis reads)')
    .addHelpText(
      'after',
      '\nExit codes: 0 no check failed, 2 bad plan (each problem names its item and field), 6 a check failed.',
    )
    .action(async (flags: { file: string; json?: boolean; redis: boolean; validateOnly?: boolean }) =>
      (await run()).checkPlan(flags),
    );
  sub(
    plan,
    'start',
    'Start a plan: validated first (a bad plan starts nothing); the same id again resumes a failed or terminated plan.',
  )
    .requiredOption('-f, --file <path>', 'plan file (YAML or JSON)')
    .option('--id <plan-id>', "plan id (default: the file's `id`, else generated)")
    .option('--task-queue <name>', 'task queue of the workers (default: DCS_MIGRATE_TASK_QUEUE or "dcs-migrate")')
    .option('--wait', 'follow the plan until it ends')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 started (with --wait: completed with no failure), 2 bad plan or id in use, 4 (--wait) ' +
        'halted, cancelled or an item failed, 5 Temporal unreachable.',
    )
    .action(async (flags: PlanFlags & { file: string; id?: string; taskQueue?: string; wait?: boolean }) =>
      (await run()).startPlan(flags),
    );
  sub(
    plan,
    'status',
    'Show a plan: counts by phase, waves, failures, budget left, next step (and every item with --items).',
  )
    .argument('<plan-id>')
    .option('--items', 'list every item')
    .option('--json', 'print the status as JSON')
    .addHelpText(
      'after',
      '\nExit code 0 while running or completed without failure, 4 when halted, cancelled or an item failed.',
    )
    .action(async (id: string, flags: PlanFlags & { items?: boolean }) => (await run()).showPlan(id, flags));
  sub(plan, 'watch', 'Follow a plan until it ends, a line per change.')
    .argument('<plan-id>')
    .option('--json', 'print the final status as JSON')
    .action(async (id: string, flags: PlanFlags) => (await run()).watchPlan(id, flags));
  registerSteering(plan);
}
