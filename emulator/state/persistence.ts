/**
 * The emulator keeps its state in its data dir (issue 28): stopped (SIGTERM) or killed (SIGKILL) and started again
 * on the same data dir, it has every task (status, logs, job), every instance with its data, ports and service
 * address, and resumes what was moving data, as DCS does across its own restarts.
 *
 * Exactness: `<dataDir>/state.json` is replaced atomically (state-file.ts) after every HTTP request, before its
 * answer leaves, so whatever a client was told (a task created, a status read) is on disk when it hears it,
 * whenever the process dies afterwards; changes made in the background (a run's phase, a log line, a switch
 * settling) are saved within `SAVE_EVERY_MS` and on the next request. The instances' data is each redis-server's
 * own AOF (instance-servers.ts).
 */
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from '../../local/processes.js';
import type { EmulatorContext } from '../context.js';
import { stopOrphanServers } from '../instances/orphan-servers.js';
import { scheduleReadyLog } from '../operations/create-tasks.js';
import { resumeSwitch } from '../operations/ip-switch.js';
import { resumeRun } from '../operations/task-runs.js';
import type { MigrationTask } from '../tasks/task.js';
import { savedState, STATE_VERSION, type SavedState, type SavedTask } from './saved-state.js';
import { StateFile } from './state-file.js';
import { FinishedRun, runHadEnded, saveTask } from './task-state.js';

const SAVE_EVERY_MS = 500;

export interface Persistence {
  /** Saves the state if it changed; resolves once it is on disk. */
  save(): Promise<void>;
  /**
   * Saves one last time and stops saving: what a shutdown does next (stopping runs and servers) is not what
   * happened to the tasks, and must not be what a restart finds.
   */
  close(): Promise<void>;
}

/** What a restart found in the data dir. */
export interface RestoredState {
  tasks: number;
  instances: number;
  /** Pids of redis-servers a killed emulator left running, stopped before their instances started again. */
  orphansStopped: number[];
}

/**
 * Claims the data dir (one emulator at a time: two would overwrite each other's state and fight over the ports) and
 * reads its state file. Throws naming the file and field when the file is damaged, or the pid of the emulator that
 * uses the dir.
 */
export async function openState(dataDir: string): Promise<OpenedState> {
  await mkdir(dataDir, { recursive: true });
  const release = await claimDataDir(dataDir);
  try {
    const file = new StateFile(path.join(dataDir, 'state.json'));
    return { file, saved: await file.read(savedState), release };
  } catch (error) {
    await release();
    throw error;
  }
}

export interface OpenedState {
  file: StateFile;
  /** What the file held; undefined for a data dir without state (a first start). */
  saved: SavedState | undefined;
  /** Gives the data dir up (removes the pid file). */
  release(): Promise<void>;
}

/** Starts the saved instances again (after stopping what a killed emulator left running) and brings the tasks back. */
export async function restoreState(ctx: EmulatorContext, saved: SavedState): Promise<RestoredState> {
  const orphansStopped = await stopOrphanServers(saved);
  await ctx.instances.restore(saved);
  for (const task of saved.tasks) restoreTask(ctx, task);
  return { tasks: saved.tasks.length, instances: saved.instances.length, orphansStopped };
}

function restoreTask(ctx: EmulatorContext, saved: SavedTask): void {
  const { run, job, ...fields } = saved;
  const task: MigrationTask = { ...fields };
  ctx.store.add(task);
  if (job) ctx.store.addJob(job);
  const announcedReady = task.logs.some((line) => line.code === 'migration.instance.ready');
  if (task.kind === 'online' && !announcedReady) scheduleReadyLog(ctx, task);
  if (run && runHadEnded(run)) task.run = new FinishedRun(run);
  else if (run) resumeRun(ctx, task, { synced: run.synced === true });
  resumeSwitch(ctx, task);
}

/** Saves after every change the caller reports and every `SAVE_EVERY_MS`; see the module comment. */
export function startPersistence(ctx: EmulatorContext, file: StateFile, release: () => Promise<void>): Persistence {
  let closed = false;
  const snapshot = (): SavedState => {
    const { instances, addresses } = ctx.instances.snapshot();
    const jobOf = (task: MigrationTask) => (task.jobId === undefined ? undefined : ctx.store.job(task.jobId));
    const tasks = ctx.store.all().map((task) => saveTask(task, jobOf(task)));
    return { version: STATE_VERSION, instances, addresses, tasks };
  };
  const save = (): Promise<void> => (closed ? Promise.resolve() : file.save(snapshot));
  const timer = setInterval(() => void save().catch(() => undefined), SAVE_EVERY_MS);
  timer.unref();
  return {
    save,
    close: async () => {
      if (closed) return;
      clearInterval(timer);
      try {
        await save();
      } finally {
        closed = true;
        await release();
      }
    },
  };
}

/** Data dirs claimed by emulators of this process (several may run in one process: tests). */
const claimedHere = new Set<string>();

/** `<dataDir>/emulator.pid`: refused while another live emulator holds it; a dead one's (SIGKILL) is taken over. */
async function claimDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = path.join(dataDir, 'emulator.pid');
  const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
  const here = holder === process.pid;
  const held = here ? claimedHere.has(path.resolve(dataDir)) : holder > 0 && isAlive(holder) && runsNode(holder);
  if (Number.isInteger(holder) && held) {
    const fix = 'stop it, or use another data dir';
    throw new Error(`the data dir ${dataDir} is in use by another emulator (pid ${holder}, see ${lock}): ${fix}`);
  }
  claimedHere.add(path.resolve(dataDir));
  const handle = await open(lock, 'w');
  try {
    await handle.writeFile(String(process.pid));
  } finally {
    await handle.close();
  }
  return async () => {
    claimedHere.delete(path.resolve(dataDir));
    const still = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (still === process.pid) await rm(lock, { force: true });
  };
}

/** A pid reused by something else after the holder died must not keep the dir locked (Linux: checked in /proc). */
function runsNode(pid: number): boolean {
  try {
    return /node|tsx/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}
