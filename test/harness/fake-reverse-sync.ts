/**
 * The client switch and the rollback window's reverse task on the time-skipping layer: a wrapper over
 * `fakeActivities()` (which keeps the migration's own task) that answers the switch's calls from a small model of
 * the two instances' addresses, and every call about the reverse task (by its name, `…-rev`, or its id) from a
 * model of a second DCS task on a clock of workflow time: CREATING, RUNNING until configured, FULLMIGRATING for
 * `fullSyncMs`, then INCRMIGEATING with scripted offsets, or FAILED. Every call is recorded in order, with which
 * task it was about, so a test asserts the order of the reverse task's stop and rollback-ip.
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/index.js';
import { IpSwitchStatus } from '../../common/dcs-status.js';
import { paidTasksLeft } from './paid-tasks.js';
import type { FakeActivities, TaskScript } from './fake-activities.js';

export const REVERSE_TASK_ID = 'reverse-0001';
const SOURCE_ADDRESS = '10.0.0.1:6379';
const TARGET_ADDRESS = '10.0.0.2:6379';

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
  /** The migration's own task (`fakeActivities`). */
  task: TaskScript;
  reverse?: ReverseScript;
  /** The post-switch check's answer (default: passed, the target reached). */
  check?: { outcome: 'passed' | 'failed'; reached?: 'target' | 'other' | 'unknown' };
  /** rollback-ip fails and DCS does not show it taken. */
  failRollbackIp?: boolean;
  /** What the pre-flight checks answer (default: none). */
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
  ipSwitch: string;
  swapped: boolean;
  reverse: ReverseModel;
  migrationStopped: boolean;
  migrationCreated: boolean;
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

export interface FakeSwitchActivities {
  activities: Activities;
  /** Scripts workflow `workflowId`; returns its log of every call, in order. */
  script(workflowId: string, scenario: SwitchScenario): LoggedCall[];
  /** Prints and returns how many paid tasks (the migration's, the reverse one) the workflow left running. */
  paidTasksLeft(workflowId: string, label: string): number;
}

