/**
 * The rollback window's reverse task on the time-skipping layer: a wrapper over `fakeActivities()` (which keeps the
 * migration's own task and the client switch) that answers every call about the reverse task — by its name
 * (`…-rev`) or its id — from a model of a second DCS task on a clock of workflow time: CREATING, RUNNING until
 * configured, FULLMIGRATING for `fullSyncMs`, then INCRMIGEATING with scripted offsets, or FAILED. Every call is
 * also recorded in one log, in order, with which task it was about, so a test asserts the order of the reverse
 * task's stop and rollback-ip.
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/index.js';
import { paidTasksLeft } from './paid-tasks.js';
import type { FakeActivities, TaskScript } from './fake-activities.js';

export const REVERSE_TASK_ID = 'reverse-0001';

export interface ReverseScript {
  /** CREATING for this long after the create call (default 1 s). */
  createMs?: number;
  /** FULLMIGRATING for this long after the configure call (default 60 s). */
  fullSyncMs?: number;
  /** Offsets of successive progress reads once incremental; the last one repeats (default 0), or all (`cycle`). */
  offsets?: readonly number[];
  cycle?: boolean;
  /** Workflow time after the configure call at which it turns FAILED (its log then has an ERROR entry). */
  failAfterMs?: number;
  /** The configure call is refused for good (as DCS refuses a Proxy Cluster source). */
  refuseConfigure?: string;
}

export interface SwitchScenario {
  /** The migration's own task and the switch (`fakeActivities`' script). */
  task: TaskScript;
  reverse?: ReverseScript;
  /**
   * The post-switch check's answer instead of the fake's own (which passes when the switch moved the addresses):
   * e.g. failed with the target reached (a canary the target refused).
   */
  check?: { outcome: 'passed' | 'failed'; reached?: 'target' | 'other' | 'unknown' };
  /**
   * Keys only the source holds when the rollback lists them (deleted on the target before the reverse task's full
   * sync); the delete that follows deletes them all. Default none.
   */
  sourceOnlyKeys?: Array<{ db: number; key: string }>;
  /** What the pre-flight checks answer (default: the fake's, none). */
  prechecks?: Awaited<ReturnType<Activities['runPrechecks']>>['outcomes'];
}

export interface LoggedCall {
  name: keyof Activities;
  /** Which task (or the switch) it was about. */
  about: 'migration' | 'reverse' | 'switch' | 'worker';
  at: number;
  args: unknown[];
  /** The offset a progress read of the reverse task answered. */
  offset?: number;
}

interface ReverseModel {
  script: ReverseScript;
  createdAt?: number;
  configuredAt?: number;
  stoppedAt?: number;
  deleted: boolean;
  statsReads: number;
}

interface Scenario {
  script: SwitchScenario;
  log: LoggedCall[];
  reverse: ReverseModel;
  /** After a rollback DCS shows the migration's task SUCCESS, its machine released (as the emulator does). */
  rolledBack: boolean;
}

function now(): number {
  return activityInfo().currentAttemptScheduledTimestampMs;
}

function isReverseName(name: string): boolean {
  return /-rev\d*$/.test(name);
}

function reverseStatus(model: ReverseModel, at: number): string | undefined {
  const { script } = model;
  if (model.deleted || model.createdAt === undefined) return undefined;
  if (model.stoppedAt !== undefined) return at - model.stoppedAt < 1_000 ? 'TERMINATING' : 'TERMINATED';
  if (at - model.createdAt < (script.createMs ?? 1_000)) return 'CREATING';
  if (model.configuredAt === undefined) return 'RUNNING';
  const since = at - model.configuredAt;
  if (script.failAfterMs !== undefined && since >= script.failAfterMs) return 'FAILED';
  return since < (script.fullSyncMs ?? 60_000) ? 'FULLMIGRATING' : 'INCRMIGEATING';
}

export interface FakeReverseSync {
  activities: Activities;
  /** Scripts workflow `workflowId`; returns its log of every call, in order. */
  script(workflowId: string, scenario: SwitchScenario): LoggedCall[];
  /** Prints and returns how many paid tasks (the migration's, the reverse one) the workflow left running. */
  paidTasksLeft(workflowId: string, label: string): number;
}

