/**
 * Task logs and the restart policy on the real stack (Temporal dev server, emulator, redis-servers): a task that
 * fails on a dropped source connection is restarted — the same remote task — by the input's `restart` policy or by
 * `dcs-migrate restart`; when restarts are used up, or the failure is not a lost connection, the migration fails
 * with the task's last log entries in its failure, scrubbed of secrets; `dcs-migrate logs` prints the log.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../client/testing/run-cli.js';
import { restartUpdate, statusQuery, type TaskLogEntry } from '../common/workflow-contract.js';
import { seedSampleData } from '../local/sample-data.js';
import { waitFor } from '../local/wait.js';
import { compareRedis } from '../verify/compare.js';
import { callsSince } from './harness/emulator-requests.js';
import { DEFAULT_PAIR, onlineInput, startTestStack, type TestStack } from './harness/stack.js';
import { failureOf, FAST_POLLING, resultOf, saveHistory } from './workflow-env.js';

const KEYS = 3_000;
/** Restarts without the production 30 s wait. */
const QUICK_BACKOFF = { initial: '100ms', max: '200ms' };
/** A fault on the first run: the source connections are killed at 30 % of the full copy (resume mode manual: FAILED). */
const DROP_ON_CONFIGURE = { operation: 'SetOnlineMigrationTask', dataPlane: { dropSourceAt: 30 }, count: 1 } as const;

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ name: 'restart' });
  await stack.startWorker();
});
afterAll(async () => stack?.teardown());
beforeEach(async () => {
  await stack.reset();
  // One database: the dropped connections are the ones the copy goes on using (a fresh db's connection would not be).
  await seedSampleData(stack.emu.instance(DEFAULT_PAIR.source.id).endpoint, { keys: KEYS, seed: 5, dbs: [0] });
});

const input = (restart: Record<string, unknown> | undefined) =>
  onlineInput('full', { polling: FAST_POLLING, onFailure: 'keep', ...(restart ? { restart } : {}) });

function tasksNamed(name: string) {
  return stack.emu.tasks().filter((task) => task.name === name);
}

async function differences(): Promise<number> {
  const report = await compareRedis(stack.emu.instance(DEFAULT_PAIR.source.id).endpoint, stack.emu.instance(DEFAULT_PAIR.target.id).endpoint);
  return report.totalDifferences;
}

