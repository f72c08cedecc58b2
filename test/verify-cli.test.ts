/** `dcs-migrate verify` run as an operator runs it (a child process) against two real redis-servers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../client/testing/run-cli.js';
import getPort from 'get-port';
import { startRedisCluster, type RedisCluster } from '../local/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { createTestCertificates, tlsServerConfig, type TestCertificates } from '../local/tls-certificates.js';
import { seedSampleData } from '../local/sample-data.js';
import type { CompareReport } from '../verify/compare.js';

describe('dcs-migrate verify', () => {
  let source: RedisServer;
  let target: RedisServer;
  const env = { ...process.env, DCS_MIGRATE_TARGET_PASSWORD: 'target-pw-env' };
  const urls = () => [
    '--source',
    `redis://:source%40pw@${source.host}:${source.port}`,
    '--target',
    `redis://${target.host}:${target.port}`,
  ];

  beforeAll(async () => {
    source = await startRedisServer({ password: 'source@pw' });
    target = await startRedisServer({ password: 'target-pw-env' });
    for (const server of [source, target])
      await seedSampleData(
        { host: server.host, port: server.port, password: server.password },
        { keys: 3_000, dbs: [0, 1], seed: 5 },
      );
  });

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  it('says "0 differences" and exits 0 on a clean pair', async () => {
    // With --reverse each key is looked at from both sides: 3,000 source keys, then 3,000 target keys.
    const run = await runCli(['verify', ...urls(), '--reverse'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^0 differences: 6,000 keys compared in 2 db\(s\)/m);
    expect(run.stdout).not.toMatch(/source@pw|source%40pw|target-pw-env/);
  }, 60_000);

  it('names every planted key with its kind and exits 4; --json gives the report', async () => {
    const [s0, t0, t1] = [source.client(0), target.client(0), target.client(1)];
    try {
      await s0.set('cli:missing', 'x');
      await s0.set('cli:value', 'one');
      await t0.set('cli:value', 'two');
      await t1.hset('cli:extra', 'f', 'v');
      const run = await runCli(['verify', ...urls(), '--reverse', '--rounds', '0'], env);
      expect(run.code).toBe(4);
      const lines = run.stdout.trim().split('\n');
      expect(lines.slice(0, -1).sort()).toEqual([
        'db0  MISSING  cli:missing  (string missing on the target)',
        'db0  VALUE    cli:value  (string contents differ (3 bytes each))',
        'db1  EXTRA    cli:extra  (hash exists only on the target)',
      ]);
      expect(lines.at(-1)).toMatch(/^3 differences \(MISSING 1, EXTRA 1, VALUE 1\)/);

      const withoutReverse = await runCli(['verify', ...urls(), '--json', '--rounds', '0'], env);
      expect(withoutReverse.code).toBe(4);
      const report = JSON.parse(withoutReverse.stdout) as CompareReport;
      expect(report.totalDifferences).toBe(2);
      expect(report.dbs[0]?.byKind).toMatchObject({ MISSING: 1, VALUE: 1 });

      const onlyDb1 = await runCli(
        [
          'verify',
          '--source',
          `redis://:source%40pw@${source.host}:${source.port}/1`,
          '--target',
          `redis://${target.host}:${target.port}/1`,
        ],
        env,
      );
      expect(onlyDb1.code).toBe(0);
      expect(onlyDb1.stdout).toMatch(/^0 differences: 1,500 keys compared in 1 db\(s\)/m);
    } finally {
      await s0.del('cli:missing', 'cli:value');
      await t0.del('cli:value');
      await t1.del('cli:extra');
      for (const client of [s0, t0, t1]) client.disconnect();
    }
  }, 60_000);

  it('exits 2 naming the bad flag, and never prints a password', async () => {
    const badMode = await runCli(['verify', ...urls(), '--mode', 'deep'], env);
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toContain('--mode: expected outline, length or full');
    const badUrl = await runCli(['verify', '--source', 'http://:hunter2@host', '--target', 'redis://h'], env);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('--source: expected a redis:// or rediss:// (TLS) URL');
    expect(badUrl.stderr).not.toContain('hunter2');
    const badSample = await runCli(['verify', ...urls(), '--sample', '2'], env);
    expect(badSample.code).toBe(2);
    expect(badSample.stderr).toContain('--sample: must be at most 1');
    const wrongPassword = await runCli(
      [
        'verify',
        '--source',
        `redis://:wrong-pw@${source.host}:${source.port}`,
        '--target',
        `redis://${target.host}:${target.port}`,
      ],
      env,
    );
    expect(wrongPassword.code).toBe(5);
    expect(wrongPassword.stderr).toContain(`source Redis at ${source.host}:${source.port}: authentication failed`);
    expect(wrongPassword.stderr).not.toContain('wrong-pw');
  }, 60_000);
});

describe('dcs-migrate verify on a cluster, and as an ACL user over TLS', () => {
  let cluster: RedisCluster;
  let certificates: TestCertificates;
  let tlsServer: RedisServer;
  let tlsPort: number;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    tlsPort = await getPort({ host: '127.0.0.1' });
    [cluster, tlsServer] = await Promise.all([
      startRedisCluster({ name: 'verify-cli' }),
      startRedisServer({ config: tlsServerConfig(certificates, tlsPort) }),
    ]);
    const plain = tlsServer.client();
    await seedSampleData({ host: tlsServer.host, port: tlsServer.port }, { keys: 300, dbs: [0], seed: 9 });
    await plain.call('ACL', 'SETUSER', 'checker', 'on', '>checker-pw', '~*', '+@all');
    plain.disconnect();
  });

  afterAll(async () => {
    await Promise.all([cluster?.stop(), tlsServer?.stop()]);
    await certificates?.remove();
  });

  it('finds the cluster from one node, names its shards, and compares the TLS server with it', async () => {
    const node = cluster.nodes[2] as RedisServer;
    const env = { ...process.env, DCS_MIGRATE_SOURCE_PASSWORD: 'checker-pw' };
    const tls = `rediss://checker@127.0.0.1:${tlsPort}`;
    // The TLS server's 300 keys are all MISSING on the empty cluster; each line names the shard scanned: the TLS server.
    const run = await runCli(
      [
        'verify',
        '--source',
        tls,
        '--source-ca',
        certificates.caFile,
        '--target',
        `redis://${node.host}:${node.port}`,
        '--rounds',
        '0',
      ],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/^300 differences \(MISSING 300\)/m);
    expect(run.stdout).toContain(`[shard 127.0.0.1:${tlsPort}]`);
    expect(run.stdout).not.toContain('checker-pw');

    const reverse = await runCli(
      [
        'verify',
        '--source',
        `redis://${node.host}:${node.port}`,
        '--target',
        tls,
        '--target-ca',
        certificates.caFile,
        '--reverse',
        '--rounds',
        '0',
      ],
      {
        ...process.env,
        DCS_MIGRATE_TARGET_PASSWORD: 'checker-pw',
      },
    );
    expect(reverse.code).toBe(4);
    expect(reverse.stdout).toMatch(/^300 differences \(EXTRA 300\)/m);

    const untrusted = await runCli(['verify', '--source', tls, '--target', tls], env);
    expect(untrusted.code).toBe(5);
    expect(untrusted.stderr).toMatch(/compare: (source|target) Redis at 127\.0\.0\.1:\d+: .*certificate/i);
    expect(untrusted.stderr).not.toContain('checker-pw');
  }, 60_000);
});
