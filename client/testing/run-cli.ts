/**
 * Test helpers that run the real `dcs-migrate` binary (`node bin/dcs-migrate.js …`) as a child process, the
 * way an operator or a script does, and a migration worker started the same way (`dcs-migrate worker`).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TEMPORAL_HTTP_VAR } from '../../common/client-env.js';
import { startProcess, type ManagedProcess } from '../../local/processes.js';
import { projectRoot } from '../../local/tools.js';
import { waitFor } from '../../local/wait.js';

export const CLI_BIN = path.join(projectRoot, 'bin', 'dcs-migrate.js');

/**
 * The environment a CLI child gets: nothing of this process's own (no stray TEMPORAL_* or DCS_* from the shell),
 * only PATH and HOME, the Temporal server and the task queue, plus `extra`.
 */
export function cliEnvironment(
  temporal: { address: string; namespace: string; httpUrl?: string | undefined },
  taskQueue: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    // As the local stack's env file sets it: `status` reads through Temporal's HTTP API.
    ...(temporal.httpUrl ? { [TEMPORAL_HTTP_VAR]: temporal.httpUrl } : {}),
    DCS_MIGRATE_TASK_QUEUE: taskQueue,
    ...extra,
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dcs-migrate <args>` to completion; never throws for a non-zero exit (the test asserts the code). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { env, cwd: projectRoot, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number')
          return reject(new Error(`dcs-migrate ${args.join(' ')}: ${error.message}\n${stderr}`));
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Parses the stdout of a `--json` run, saying what the output was when it is not JSON. */
export function jsonOf<T = unknown>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout (exit ${run.code}); stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

export interface CliWorker {
  process: ManagedProcess;
  logFile: string;
  /** The worker's log lines, parsed (it logs one JSON object per line). */
  logLines(): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

/** Starts `dcs-migrate worker <args>` and waits until it logs that it started. */
export async function startCliWorker(args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<CliWorker> {
  const proc = startProcess({
    name: 'dcs-migrate-worker',
    command: process.execPath,
    args: [CLI_BIN, 'worker', ...args],
    env,
    cwd: projectRoot,
    logFile,
  });
  const logLines = async () =>
    (await readFile(logFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  try {
    await waitFor(
      'dcs-migrate worker to start',
      async () => {
        if (proc.child.exitCode !== null)
          throw new Error(
            `worker exited with ${proc.child.exitCode}: ${await readFile(logFile, 'utf8').catch(() => '')}`,
          );
        return (await logLines()).some((line) => line.msg === 'worker started');
      },
      120_000,
      250,
    );
  } catch (error) {
    await proc.kill();
    throw error;
  }
  return { process: proc, logFile, logLines, stop: () => proc.stop(40_000) };
}