export function fakeSwitchActivities(base: FakeActivities): FakeSwitchActivities {
  const scenarios = new Map<string, Scenario>();
  const b = base.activities;

  function scenario(): Scenario {
    const workflowId = activityInfo().workflowExecution?.workflowId ?? '(none)';
    const found = scenarios.get(workflowId);
    if (!found) throw ApplicationFailure.nonRetryable(`no switch scenario for workflow ${workflowId}`, 'NotScripted');
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

  const activities: Activities = {
    ...b,
    async runPrechecks(input) {
      const current = scenario();
      return current.script.prechecks ? { outcomes: current.script.prechecks, attempts: 1 } : b.runPrechecks(input);
    },
    async findTaskByName(taskName) {
      if (!isReverseName(taskName)) {
        log('findTaskByName', 'migration', [taskName]);
        return b.findTaskByName(taskName);
      }
      const current = log('findTaskByName', 'reverse', [taskName]);
      return { task: reverseTask(current.reverse, now(), taskName), attempts: 1 };
    },
    async createOnlineTask(request) {
      if (!isReverseName(request.taskName)) {
        log('createOnlineTask', 'migration', [request]).migrationCreated = true;
        return b.createOnlineTask(request);
      }
      const current = log('createOnlineTask', 'reverse', [request]);
      current.reverse.createdAt = now();
      return { taskId: REVERSE_TASK_ID, jobId: 'job-reverse', attempts: 1 };
    },
    async configureOnlineTask(taskId, request) {
      if (taskId !== REVERSE_TASK_ID) {
        log('configureOnlineTask', 'migration', [taskId, request]);
        return b.configureOnlineTask(taskId, request);
      }
      const current = log('configureOnlineTask', 'reverse', [taskId, request]);
      const refusal = current.reverse.script.refuseConfigure;
      if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'DcsBadRequestError');
      current.reverse.configuredAt = now();
      return { status: 'FULLMIGRATING', attempts: 1 };
    },
    async showTaskStats(taskId) {
      if (taskId !== REVERSE_TASK_ID) {
        log('showTaskStats', 'migration', [taskId]);
        return b.showTaskStats(taskId);
      }
      const current = log('showTaskStats', 'reverse', [taskId]);
      const { reverse } = current;
      const status = reverseStatus(reverse, now());
      if (status === 'FULLMIGRATING') {
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
      if (taskId !== REVERSE_TASK_ID) {
        log('stopTask', 'migration', [taskId]).migrationStopped = true;
        return b.stopTask(taskId);
      }
      const { reverse } = log('stopTask', 'reverse', [taskId]);
      reverse.stoppedAt ??= now();
      return { status: 'TERMINATING', attempts: 1 };
    },
    async deleteTask(taskId) {
      if (taskId !== REVERSE_TASK_ID) {
        log('deleteTask', 'migration', [taskId]);
        return b.deleteTask(taskId);
      }
      log('deleteTask', 'reverse', [taskId]).reverse.deleted = true;
      return { attempts: 1 };
    },
    async readTaskLog(request) {
      if (request.taskId !== REVERSE_TASK_ID) {
        log('readTaskLog', 'migration', [request]);
        return b.readTaskLog(request);
      }
      log('readTaskLog', 'reverse', [request]);
      const message = 'Migration failed: source connection lost.';
      const entry = { at: '2026-12-08T10:00:00Z', level: 'ERROR', code: 'migration.failed', message };
      return { entries: [entry], total: 1, attempts: 1 };
    },
    async comparePasswords(refs) {
      log('comparePasswords', 'worker', [refs]);
      return { samePassword: true, attempts: 1 };
    },
    async showSwitchState(taskId) {
      const current = log('showSwitchState', 'switch', [taskId]);
      const addresses = { source: SOURCE_ADDRESS, target: TARGET_ADDRESS };
      return { status: 'INCRMIGEATING', ipSwitchStatus: current.ipSwitch, ...addresses, attempts: 1 };
    },
    async exchangeIp(taskId, request) {
      const current = log('exchangeIp', 'switch', [taskId, request]);
      current.ipSwitch = IpSwitchStatus.ExchangeSuccess;
      current.swapped = true;
      return { attempts: 1 };
    },
    async rollbackIp(taskId) {
      const current = log('rollbackIp', 'switch', [taskId]);
      const refused = ApplicationFailure.nonRetryable('rollback refused', 'DcsBadRequestError');
      if (current.script.failRollbackIp) throw refused;
      current.ipSwitch = IpSwitchStatus.RollbackSuccess;
      current.swapped = false;
      // After a rollback DCS shows the migration's task SUCCESS (its machine released), as the emulator does.
      current.migrationStopped = true;
      return { attempts: 1 };
    },
    async identifyServers(request) {
      const current = log('identifyServers', 'worker', [request]);
      const atSource = (address: string) => (address === SOURCE_ADDRESS) !== current.swapped;
      const runIdAt = (address: string) => (atSource(address) ? 'run-source' : 'run-target');
      const servers = request.addresses.map((address) => ({ address, runId: runIdAt(address), cluster: false }));
      return { servers, attempts: 1 };
    },
    async checkSwitched(request) {
      const current = log('checkSwitched', 'worker', [request]);
      const check = current.script.check ?? { outcome: 'passed', reached: 'target' };
      return { ...check, evidence: `scripted: ${check.outcome}, reached ${check.reached ?? 'unknown'}`, attempts: 1 };
    },
  };

  return {
    activities,
    script(workflowId, script) {
      base.script(workflowId, script.task);
      const entry: Scenario = {
        script,
        log: [],
        ipSwitch: '',
        swapped: false,
        reverse: { script: script.reverse ?? {}, deleted: false, statsReads: 0 },
        migrationStopped: false,
        migrationCreated: false,
      };
      scenarios.set(workflowId, entry);
      return entry.log;
    },
    paidTasksLeft(workflowId, label) {
      const entry = scenarios.get(workflowId)!;
      const migrationStatus = entry.migrationStopped ? 'TERMINATED' : 'INCRMIGEATING';
      const migration = entry.migrationCreated ? [{ status: migrationStatus }] : [];
      const model = entry.reverse;
      const failed = model.script.failAfterMs !== undefined && model.configuredAt !== undefined;
      const ended = model.stoppedAt !== undefined || model.deleted ? 'TERMINATED' : failed ? 'FAILED' : 'INCRMIGEATING';
      const reverse = model.createdAt === undefined ? [] : [{ status: ended }];
      return paidTasksLeft(label, [...migration, ...reverse]);
    },
  };
}
