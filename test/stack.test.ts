/**
 * Quickstart command one (`npm start` → `dcs-migrate up`) run as a user runs it, in a child process: the stack
 * comes up, the incremental migration runs end to end with live writes and a cutover, the target is verified
 * equal to the source, the CLI can inspect the run while the stack stays up, and Ctrl-C stops everything it started.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import getPort from 'get-port';
import { describe, expect, it } from 'vitest';
import { CLI_BIN, jsonOf, runCli } from '../client/testing/run-cli.js';
import { projectRoot, toolsDir } from '../local/tools.js';
import { waitFor } from '../local/wait.js';

function registeredChildrenOf(ownerPid: number): number[] {
  const dir = path.join(toolsDir, 'run');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { pid: number; ownerPid: number })
    .filter((entry) => entry.ownerPid === ownerPid)
    .map((entry) => entry.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('dcs-migrate up (npm start)', () => {
  it('runs an incremental migration end to end, stays up for the CLI and the UI, and stops everything on Ctrl-C', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const uiPort = await getPort({ host: '127.0.0.1' });
    const child = spawn(
      process.execPath,
      [CLI_BIN, 'up', '--keys', '3000', '--traffic-seconds', '2', '--port', String(port), '--ui-port', String(uiPort)],
      {
        cwd: projectRoot,
        env: { ...process.env, DCS_MIGRATE_EXIT: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(
        'the stack to finish its migration and stay up',
        async () => {
          if (child.exitCode !== null) throw new Error(`dcs-migrate up exited with ${child.exitCode}:\n${output}`);
          return output.includes('Press Ctrl-C to stop everything.');
        },
        170_000,
        500,
      );

      expect(output).toMatch(/✔ sample data on the source \(3,000 keys\)/);
      expect(output).toContain('in sync; now writing to the source');
      expect(output).toMatch(/writes stopped: \d+ writes/);
      expect(output).toMatch(/cutover accepted at offset 0/);
      expect(output).toMatch(/✔ migration local-incremental-\d+ cut over \(hold ended by operator\)/);
      expect(output).toMatch(/✔ target compared with the source, key by key — [\d,]+ keys, 0 differences/);
      expect(output).toContain(
        `Temporal UI:   http://127.0.0.1:${uiPort}/namespaces/default/workflows/local-incremental-`,
      );
      const id = /migration (local-incremental-\d+) started/.exec(output)?.[1];
      expect(id).toBeDefined();

      // While it stays up, the operator CLI reaches it at the address it printed.
      const env = { ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_NAMESPACE: 'default' };
      const listed = jsonOf<Array<{ workflowId: string; phase: string; remoteStatus: string }>>(
        await runCli(['list', '--json'], env),
      );
      expect(listed.find((row) => row.workflowId === id)).toMatchObject({
        phase: 'cut-over',
        remoteStatus: 'TERMINATED',
      });
      const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
      expect(ui.status).toBe(200);

      const children = registeredChildrenOf(child.pid ?? -1);
      expect(children.length).toBeGreaterThanOrEqual(3); // Temporal dev server and two redis-servers
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('stopped.');
      for (const pid of children) expect(alive(pid), `child ${pid} still runs`).toBe(false);
      expect(registeredChildrenOf(child.pid ?? -1)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
