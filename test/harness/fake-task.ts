/**
 * The remote task of one scripted migration, as the fake DCS keeps it: what has been created, configured, stopped,
 * deleted, restarted and switched, the task's log, and which scripted answer comes next. The fake activities
 * (`fake-activities.ts`) record each call and ask this model for the answer; times are workflow times.
 */
import { IpSwitchStatus } from '../../common/dcs-status.js';
import type { TaskLogEntry } from '../../common/workflow-contract.js';
import type { Activities } from '../../activities/index.js';
import type { ReadAnswer, RestartScript, TaskScript } from './task-script.js';

export interface RecordedCall {
  name: keyof Activities;
  /** Workflow time (ms since epoch) the attempt was scheduled at. */
  at: number;
  runId: string;
  args: unknown[];
}

export const TASK_ID = 'task-0001';

/** Runs one recorded call of the calling workflow's task (faults applied): `fake-activities.ts`'s `call`. */
export type FakeCall = <T>(name: keyof Activities, args: unknown[], answer: FakeAnswer<T>) => Promise<T>;

/** The answer of a call from the task's model, at workflow time `at`. */
export type FakeAnswer<T> = (task: FakeTask, at: number) => T | Promise<T>;

function pick<T>(list: readonly T[], index: number): T {
  return list[Math.min(index, list.length - 1)]!;
}

export class FakeTask {
  readonly calls: RecordedCall[] = [];
  /** Calls answering now, and the real time (ms) the last one answered: see `ScriptedRun.idle`. */
  inFlight = 0;
  lastAnsweredAt = 0;
  /** The name the workflow looks the task up by (its last lookup). */
  taskName = '';
  /** Tasks the create calls made (a lost create answer still made one). */
  tasksCreated = 0;
  stopped = false;
  deleted = false;
  configured = false;
  lastRead: ReadAnswer | undefined;
  readonly log: TaskLogEntry[];
  private reads = 0;
  private readsAfterStop = 0;
  private provisioningReads = 0;
  private waits = 0;
  private statsReads = 0;
  private restarts = 0;
  private createdAt: number | undefined;
  private configuredAt: number | undefined;
  private online = false;
  /** Reads that answered a log already (each read's entries are written once). */
  private readonly logged = new Set<ReadAnswer>();
  private ipSwitch: { settled: string; readsLeft: number } | undefined;
  private swapped = false;
  private exchanges = 0;

  constructor(readonly script: TaskScript) {
    this.log = [...(script.log ?? [])];
  }

  /** Whether a lookup by name finds the task. */
  get exists(): boolean {
    return (this.tasksCreated > 0 || this.script.existing === true) && !this.deleted;
  }

  /** How many calls named `name` were recorded, this one included. */
  callNumber(name: keyof Activities): number {
    return this.calls.filter((call) => call.name === name).length;
  }

  created(at: number, online: boolean): void {
    this.tasksCreated += 1;
    this.createdAt = at;
    this.online ||= online;
  }

  configure(at: number): void {
    this.configured = true;
    this.configuredAt ??= at;
  }

  /** The next read of the task, at workflow time `at`. */
  nextRead(at: number): ReadAnswer {
    const answer = this.answerAt(at);
    this.lastRead = answer;
    if (typeof answer === 'object' && 'status' in answer && answer.log && !this.logged.has(answer)) {
      this.logged.add(answer);
      this.log.push(...answer.log);
    }
    return answer;
  }

  private answerAt(at: number): ReadAnswer {
    const { script } = this;
    if (this.deleted) return { absent: true };
    if (this.stopped) return pick(script.afterStop ?? ['TERMINATED'], this.readsAfterStop++);
    if (script.timeline) {
      if (this.online && this.configuredAt === undefined) return 'RUNNING';
      return this.fraction(at) < 1 ? 'FULLMIGRATING' : (script.timeline.endStatus ?? 'SUCCESS');
    }
    if (this.online && !this.configured) return pick(script.provisioning ?? ['RUNNING'], this.provisioningReads++);
    return pick(script.reads, this.reads++);
  }

  /** The status the task shows now (its last read), for calls that answer one besides a read. */
  currentStatus(): string {
    const last = this.lastRead;
    if (typeof last === 'string') return last;
    return last && 'status' in last ? last.status : 'INCRMIGEATING';
  }

  /** The fraction copied by workflow time `at`, per the script's timeline. */
  fraction(at: number): number {
    const elapsed = at - (this.configuredAt ?? this.createdAt ?? 0);
    return Math.min(1, Math.max(0, elapsed / this.script.timeline!.fullSyncMs));
  }

  nextOffset(): number {
    return pick(this.script.offsets ?? [0], this.statsReads++);
  }

  nextWait(): string {
    return pick(this.script.watch ?? ['fail'], this.waits++);
  }

  nextRestart(): RestartScript {
    return pick(this.script.restarts ?? [{ delivered: true }], this.restarts++);
  }

  /** exchange-ip or rollback-ip taken: EXCHANGING for the scripted reads, then `settled`. */
  startSwitch(settled: string): void {
    const reads = this.script.switch?.settleReads ?? 1;
    this.ipSwitch = { settled, readsLeft: reads === 'never' ? Infinity : reads };
    if (settled !== IpSwitchStatus.ExchangeSuccess) {
      this.swapped = false;
      return;
    }
    this.exchanges += 1;
    this.swapped = !(this.script.switch?.unmovedExchanges ?? []).includes(this.exchanges);
  }

  /** `task_status` as the next switch-state read shows it. */
  readSwitchStatus(): string {
    const ipSwitch = this.ipSwitch;
    if (!ipSwitch) return '';
    if (ipSwitch.readsLeft > 0) {
      ipSwitch.readsLeft -= 1;
      return IpSwitchStatus.Exchanging;
    }
    return ipSwitch.settled;
  }

  /** The sides' addresses the task shows. */
  addresses(): { source: string; target: string } {
    const { source = '10.0.0.1:6379', target = '10.0.0.2:6379' } = this.script.switch ?? {};
    return { source, target };
  }

  /** The `run_id` of the server answering at `address` now (the addresses swap with a switch that moved them). */
  runIdAt(address: string): string {
    const { source, target } = this.addresses();
    const sourceRunId = this.script.switch?.sourceRunId ?? 'run-id-of-the-source-server';
    const targetRunId = this.script.switch?.targetRunId ?? 'run-id-of-the-target-server';
    if (address === source) return this.swapped ? targetRunId : sourceRunId;
    if (address === target) return this.swapped ? sourceRunId : targetRunId;
    return '';
  }
}
