import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isAlive, reapOrphans } from '../local/processes.js';
import { projectRoot } from '../local/tools.js';

describe('process cleanup', () => {
  it('reaps a redis-server left behind by a run that was killed with SIGKILL', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/start-redis-and-hang.ts'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(owner.stdout!, 'data')) as [Buffer];
    const { pid } = JSON.parse(line.toString()) as { pid: number };
    expect(isAlive(pid)).toBe(true);

    owner.kill('SIGKILL');
    await once(owner, 'exit');
    // The owner could not clean up: its redis-server is an orphan now.
    expect(isAlive(pid)).toBe(true);

    const reaped = reapOrphans();
    expect(reaped.map((entry) => entry.pid)).toContain(pid);
    await expect.poll(() => isAlive(pid), { timeout: 5_000 }).toBe(false);
  });

  it('leaves processes of a live owner alone', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/start-redis-and-hang.ts'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(owner.stdout!, 'data')) as [Buffer];
      const { pid } = JSON.parse(line.toString()) as { pid: number };
      expect(reapOrphans().map((entry) => entry.pid)).not.toContain(pid);
      expect(isAlive(pid)).toBe(true);
      // A normal exit (SIGTERM → exit hook) takes its redis-server down with it.
      owner.kill('SIGTERM');
      await once(owner, 'exit');
      await expect.poll(() => isAlive(pid), { timeout: 5_000 }).toBe(false);
    } finally {
      owner.kill('SIGKILL');
    }
  });
});