describe('restart policy', () => {
  it('a task failed by a dropped source connection is restarted once, by the policy or by dcs-migrate restart, and succeeds with one remote task; logs prints its log', async () => {
    // Two migrations at once (each CLI start costs seconds, so the two commands overlap): one restarted by its
    // policy, one waiting for an operator. The fault drops the source of each one's first run.
    stack.emu.faults.add({ ...DROP_ON_CONFIGURE, count: 2 });
    const before = stack.emu.requests().length;
    const byPolicy = await stack.start(input({ maxAttempts: 1, backoff: QUICK_BACKOFF }), 'restart-policy');
    const byOperator = await stack.start(input({ maxAttempts: 0, waitForOperator: '60s' }), 'restart-operator');
    // Refused (nothing recorded) while the task has not failed: here, before it even exists.
    const early = await byOperator.executeUpdate(restartUpdate, { args: [{}] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((early as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('RestartRejected');

    const pending = await waitFor(
      'the migration to wait for an operator restart',
      async () => (await byOperator.query(statusQuery)).restartPending,
      30_000,
      100,
    );
    expect(pending).toMatchObject({ by: 'operator', reason: expect.stringMatching(/was lost/) });
    const policyResult = await resultOf(byPolicy);
    const [accepted, logs] = await Promise.all([
      runCli(['restart', 'restart-operator', '--note', 'source is back'], stack.cliEnv()),
      // The JSON end to end (the table's layout is unit-tested in cli-units).
      runCli(['logs', 'restart-policy', '--json'], stack.cliEnv()),
    ]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/restart accepted for restart-operator at .* \(the task had failed: .*was lost\)/);
    const operatorResult = await resultOf(byOperator);

    expect(policyResult).toMatchObject({ outcome: 'succeeded', remoteStatus: 'SUCCESS', restarts: { count: 1, byPolicy: 1, last: { by: 'policy' } } });
    expect(policyResult.restarts?.last.reason).toMatch(/connection to the source Redis .* was lost/);
    expect(operatorResult).toMatchObject({ outcome: 'succeeded', restarts: { count: 1, byPolicy: 0, last: { by: 'operator', note: 'source is back' } } });
    // The same task each: two created, each restarted once, never another one.
    expect(tasksNamed('dcsm-restart-policy')).toHaveLength(1);
    expect(tasksNamed('dcsm-restart-operator')).toHaveLength(1);
    expect(callsSince(stack.emu, before, 'CreateOnlineMigrationTask')).toHaveLength(2);
    expect(callsSince(stack.emu, before, 'BatchRestartOnlineMigrationTasks')).toHaveLength(2);
    expect(await differences()).toBe(0);
    await saveHistory(stack, byPolicy, 'online-full-restart-policy');
    await saveHistory(stack, byOperator, 'online-full-restart-operator');

    expect(logs.code, logs.stderr).toBe(0);
    const json = jsonOf<{ taskId: string; total: number; entries: TaskLogEntry[] }>(logs);
    const codes = json.entries.map((entry) => entry.code);
    expect(codes.slice(codes.indexOf('migration.connection.lost'))).toEqual(
      expect.arrayContaining(['migration.connection.lost', 'migration.restart', 'migration.full.start', 'migration.success']),
    );
    expect(json.total).toBe(json.entries.length);
    expect(json.taskId).toBe(policyResult.taskId);
    expect(json.entries.filter((entry) => entry.level === 'ERROR')).toEqual([
      expect.objectContaining({ code: 'migration.connection.lost', message: expect.stringMatching(/^Migration failed, connection lost: /) }),
    ]);
    for (const secret of [DEFAULT_PAIR.source.password, DEFAULT_PAIR.target.password, stack.emu.credentials.sk]) expect(logs.stdout).not.toContain(secret);
  });

  it('after maxAttempts failed restarts the migration fails with the last log entries in its failure', async () => {
    stack.emu.faults.add(DROP_ON_CONFIGURE);
    stack.emu.faults.add({ operation: 'BatchRestartOnlineMigrationTasks', dataPlane: { dropSourceAt: 30 } });
    const before = stack.emu.requests().length;
    const handle = await stack.start(input({ maxAttempts: 2, backoff: QUICK_BACKOFF }), 'restart-exhausted');
    const failure = await failureOf(handle);
    expect(failure.type).toBe('RemoteTaskFailed');
    expect(failure.message).toMatch(/ended FAILED: the connection to the source Redis .* was lost/);
    expect(failure.message).toMatch(/last log entries: \S+ migration\.connection\.lost: Migration failed, connection lost/);
    expect(failure.message).toContain('restart.maxAttempts (2) used up after 2 restart(s)');
    const details = failure.details?.[0] as { logs: TaskLogEntry[]; restarts: number };
    expect(details.restarts).toBe(2);
    // Three failures of the one task: the first run's and each restart's.
    expect(details.logs.filter((entry) => entry.code === 'migration.connection.lost')).toHaveLength(3);
    expect(tasksNamed('dcsm-restart-exhausted')).toHaveLength(1);
    expect(callsSince(stack.emu, before, 'BatchRestartOnlineMigrationTasks')).toHaveLength(2);
  });

  it('a failure that is not a lost connection is not restarted; secrets in the log are scrubbed from the failure', async () => {
    const { password } = DEFAULT_PAIR.target;
    stack.emu.faults.add({
      operation: 'SetOnlineMigrationTask',
      dataPlane: { failAt: 10, failMessage: `target refused: AUTH ${password} password=hunter2-x sk=${stack.emu.credentials.sk}` },
      count: 1,
    });
    const before = stack.emu.requests().length;
    const handle = await stack.start(input({ maxAttempts: 3, backoff: QUICK_BACKOFF }), 'restart-not-connection');
    const failure = await failureOf(handle);
    expect(failure.type).toBe('RemoteTaskFailed');
    expect(failure.message).toContain('not restarted: not a lost connection');
    expect(failure.message).toContain('migration.failed: Migration failed: target refused: AUTH [REDACTED]');
    const everything = JSON.stringify({ message: failure.message, details: failure.details });
    for (const secret of [password, 'hunter2-x', stack.emu.credentials.sk]) expect(everything).not.toContain(secret);
    expect(callsSince(stack.emu, before, 'BatchRestartOnlineMigrationTasks')).toHaveLength(0);
  });
});
