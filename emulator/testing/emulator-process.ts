/**
 * `dcs-migrate emulator` as a real process for tests that stop, kill and start it again: a fixed account (so a
 * restart is reached with the same keys), its output in a file, and how to reach its instances.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { startProcess, type ManagedProcess } from '../../local/processes.js';
import { projectRoot } from '../../local/tools.js';
import { waitFor } from '../../local/wait.js';
import type { DcsEndpoint } from './signed-http.js';

export interface ListedInstance {
  id: string;
  host: string;
  port: number;
  service?: { host: string; port: number };
}

export interface EmulatorProcess extends DcsEndpoint {
  readonly proc: ManagedProcess;
  readonly port: number;
  /** Everything it printed so far. */
  output(): Promise<string>;
  /** The admin API's instance list: id, server host/port, service address. */
  instances(): Promise<ListedInstance[]>;
}

/** The account every start uses: what a user keeps in the shell that starts the emulator. */
export const FIXED_ACCOUNT = {
  ak: 'RESTARTTESTAK0000001',
  sk: 'restart-test-secret-key-0000000000000001',
  projectId: '0123456789abcdef0123456789abcdef',
};

function env(): NodeJS.ProcessEnv {
  const dcsVariable = /^(DCS_|CLOUD_SDK_|HUAWEICLOUD_SDK_)/;
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !dcsVariable.test(name)));
  return {
    ...base,
    HUAWEICLOUD_SDK_AK: FIXED_ACCOUNT.ak,
    HUAWEICLOUD_SDK_SK: FIXED_ACCOUNT.sk,
    DCS_PROJECT_ID: FIXED_ACCOUNT.projectId,
  };
}

export interface StartOptions {
  port: number;
  dataDir: string;
  /** The file its output goes to (appended: the starts of one test share it). */
  log: string;
  /** More flags (`--instance`, timings). */
  args: string[];
}

/** Starts the emulator on `port` with `dataDir`; resolves once it says it is ready. `log` collects its output. */
export async function startEmulatorProcess(options: StartOptions): Promise<EmulatorProcess> {
  const before = (await readFile(options.log, 'utf8').catch(() => '')).length;
  const cli = path.join(projectRoot, 'bin/dcs-migrate.js');
  const proc = startProcess({
    name: 'dcs-emulator-under-test',
    command: process.execPath,
    args: [cli, 'emulator', '--port', String(options.port), '--data-dir', options.dataDir, ...options.args],
    cwd: projectRoot,
    env: env(),
    logFile: options.log,
  });
  // This start's own lines: the log file holds the earlier starts' too.
  const output = async () => (await readFile(options.log, 'utf8').catch(() => '')).slice(before);
  await waitFor(
    'the emulator to be ready',
    async () => {
      const code = proc.child.exitCode;
      if (code !== null) throw new Error(`the emulator exited with ${code}:\n${await output()}`);
      return (await output()).includes('Press Ctrl+C to stop.');
    },
    90_000,
    50,
  );
  const url = `http://127.0.0.1:${options.port}`;
  return {
    proc,
    port: options.port,
    url,
    credentials: FIXED_ACCOUNT,
    output,
    instances: async () => {
      const response = await request(`${url}/_emulator/instances`);
      return ((await response.body.json()) as { instances: ListedInstance[] }).instances;
    },
  };
}
