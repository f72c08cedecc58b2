/**
 * The shipped examples run unchanged against the local stack (`npm start`), driven from "another shell": every
 * CLI call runs in bash after `source <the stack's env file>`, with nothing else in its environment. Each file in
 * examples/ reaches its expected end — full, backup import and legacy succeed; incremental holds, is cut over
 * with `dcs-migrate cutover`, and ends cut over — and `status`, `api` and `verify` work from the same file.
 * The examples' own polling (2 s, up to 15 s) is kept; the stack's emulator timings are short, as a test's are.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN } from '../client/testing/run-cli.js';
import { DcsPhase } from '../common/search-attributes.js';
import { projectRoot } from '../local/tools.js';
import { waitFor } from '../local/wait.js';
import { shellQuote } from '../stack/stack-env.js';
import { createStackLog } from '../stack/stack-log.js';
import { startLocalStack, type LocalStack } from '../stack/start-stack.js';

const examplesDir = path.join(projectRoot, 'examples');
/** The end each example reaches (the `DcsPhase` search attribute of its closed workflow). */
const EXPECTED_END: Record<string, 'succeeded' | 'cut-over'> = {
  'online-full.yaml': 'succeeded',
  'online-incremental.yaml': 'cut-over',
  'backup-import.json': 'succeeded',
  'legacy-online.yaml': 'succeeded',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `dcs-migrate <args>` in a shell that sourced `envFile` and has only PATH and HOME besides. `args` are shell words
 * (quoted here with shellQuote, or `"$VAR"` to use a variable of the file).
 */
function cliAfterSource(envFile: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `set -e; . "$0"; exec "$1" "$2" ${args.join(' ')}`, envFile, process.execPath, CLI_BIN],
      {
        cwd: projectRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        timeout: 60_000,
        maxBuffer: 8 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('examples/ against the local stack', () => {
  let stack: LocalStack | undefined;
  let logDir: string;
  let output = '';
  beforeAll(async () => {
    logDir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-stack-examples-'));
    const log = createStackLog(
      new Writable({ write: (chunk: Buffer, _encoding, done) => ((output += chunk.toString()), done()) }),
    );
    const host = '127.0.0.1';
    stack = await startLocalStack(
      {
        keys: 500,
        port: await getPort({ host }),
        uiPort: await getPort({ host }),
        logDir,
        timings: { creatingMs: 300, terminatingMs: 300 },
      },
      log,
    );
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(logDir, { recursive: true, force: true });
  });

  it('writes every variable the tools read to a 0600 env file, and prints no secret', async () => {
    if (!stack) throw new Error(`the stack did not start:\n${output}`);
    expect((await stat(stack.env.file)).mode & 0o777).toBe(0o600);
    expect(path.basename(stack.env.file)).toBe(`env-${stack.temporal.port}`);
    const text = await readFile(stack.env.file, 'utf8');
    for (const name of [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_CODEC_ENDPOINT',
      'DCS_MIGRATE_CODEC_KEY_FILE',
      'DCS_ENDPOINT',
      'HUAWEICLOUD_SDK_PROJECT_ID',
      'CLOUD_SDK_AK',
      'CLOUD_SDK_SK',
      'SOURCE_REDIS_PASSWORD',
      'TARGET_REDIS_PASSWORD',
      'DCS_MIGRATE_SOURCE_PASSWORD',
      'DCS_MIGRATE_TARGET_PASSWORD',
    ]) {
      expect(text, name).toMatch(new RegExp(`^export ${name}='[^']+'$`, 'm'));
    }
    for (const secret of stack.env.entries.filter((entry) => entry.secret)) expect(output).not.toContain(secret.value);
    // The first stack in its folder is the default one: `env` points at its file.
    expect(stack.env.isDefault).toBe(true);
    expect(await readFile(stack.env.defaultFile, 'utf8')).toBe(text);
  });

  it('runs each example to its expected end, from a shell that sourced the env file', async () => {
    if (!stack) throw new Error(`the stack did not start:\n${output}`);
    const s = stack;
    const files = (await readdir(examplesDir)).sort();
    expect(files).toEqual(Object.keys(EXPECTED_END).sort());
    const suffix = Date.now().toString(36);
    const ids = Object.fromEntries(files.map((file) => [file, `example-${path.parse(file).name}-${suffix}`]));

    const started = await Promise.all(
      files.map((file) =>
        cliAfterSource(s.env.file, [
          'start',
          '--file',
          shellQuote(path.join('examples', file)),
          '--id',
          shellQuote(ids[file] ?? ''),
          '--json',
        ]),
      ),
    );
    for (const [index, run] of started.entries()) expect(run.code, `${files[index]}: ${run.stderr}`).toBe(0);

    const phaseOf = async (id: string) => {
      const described = await s.client.workflow.getHandle(id).describe();
      return { execution: described.status.name, phase: described.typedSearchAttributes.get(DcsPhase) };
    };
    const incremental = ids['online-incremental.yaml'] ?? '';
    await waitFor(
      'the incremental example to hold',
      async () => (await phaseOf(incremental)).phase === 'incremental-hold',
      40_000,
      500,
    );
    const cutover = await cliAfterSource(s.env.file, [
      'cutover',
      shellQuote(incremental),
      '--note',
      shellQuote('stack-examples test'),
    ]);
    expect(cutover.code, cutover.stderr).toBe(0);
    expect(cutover.stdout).toContain(`cutover accepted for ${incremental}`);

    for (const file of files) {
      const id = ids[file] ?? '';
      await waitFor(`${file} to end`, async () => (await phaseOf(id)).execution !== 'RUNNING', 40_000, 500);
      expect(await phaseOf(id), file).toEqual({ execution: 'COMPLETED', phase: EXPECTED_END[file] });
    }

    // The other tools the env file is for: status (Temporal + the codec key file), api (the emulator's account),
    // verify (the instances' addresses and passwords): every example copied the same source into the target.
    const status = await cliAfterSource(s.env.file, ['status', shellQuote(ids['online-full.yaml'] ?? '')]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('succeeded');
    const api = await cliAfterSource(s.env.file, ['api', 'ListMigrationTask']);
    expect(api.code, api.stderr).toBe(0);
    expect(JSON.parse(api.stdout)).toMatchObject({ count: 4 });
    const verify = await cliAfterSource(s.env.file, [
      'verify',
      '--source',
      '"$DCS_MIGRATE_SOURCE_URL"',
      '--target',
      '"$DCS_MIGRATE_TARGET_URL"',
    ]);
    expect(verify.stderr).not.toMatch(/auth|password/i);
    expect(verify.stdout).toContain('0 differences');
  }, 90_000);

  it('removes its env files and its key file when it stops', async () => {
    if (!stack) throw new Error(`the stack did not start:\n${output}`);
    const { env, codecKeyFile } = stack;
    await stack.stop();
    stack = undefined;
    for (const file of [env.file, env.defaultFile, codecKeyFile ?? ''])
      await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });
});
