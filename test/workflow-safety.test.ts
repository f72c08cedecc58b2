/**
 * The safety faults of issue 19, on the real stack (Temporal dev server, emulator, redis-servers): a secret
 * reference that does not resolve fails the migration before any DCS task exists; a failure after the task was
 * created stops it (or deletes it, or keeps it as asked) and says so; a task another running migration drives is
 * never adopted, stopped or deleted by a second one with the same task name.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callsSince } from './harness/emulator-requests.js';
import { waitFor } from '../local/wait.js';
import { readMigration } from '../client/migration-view.js';
import { statusLines } from '../client/render-migration.js';
import { remoteTaskCleanupOf } from '../common/remote-task-cleanup.js';
import { cutoverUpdate, statusQuery } from '../common/workflow-contract.js';
import {
  failureOf,
  onlineInput,
  resultOf,
  SOURCE_PASSWORD,
  startMigrationTestEnv,
  TARGET_PASSWORD,
  type MigrationTestEnv,
  type RunningWorker,
} from './workflow-env.js';

describe('migration safety (issue 19)', () => {
  let env: MigrationTestEnv;
  let worker: RunningWorker;
  beforeAll(async () => {
    env = await startMigrationTestEnv();
    worker = await env.startWorker();
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
  });
  beforeEach(() => env.emu.faults.clear());

  const address = (id: string) => `${env.emu.instance(id).endpoint.host}:${env.emu.instance(id).endpoint.port}`;

  it('unresolvable secret references fail the migration at once, naming each, and no DCS task is created', async () => {
    const before = env.emu.requests().length;
    const input = onlineInput('full', {
      source: { instanceId: 'source', password: { env: 'NO_SUCH_SOURCE_PASSWORD' } },
      verify: {
        source: { address: address('source'), password: { file: '/nonexistent/dcs-migrate/source.pw' } },
        target: { address: address('target'), password: { env: 'TARGET_REDIS_PASSWORD' } },
      },
    });
    const handle = await env.start(input, 'safety-missing-secret');
    const failure = await failureOf(handle);
    expect(failure.type).toBe('SecretUnavailable');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('source.password: environment variable NO_SUCH_SOURCE_PASSWORD is not set on the worker');
    expect(failure.message).toContain('verify.source.password: cannot read password file /nonexistent/dcs-migrate/source.pw');
    expect(failure.message).toContain('no remote task was created');
    // The references that resolve are checked too, but their values never leave the worker.
    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toMatch(new RegExp(`${SOURCE_PASSWORD}|${TARGET_PASSWORD}`));
    const requests = env.emu.requests().slice(before);
    expect(requests.filter((request) => request.operation === 'CreateOnlineMigrationTask')).toEqual([]);
    expect(requests).toEqual([]);
    expect(env.emu.tasks().filter((task) => task.name === 'dcsm-safety-missing-secret')).toEqual([]);
    const status = await handle.query(statusQuery);
    expect(status.phase).toBe('failed');
    expect(status.taskId).toBeUndefined();
  });

  /** A configure refused with a 400: the task exists (a paid migration machine) when the migration fails. */
  /** The stop calls the emulator received since request number `before`. */
  function stopCallsSince(before: number) {
    return callsSince(env.emu, before, 'StopMigrationTask');
  }

  async function failAfterCreate(workflowId: string, onFailure?: 'stop' | 'delete' | 'keep') {
    env.emu.faults.add({ operation: 'SetOnlineMigrationTask', status: 400, errorCode: 'DCS.4961', errorMessage: 'Invalid source address.' });
    const handle = await env.start(onlineInput('incremental', onFailure ? { onFailure } : {}), workflowId);
    const failure = await failureOf(handle);
    expect(failure.type).toBe('DcsBadRequestError');
    expect(failure.message).toContain('Invalid source address.');
    const { taskId } = await handle.query(statusQuery);
    expect(taskId).toBeDefined();
    const view = await readMigration(env.temporal.client, workflowId);
    return { handle, failure, taskId: taskId!, view, task: () => env.emu.tasks().find((task) => task.id === taskId) };
  }

  it('a failure after the task was created stops it (onFailure default: stop), and the failure and `status` say so', async () => {
    const { failure, taskId, view, task } = await failAfterCreate('safety-fail-stop');
    expect(task()?.status).toBe('TERMINATED');
    expect(failure.message).toContain(`; remote task ${taskId} stopped (TERMINATED)`);
    expect(remoteTaskCleanupOf(failure.details)).toEqual({ action: 'stopped', taskId, status: 'TERMINATED' });
    expect(statusLines(view, undefined)).toContain(`on failure  remote task ${taskId} stopped (TERMINATED)`);
    expect(view.status).toMatchObject({ phase: 'failed', remoteStatus: 'TERMINATED', lastError: { type: 'DcsBadRequestError' } });
  });

  it('onFailure: delete stops and deletes the task', async () => {
    const { failure, taskId, task } = await failAfterCreate('safety-fail-delete', 'delete');
    expect(task()).toBeUndefined();
    expect(failure.message).toContain(`; remote task ${taskId} stopped and deleted (onFailure: delete)`);
    expect(remoteTaskCleanupOf(failure.details)?.action).toBe('deleted');
  });

  it('onFailure: keep leaves the task running and says so', async () => {
    const before = env.emu.requests().length;
    const { failure, taskId, task } = await failAfterCreate('safety-fail-keep', 'keep');
    expect(task()?.status).toBe('RUNNING');
    expect(failure.message).toContain(`; remote task ${taskId} kept (RUNNING) as requested (onFailure: keep)`);
    expect(stopCallsSince(before)).toEqual([]);
    await env.dcs.deleteMigrationTask({ task_id_list: [taskId] });
  });

  it('create committed but its answer lost, then the lookup refused: the task is found by name and stopped', async () => {
    // The create commits and its answer is lost; the lookup before the retry is refused (403, final), so the
    // create step fails without ever learning the task id, yet a paid task exists under the migration's name.
    env.emu.faults.add({ operation: 'CreateOnlineMigrationTask', commitThenDrop: true, count: 1 });
    const before = env.emu.requests().length;
    const handle = await env.start(onlineInput('full'), 'safety-lost-create');
    await waitFor(
      'the create call',
      () =>
        env.emu
          .requests()
          .slice(before)
          .some((request) => request.operation === 'CreateOnlineMigrationTask'),
      10_000,
      10,
    );
    env.emu.faults.add({ operation: 'ListMigrationTask', status: 403, count: 1 });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('DcsPermissionDeniedError');
    const tasks = env.emu.tasks().filter((task) => task.name === 'dcsm-safety-lost-create');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.status).toBe('TERMINATED');
    expect(failure.message).toContain(`; remote task ${tasks[0]?.id} stopped (TERMINATED)`);
  });

  it('a task already FAILED is left as it is: no stop call', async () => {
    env.emu.faults.add({ operation: 'SetOnlineMigrationTask', dataPlane: { failAt: 30 }, count: 1 });
    const before = env.emu.requests().length;
    const handle = await env.start(onlineInput('full'), 'safety-remote-failed');
    const failure = await failureOf(handle);
    expect(failure.type).toBe('RemoteTaskFailed');
    expect(failure.message).toMatch(/; remote task \S+ left as it is \(FAILED\): it has already ended, nothing to stop$/);
    expect(stopCallsSince(before)).toEqual([]);
  });

  it('a second migration with the same taskName is refused (RemoteTaskOwned, naming the first); the first is unaffected and cuts over', async () => {
    const taskName = 'shared-task-name-1';
    const first = await env.start(onlineInput('incremental', { taskName }), 'safety-owner');
    await waitFor('the incremental hold', async () => (await first.query(statusQuery)).phase === 'incremental-hold', 60_000, 100);
    const { taskId } = await first.query(statusQuery);

    const second = await env.start(onlineInput('full', { taskName }), 'safety-intruder');
    const failure = await failureOf(second);
    expect(failure.type).toBe('RemoteTaskOwned');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`remote task ${taskId} (${taskName}) is driven by the running migration safety-owner`);
    expect(failure.message).toContain('the task of the other migration was left alone');
    const secondStatus = await second.query(statusQuery);
    expect(secondStatus.taskId).toBeUndefined();
    expect(secondStatus.apiCalls['stopTask'] ?? 0).toBe(0);

    // The first keeps its task and its hold, and cuts over normally.
    expect(env.emu.tasks().filter((task) => task.name === taskName)).toHaveLength(1);
    expect(env.emu.tasks().find((task) => task.id === taskId)?.status).toBe('INCRMIGEATING');
    expect((await first.query(statusQuery)).phase).toBe('incremental-hold');
    await first.executeUpdate(cutoverUpdate, { args: [{ note: 'safety test' }] });
    const result = await resultOf(first);
    expect(result).toMatchObject({ outcome: 'cut-over', taskId, remoteStatus: 'TERMINATED' });
  });

  it("cancelling a second migration with the same taskName never stops the first one's task", async () => {
    const taskName = 'shared-task-name-2';
    const first = await env.start(onlineInput('incremental', { taskName }), 'safety-owner-2');
    await waitFor('the incremental hold', async () => (await first.query(statusQuery)).phase === 'incremental-hold', 60_000, 100);
    const { taskId } = await first.query(statusQuery);
    const before = env.emu.requests().length;

    // Cancelled at once: its cleanup looks the task up by name (its own create could be in flight) and finds the first's.
    const second = await env.start(onlineInput('full', { taskName }), 'safety-intruder-2');
    await second.cancel();
    const error = await second.result().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    // Depending on when the cancel lands: cancelled with nothing stopped, or refused before the cancel counted.
    if (cause instanceof ApplicationFailure) expect(cause.type).toBe('RemoteTaskOwned');
    else expect(cause).toBeInstanceOf(CancelledFailure);
    expect(callsSince(env.emu, before, 'StopMigrationTask', 'DeleteMigrationTask')).toEqual([]);
    expect(env.emu.tasks().find((task) => task.id === taskId)?.status).toBe('INCRMIGEATING');
    expect((await first.query(statusQuery)).phase).toBe('incremental-hold');

    await first.executeUpdate(cutoverUpdate, { args: [{ note: 'safety test' }] });
    expect(await resultOf(first)).toMatchObject({ outcome: 'cut-over', taskId, remoteStatus: 'TERMINATED' });
  });
});
