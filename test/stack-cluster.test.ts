/**
 * `dcs-migrate up` with a Redis Cluster on both sides, in exit mode: the stack starts two 3-master clusters, seeds
 * db 0 only (a cluster has no other database; the precheck multi-db-into-cluster would refuse more), drives live
 * writes routed by slot, cuts over without an IP switch (DCS switches no IPs of a Redis Cluster) and compares the
 * clusters shard by shard.
 */
import getPort from 'get-port';
import { describe, expect, it } from 'vitest';
import { runCli } from '../client/testing/run-cli.js';

describe('dcs-migrate up with Redis Clusters', () => {
  it('migrates cluster:3 → cluster:3 end to end: cut over without an IP switch, 0 differences, exit 0', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const uiPort = await getPort({ host: '127.0.0.1' });
    const run = await runCli(
      [
        'up',
        '--exit',
        '--keys',
        '2000',
        '--traffic-seconds',
        '2',
        '--source-type',
        'cluster:3',
        '--target-type',
        'cluster:3',
        '--port',
        String(port),
        '--ui-port',
        String(uiPort),
      ],
      { ...process.env, DCS_MIGRATE_EXIT: '' },
      90_000,
    );
    const output = run.stdout + run.stderr;
    expect(run.code, output).toBe(0);
    expect(output).toContain('(cluster:3x0 → cluster:3x0)');
    expect(output).toMatch(/✔ sample data on the source \(2,000 keys\) — .*; dbs 0 \(/);
    expect(output).not.toContain('its RDB in the OBS bucket');
    expect(output).toMatch(/writes stopped: \d+ writes/);
    expect(output).toMatch(/cutover accepted at offset \d+.*; stopping the task \(no IP switch for a Redis Cluster/);
    expect(output).not.toContain('IPs switched');
    expect(output).toMatch(/✔ migration local-incremental-\d+ cut over/);
    expect(output).toMatch(/✔ target compared with the source, key by key — [\d,]+ keys, 0 differences/);
    expect(output).toContain(
      '✔ incremental migration cut over (no IP switch: DCS switches no IPs of a Redis Cluster); the target equals the source (0 differences)',
    );
    expect(output).toContain('stopped.');
  }, 100_000);
});
