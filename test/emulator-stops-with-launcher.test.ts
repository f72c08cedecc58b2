/**
 * `npx dcs-migrate emulator` stopped as systemd, Docker or a script stops it: npx (npm → `sh -c` → node) does not
 * pass a SIGTERM on, and a SIGKILL to it leaves the shell behind, yet the emulator and its redis-servers must end
 * within seconds, whatever stopped it. The redis-servers are found through the pid registry (`.tools/run/`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../local/processes.js';
import { projectRoot, toolsDir } from '../local/tools.js';
import { portAcceptsConnections, waitFor } from '../local/wait.js';

const started: Array<{ child: ChildProcess; dir: string }> = [];

afterEach(async () => {
  for (const { child, dir } of started.splice(0)) {
    // Its own process group (detached): whatever a failed test left of npx, sh and node goes with it.
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await rm(dir, { recursive: true, force: true });
  }
});

/** The environment minus every DCS variable, and npm told not to ask or check anything. */
function env(): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(DCS_|CLOUD_SDK_|HUAWEICLOUD_SDK_)/.test(name)),
  );
  return {
    ...base,
    npm_config_yes: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
}

interface Running {
  launcher: ChildProcess;
  emulatorPort: number;
  redisPort: number;
  redisPid: number;
  emulatorPid: number;
  output: () => Promise<string>;
}

/** The redis-server listening on `port`, from the registry: its pid and its owner's (the emulator process). */
function registered(port: number): { pid: number; ownerPid: number } | undefined {
  const dir = path.join(toolsDir, 'run');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    try {
      const entry = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { pid: number; ownerPid: number };
      if (readFileSync(`/proc/${entry.pid}/cmdline`, 'utf8').includes(`:${port}`)) return entry;
    } catch {
      // an entry being written or removed, or its process gone
    }
  }
  return undefined;
}

async function startThrough(command: string, args: string[]): Promise<Running> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-emulator-launcher-'));
  const logFile = path.join(dir, 'out.log');
  const emulatorPort = await getPort({ host: '127.0.0.1' });
  const fd = openSync(logFile, 'a');
  const launcher = spawn(
    command,
    [
      ...args,
      'emulator',
      '--port',
      String(emulatorPort),
      '--data-dir',
      path.join(dir, 'data'),
      '--instance',
      'a:launcher-secret',
    ],
    {
      cwd: projectRoot,
      env: env(),
      stdio: ['ignore', fd, fd],
      detached: true,
    },
  );
  closeSync(fd);
  started.push({ child: launcher, dir });
  const output = () => readFile(logFile, 'utf8').catch(() => '');
  await waitFor(
    'the emulator to list its instance',
    async () => {
      if (launcher.exitCode !== null) throw new Error(`${command} exited early:\n${await output()}`);
      return (await output()).includes('Press Ctrl+C to stop.');
    },
    90_000,
    200,
  );
  // `  a  <service address>  (server 127.0.0.1:<port>)`: the redis-server's own port is in brackets.
  const redisPort = Number(/^ {2}a {2}\S+ {2}\(server 127\.0\.0\.1:(\d+)\)/m.exec(await output())?.[1]);
  const entry = registered(redisPort);
  if (!entry) throw new Error(`no registered redis-server on port ${redisPort}`);
  return { launcher, emulatorPort, redisPort, redisPid: entry.pid, emulatorPid: entry.ownerPid, output };
}

async function expectAllGone(run: Running): Promise<void> {
  await expect.poll(() => isAlive(run.redisPid), { timeout: 8_000, interval: 200 }).toBe(false);
  await expect.poll(() => isAlive(run.emulatorPid), { timeout: 8_000, interval: 200 }).toBe(false);
  expect(await portAcceptsConnections(run.redisPort)).toBe(false);
  expect(await portAcceptsConnections(run.emulatorPort)).toBe(false);
  expect(await run.output()).not.toContain('launcher-secret');
}

describe('the emulator ends with whatever stops it', () => {
  it('SIGTERM to npx: the emulator notices its parent shell is gone and stops its redis-servers', async () => {
    const run = await startThrough('npx', ['dcs-migrate']);
    expect(run.emulatorPid).not.toBe(run.launcher.pid);
    run.launcher.kill('SIGTERM');
    await expectAllGone(run);
    expect(await run.output()).toMatch(/dcs emulator: its (parent|launcher) \S+ \(pid \d+\) exited, stopping/);
  });

  it('SIGKILL to npx: the shell npx started stays, the emulator watches npx too and stops', async () => {
    const run = await startThrough('npx', ['dcs-migrate']);
    run.launcher.kill('SIGKILL');
    await expectAllGone(run);
    expect(await run.output()).toMatch(/dcs emulator: its launcher npm \(pid \d+\) exited, stopping/);
  });

  it('SIGHUP to the emulator itself (its terminal closed): it stops its redis-servers and exits', async () => {
    const run = await startThrough(process.execPath, [path.join(projectRoot, 'bin/dcs-migrate.js')]);
    expect(run.emulatorPid).toBe(run.launcher.pid);
    process.kill(run.emulatorPid, 'SIGHUP');
    await expectAllGone(run);
    expect(await run.output()).toContain('dcs emulator: SIGHUP, stopping');
  });
});
