import { randomUUID } from 'node:crypto';
import type { MigrationTask, TaskLogLine } from './task.js';

/** The job behind an online task's migration machine (`GET /jobs/{job_id}`). */
export interface MigrationJob {
  id: string;
  taskId: string;
  beginAt: number;
  endAt: number;
}

/**
 * Every migration task and job of one emulator, in creation order (the order List returns them). Deleting a task
 * removes it for good: Show then answers DCS.4133, as Terraform expects of a deleted task.
 */
export class TaskStore {
  private readonly tasks = new Map<string, MigrationTask>();
  private readonly jobs = new Map<string, MigrationJob>();
  private readonly timers = new Map<string, Set<() => void>>();

  /** A fresh task id, UUID-shaped like the real ones. */
  newId(): string {
    return randomUUID();
  }

  add(task: MigrationTask): void {
    this.tasks.set(task.id, task);
  }

  get(id: string): MigrationTask | undefined {
    return this.tasks.get(id);
  }

  all(): MigrationTask[] {
    return [...this.tasks.values()];
  }

  addJob(job: MigrationJob): void {
    this.jobs.set(job.id, job);
  }

  job(id: string): MigrationJob | undefined {
    return this.jobs.get(id);
  }

  /** Registers a cleanup (watcher, timer) that runs when the task is deleted or the store is cleared. */
  onDispose(taskId: string, dispose: () => void): void {
    const set = this.timers.get(taskId) ?? new Set();
    set.add(dispose);
    this.timers.set(taskId, set);
  }

  /** Removes a task; returns it so the caller can stop its run. */
  delete(id: string): MigrationTask | undefined {
    const task = this.tasks.get(id);
    if (!task) return undefined;
    this.tasks.delete(id);
    this.dispose(id);
    return task;
  }

  /** Removes everything; returns the tasks so the caller can stop their runs. */
  clear(): MigrationTask[] {
    const tasks = this.all();
    for (const id of this.timers.keys()) this.dispose(id);
    this.tasks.clear();
    this.jobs.clear();
    return tasks;
  }

  private dispose(id: string): void {
    for (const dispose of this.timers.get(id) ?? []) dispose();
    this.timers.delete(id);
  }
}

/** Appends a log line to a task (ListMigrationTaskLogs shows them). Messages must not contain secrets. */
export function appendLog(
  task: MigrationTask,
  level: TaskLogLine['level'],
  code: string,
  message: string,
  keywords: string[] = [],
): void {
  task.logs.push({ at: Date.now(), level, code, message, keywords });
}