export function fakeReverseSync(base: FakeActivities): FakeReverseSync {
  const scenarios = new Map<string, Scenario>();
  const b = base.activities;

  function scenario(): Scenario {
    const workflowId = activityInfo().workflowExecution?.workflowId ?? '(none)';
    const found = scenarios.get(workflowId);
    if (!found)
      throw ApplicationFailure.nonRetryable(`no reverse sync scenario for workflow ${workflowId}`, 'NotScripted');
    return found;
  }

  function log(name: keyof Activities, about: LoggedCall['about'], args: unknown[]): Scenario {
    const current = scenario();
    current.log.push({ name, about, at: now(), args });
    return current;
  }

  const reverseTask = (model: ReverseModel, at: number, taskName: string) => {
    const status = reverseStatus(model, at);
    return status === undefined ? undefined : { taskId: REVERSE_TASK_ID, taskName, status };
  };

  /** The activity `name` of the base, recorded in the log as about `about`. */
  const logged = <K extends keyof Activities>(name: K, about: LoggedCall['about']) =>
    ((...args: unknown[]) => {
      log(name, about, args);
      return (b[name] as (...a: unknown[]) => unknown)(...args);
    }) as Activities[K];

  const activities: Activities = {
    ...b,
    comparePasswords: logged('comparePasswords', 'worker'),
    identifyServers: logged('identifyServers', 'worker'),
    async listSourceOnlyKeys(request) {
      const keys = log('listSourceOnlyKeys', 'worker', [request]).script.sourceOnlyKeys ?? [];
      return { keys, scanned: keys.length, truncated: false, attempts: 1 };
    },
    async deleteSourceOnlyKeys(request) {
      log('deleteSourceOnlyKeys', 'worker', [request]);
      return { deleted: request.keys.length, attempts: 1 };
    },
    showSwitchState: logged('showSwitchState', 'switch'),
    exchangeIp: logged('exchangeIp', 'switch'),
    async rollbackIp(taskId) {
      const current = log('rollbackIp', 'switch', [taskId]);
      const answer = await b.rollbackIp(taskId);
      current.rolledBack = true;
      return answer;
    },
    async checkSwitched(request) {
      const current = log('checkSwitched', 'worker', [request]);
      const check = current.script.check;
      if (!check) return b.checkSwitched(request);
      return { ...check, evidence: `scripted: ${check.outcome}, reached ${check.reached ?? 'unknown'}`, attempts: 1 };
    },
    async runPrechecks(input) {
      const current = scenario();
      return current.script.prechecks ? { outcomes: current.script.prechecks, attempts: 1 } : b.runPrechecks(input);
    },
    async findTaskByName(taskName) {
      if (!isReverseName(taskName)) return logged('findTaskByName', 'migration')(taskName);
      const current = log('findTaskByName', 'reverse', [taskName]);
      return { task: reverseTask(current.reverse, now(), taskName), attempts: 1 };
    },
    async createOnlineTask(request) {
      if (!isReverseName(request.taskName)) return logged('createOnlineTask', 'migration')(request);
      const current = log('createOnlineTask', 'reverse', [request]);
      current.reverse.createdAt = now();
      return { taskId: REVERSE_TASK_ID, jobId: 'job-reverse', attempts: 1 };
    },
    async configureOnlineTask(taskId, request) {
      if (taskId !== REVERSE_TASK_ID) return logged('configureOnlineTask', 'migration')(taskId, request);
      const current = log('configureOnlineTask', 'reverse', [taskId, request]);
      const refusal = current.reverse.script.refuseConfigure;
      if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'DcsBadRequestError');
      current.reverse.configuredAt = now();
      return { status: 'FULLMIGRATING', attempts: 1 };
    },
    async showTaskStats(taskId) {
      if (taskId !== REVERSE_TASK_ID) return logged('showTaskStats', 'migration')(taskId);
      const current = log('showTaskStats', 'reverse', [taskId]);
      const { reverse } = current;
      if (reverseStatus(reverse, now()) === 'FULLMIGRATING') {
        const percent = Math.floor(((now() - reverse.configuredAt!) / (reverse.script.fullSyncMs ?? 60_000)) * 100);
        return { progress: { fullMigrationProgress: percent }, attempts: 1 };
      }
      const offsets = reverse.script.offsets ?? [0];
      const index = reverse.statsReads++;
      const offset = offsets[reverse.script.cycle ? index % offsets.length : Math.min(index, offsets.length - 1)]!;
      current.log.at(-1)!.offset = offset;
      return { progress: { offset, fullMigrationProgress: 100 }, attempts: 1 };
    },
    async stopTask(taskId) {
      if (taskId !== REVERSE_TASK_ID) return logged('stopTask', 'migration')(taskId);
      const { reverse } = log('stopTask', 'reverse', [taskId]);
      reverse.stoppedAt ??= now();
      return { status: 'TERMINATING', attempts: 1 };
    },
    async deleteTask(taskId) {
      if (taskId !== REVERSE_TASK_ID) return logged('deleteTask', 'migration')(taskId);
      log('deleteTask', 'reverse', [taskId]).reverse.deleted = true;
      return { attempts: 1 };
    },
    async readTaskLog(request) {
      if (request.taskId !== REVERSE_TASK_ID) return logged('readTaskLog', 'migration')(request);
      log('readTaskLog', 'reverse', [request]);
      const message = 'Migration failed: source connection lost.';
      const entry = { at: '2026-12-08T10:00:00Z', level: 'ERROR', code: 'migration.failed', message };
      return { entries: [entry], total: 1, attempts: 1 };
    },
  };

  return {
    activities,
    script(workflowId, script) {
      base.script(workflowId, script.task);
      const reverse = { script: script.reverse ?? {}, deleted: false, statsReads: 0 };
      const entry: Scenario = { script, log: [], reverse, rolledBack: false };
      scenarios.set(workflowId, entry);
      return entry.log;
    },
    paidTasksLeft(workflowId, label) {
      const entry = scenarios.get(workflowId)!;
      const task = base.task(workflowId);
      const ended = task.stopped || task.deleted || entry.rolledBack;
      const migration = task.tasksCreated > 0 ? [{ status: ended ? 'TERMINATED' : 'INCRMIGEATING' }] : [];
      const model = entry.reverse;
      const failed = model.script.failAfterMs !== undefined && model.configuredAt !== undefined;
      const reverseEnded =
        model.stoppedAt !== undefined || model.deleted ? 'TERMINATED' : failed ? 'FAILED' : 'INCRMIGEATING';
      const reverse = model.createdAt === undefined ? [] : [{ status: reverseEnded }];
      return paidTasksLeft(label, [...migration, ...reverse]);
    },
  };
}
