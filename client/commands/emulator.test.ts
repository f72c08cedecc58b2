import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../dcs/signing/index.js';
import { startProcess, type ManagedProcess } from '../../local/processes.js';
import { portAcceptsConnections, waitFor } from '../../local/wait.js';

// `dcs-migrate emulator` as a user runs it: a real process, its printed exports pasted into a client, and SIGTERM.

const repo = path.resolve(import.meta.dirname, '../..');
const started: Array<{ proc: ManagedProcess; dir: string }> = [];

afterEach(async () => {
  for (const { proc, dir } of started.splice(0)) {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

/** The environment minus every DCS variable, so the test does not depend on the developer's shell. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(DCS_|CLOUD_SDK_|HUAWEICLOUD_SDK_)/.test(name)),
  );
  return { ...env, ...extra };
}

async function runEmulator(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ proc: ManagedProcess; output: () => Promise<string> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-emulator-cli-'));
  const logFile = path.join(dir, 'out.log');
  const proc = startProcess({
    name: 'dcs-migrate-emulator',
    command: process.execPath,
    args: [path.join(repo, 'bin/dcs-migrate.js'), 'emulator', '--data-dir', path.join(dir, 'data'), ...args],
    cwd: repo,
    env,
    logFile,
  });
  started.push({ proc, dir });
  return { proc, output: () => readFile(logFile, 'utf8').catch(() => '') };
}

function exportsFrom(output: string): Record<string, string> {
  return Object.fromEntries(
    [...output.matchAll(/^export (\w+)=(\S+)$/gm)].map((match) => [match[1]!, match[2]!.replace(/^'|'$/g, '')]),
  );
}

async function signedList(endpoint: string, projectId: string, ak: string, sk: string): Promise<number> {
  const url = `${endpoint}/v2/${projectId}/migration-tasks`;
  const headers = { 'content-type': 'application/json' };
  const signed = signRequest({ method: 'GET', url, headers }, { accessKey: ak, secretKey: sk });
  const response = await request(url, { headers: { ...headers, ...signed.headers } });
  await response.body.dump();
  return response.statusCode;
}

describe('dcs-migrate emulator', () => {
  it('generates and prints credentials, serves DCS with them, runs the instances, and stops everything on SIGTERM', async () => {
    const { proc, output } = await runEmulator(
      ['--instance', 'src', '--instance', 'dst:cli-secret', '--creating-ms', '100'],
      cleanEnv(),
    );
    await waitFor(
      'the emulator to print its endpoint',
      async () => (await output()).includes('Press Ctrl+C to stop.'),
      60_000,
    );
    const text = await output();
    const exported = exportsFrom(text);
    expect(Object.keys(exported).sort()).toEqual([
      'CLOUD_SDK_AK',
      'CLOUD_SDK_SK',
      'DCS_ENDPOINT',
      'HUAWEICLOUD_SDK_PROJECT_ID',
    ]);
    expect(
      await signedList(
        exported['DCS_ENDPOINT']!,
        exported['HUAWEICLOUD_SDK_PROJECT_ID']!,
        exported['CLOUD_SDK_AK']!,
        exported['CLOUD_SDK_SK']!,
      ),
    ).toBe(200);
    expect(
      await signedList(
        exported['DCS_ENDPOINT']!,
        exported['HUAWEICLOUD_SDK_PROJECT_ID']!,
        exported['CLOUD_SDK_AK']!,
        'wrong',
      ),
    ).toBe(401);
    // Instance passwords are not printed.
    expect(text).not.toContain('cli-secret');
    // Each instance at its service address (own loopback IP, one shared port), then its server's own port.
    const listed = [
      ...text.matchAll(/^ {2}(src|dst) {2}(127\.0\.0\.\d+):(\d+) {2}\(server 127\.0\.0\.1:(\d+)\)/gm),
    ].map((match) => ({
      host: match[2]!,
      port: Number(match[3]),
      server: Number(match[4]),
    }));
    expect(listed).toHaveLength(2);
    expect(listed[0]!.host).not.toBe(listed[1]!.host);
    expect(listed[0]!.port).toBe(listed[1]!.port);
    const dst = new Redis({ host: listed[1]!.host, port: listed[1]!.port, password: 'cli-secret', lazyConnect: true });
    await dst.connect();
    expect(await dst.ping()).toBe('PONG');
    dst.disconnect();

    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    for (const { host, port, server } of listed) {
      expect(await portAcceptsConnections(port, host)).toBe(false);
      expect(await portAcceptsConnections(server)).toBe(false);
    }
    expect(await portAcceptsConnections(Number(new URL(exported['DCS_ENDPOINT']!).port))).toBe(false);
  });

  it('uses AK/SK and project id from the environment without printing the secret key', async () => {
    const env = cleanEnv({
      CLOUD_SDK_AK: 'ENVACCESSKEY00000001',
      CLOUD_SDK_SK: 'env-secret-key-value-0123456789',
      HUAWEICLOUD_SDK_PROJECT_ID: 'envproject01',
    });
    const { proc, output } = await runEmulator([], env);
    await waitFor(
      'the emulator to print its endpoint',
      async () => (await output()).includes('Press Ctrl+C to stop.'),
      60_000,
    );
    const text = await output();
    expect(text).not.toContain('env-secret-key-value');
    expect(Object.keys(exportsFrom(text))).toEqual(['DCS_ENDPOINT']);
    expect(
      await signedList(
        exportsFrom(text)['DCS_ENDPOINT']!,
        'envproject01',
        'ENVACCESSKEY00000001',
        'env-secret-key-value-0123456789',
      ),
    ).toBe(200);
    proc.child.kill('SIGINT');
    expect((await proc.exited).code).toBe(0);
  });

  it('starts a Redis Cluster and a master/standby instance from their --instance spellings', async () => {
    const { proc, output } = await runEmulator(
      ['--instance', 'shards:cluster:3@cli-secret', '--instance', 'pair:ha'],
      cleanEnv(),
    );
    await waitFor(
      'the emulator to print its endpoint',
      async () => (await output()).includes('Press Ctrl+C to stop.'),
      60_000,
    );
    const text = await output();
    expect(text).not.toContain('cli-secret');
    const masters =
      /^ {2}shards {2}((?:127\.0\.0\.1:\d+ ?){3}) {2}\(masters\) {2}\[cluster:3x0\] {2}\(password set\)$/m.exec(text);
    expect(masters, text).not.toBeNull();
    const [host, port] = masters![1]!.trim().split(' ')[0]!.split(':');
    const node = new Redis({ host: host!, port: Number(port), password: 'cli-secret', lazyConnect: true });
    await node.connect();
    expect(await node.call('CLUSTER', 'INFO')).toMatch(/cluster_state:ok/);
    node.disconnect();
    expect(text).toMatch(
      /^ {2}pair {2}127\.0\.0\.\d+:\d+ {2}\(server 127\.0\.0\.1:\d+, standby 127\.0\.0\.1:\d+\) {2}\[ha:1\]$/m,
    );
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await portAcceptsConnections(Number(port))).toBe(false);
  });

  it('refuses a bad --instance spelling with exit code 2 naming the field', async () => {
    const { proc, output } = await runEmulator(['--instance', 'dst:cluster:2'], cleanEnv());
    expect((await proc.exited).code).toBe(2);
    expect(await output()).toContain('--instance dst: shape:');
  });

  it('refuses a bad flag with exit code 2 naming it', async () => {
    const { proc, output } = await runEmulator(['--port', 'http'], cleanEnv());
    expect((await proc.exited).code).toBe(2);
    expect(await output()).toContain('--port');
  });
});
