/**
 * A plan end to end (issue 26), once, as an operator runs it: `dcs-migrate plan check|start|status` (the real CLI
 * in child processes) against a real Temporal dev server, the DCS emulator (real redis-servers) and a worker from
 * the production factory. Three items copy one source into three targets, a canary wave first; a bad plan is
 * refused naming its item and field, and starts nothing. `list --plan` lists the plan's items, and only them.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import type { ListRowJson } from '../client/json-output.js';
import { jsonOf, runCli } from '../client/testing/run-cli.js';
import { PLAN_WORKFLOW_TYPE, type PlanResult } from '../common/plan-contract.js';
import { DcsPlan } from '../common/search-attributes.js';
import { waitFor } from '../local/wait.js';
import { deriveTaskName } from '../workflows/task-name.js';
import { expectOutputSchema } from './harness/output-schemas.js';
import { paidTasksLeft } from './harness/paid-tasks.js';
import { onlineInput, startTestStack, type TestStack } from './harness/stack.js';

let stack: TestStack;
let env: NodeJS.ProcessEnv;
const TARGETS = ['target', 'target-b', 'target-c'];

beforeAll(async () => {
  stack = await startTestStack({
    name: 'plan',
    emulator: { timings: { creatingMs: 200, terminatingMs: 200 } },
    extraInstances: TARGETS.slice(1).map((id) => ({ id, password: 'target-secret-pw-91cd' })),
    sourceKeys: 200,
  });
  env = stack.cliEnv();
  await stack.startWorker();
}, 180_000);

afterAll(async () => {
  await stack?.teardown();
});

async function writePlan(name: string, content: unknown): Promise<string> {
  const file = path.join(stack.dir, name);
  await writeFile(file, toYaml(content));
  return file;
}

function planFile(id: string, overrides: Record<string, unknown> = {}) {
  const { target: _target, ...defaults } = onlineInput('full', {
    polling: { initialInterval: '300ms', maxInterval: '600ms' },
  });
  return {
    id,
    defaults: { ...defaults, target: { password: { env: 'TARGET_REDIS_PASSWORD' } } },
    items: TARGETS.map((instanceId, index) => ({ key: `cache-${index}`, target: { instanceId } })),
    waves: [
      { name: 'canary', items: ['cache-0'] },
      { name: 'rest', items: ['cache-1', 'cache-2'] },
    ],
    ...overrides,
  };
}

const plansStarted = async () =>
  (await stack.temporal.client.workflow.count(`WorkflowType = "${PLAN_WORKFLOW_TYPE}"`)).count;

describe('dcs-migrate plan, full stack', () => {
  it('refuses a bad plan naming each item and field, exit 2, nothing started', async () => {
    const bad = planFile('bad-plan', {
      items: [
        { key: 'cache-0', target: { instanceId: 'target' } },
        { key: 'cache-1', target: { instanceId: 'target' }, metod: 'full' },
      ],
      waves: undefined,
    });
    const run = await runCli(['plan', 'start', '--file', await writePlan('bad.yaml', bad)], env);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('invalid plan; nothing was started');
    expect(run.stderr).toContain(`items[1] (cache-1).target.instanceId: "target" is also items[0] (cache-0)'s`);
    expect(run.stderr).toContain('items[1] (cache-1).metod: unknown field; did you mean "method"?');
    expect(await plansStarted()).toBe(0);
  });

  it('plan check: item × check table; plan start --wait runs the waves; plan status reads the result', async () => {
    const file = await writePlan('plan.yaml', planFile('fleet-1'));
    const check = await runCli(['plan', 'check', '--file', file], env);
    expect(check.code, check.stderr + check.stdout).toBe(0);
    expect(check.stdout).toMatch(/^ITEM\s+target-exists\s+target-running/m);
    for (const key of ['cache-0', 'cache-1', 'cache-2'])
      expect(check.stdout).toMatch(new RegExp(`^${key}\\s+ok\\s+ok`, 'm'));

    const run = await runCli(['plan', 'start', '--file', file, '--wait', '--json'], env, 180_000);
    expect(run.code, run.stderr).toBe(0);
    const result = jsonOf<PlanResult>(run);
    expect(result).toMatchObject({ planId: 'fleet-1', outcome: 'completed', counts: { succeeded: 3, failed: 0 } });
    const [canary, ...rest] = result.items;
    for (const item of rest) expect(Date.parse(item.startedAt!)).toBeGreaterThanOrEqual(Date.parse(canary!.endedAt!));
    // One remote task per item, none left running (DCS bills a task until it ends).
    const names = result.items.map((item) => deriveTaskName(item.workflowId));
    const tasks = stack.emu.tasks().filter((task) => names.includes(task.name));
    expect(tasks.map((task) => task.name).sort()).toEqual([...names].sort());
    expect(paidTasksLeft('plan fleet-1', tasks)).toBe(0);
    // The ETA: each source read before the start (200 keys seeded), the rate learned from the three full syncs.
    for (const planned of result.items) expect(planned.size?.keys, planned.key).toBe(200);
    expect(result.eta).toMatchObject({ itemsLeft: 0, sized: 3, learnedRate: { samples: 3 } });
    expect(result.eta?.firstEstimateErrorPct?.items).toBe(3);
    const item = await stack.temporal.client.workflow.getHandle('fleet-1.cache-1').describe();
    expect(item.typedSearchAttributes.get(DcsPlan)).toBe('fleet-1');

    const status = await runCli(['plan', 'status', 'fleet-1'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^plan fleet-1: completed \(completed\)/m);
    expect(status.stdout).toMatch(/^canary\s+done\s+1\s+0\s+0\s+1\s+0/m);
    expect(status.stdout).toMatch(/^ {2}eta: ended \S+, 0 item\(s\) left$/m);
    expect(status.stdout).toMatch(/^ {2}rate: .* learned from 3 full sync\(s\)$/m);
    expect(status.stdout).toMatch(/^ {2}first estimates off by [\d.]+% \(median\), [\d.]+% \(max\) over 3 item/m);
    const again = await runCli(['plan', 'start', '--file', file], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('plan "fleet-1" has completed');

    // `list --plan`: the plan's three items from visibility (which lags the close a little), in list's formats.
    const listed = await waitFor(
      'visibility to show the items of fleet-1 succeeded',
      async () => {
        const list = await runCli(['list', '--plan', 'fleet-1', '--json'], env);
        expect(list.code, list.stderr).toBe(0);
        const rows = jsonOf<ListRowJson[]>(list);
        return rows.length === 3 && rows.every((row) => row.phase === 'succeeded') ? rows : false;
      },
      20_000,
      300,
    );
    expectOutputSchema('list', listed);
    expect(listed.map((row) => row.workflowId).sort()).toEqual([
      'fleet-1.cache-0',
      'fleet-1.cache-1',
      'fleet-1.cache-2',
    ]);
    const table = await runCli(['list', '--plan', 'fleet-1'], env);
    expect(table.stdout).toMatch(/^ID\s+EXECUTION\s+PHASE/m);
    expect(table.stdout).toMatch(/^fleet-1\.cache-2\s+COMPLETED\s+succeeded/m);
    const none = await runCli(['list', '--plan', 'fleet-2'], env);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('no migrations match (WorkflowType = "dcsMigration" AND DcsPlan = "fleet-2")');
  });
});
