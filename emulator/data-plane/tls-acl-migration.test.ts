import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedisServer, type RedisServer } from '../../local/redis-server.js';
import { seedSampleData, startTraffic } from '../../local/sample-data.js';
import { createTestCertificates, type TestCertificates } from '../../local/tls-certificates.js';
import { waitFor } from '../../local/wait.js';
import { compareRedis } from '../../verify/compare.js';
import { parseRedisUrl } from '../../redis/url.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import type { DataPlaneRun, OnlineMigrationOptions } from './contract.js';
import { createDataPlane, instanceSideEndpoint } from './index.js';
import { describeFailure } from './failures.js';
import { endpointOf, flushAll } from './test-support.js';

const MIGRATOR_PASSWORD = 'migrator-pw-tls-5e8';
const READER_PASSWORD = 'reader-pw-tls-2b7';
const TARGET_PASSWORD = 'target-pw-plain-9a1';
const secrets = [MIGRATOR_PASSWORD, READER_PASSWORD, TARGET_PASSWORD];

/**
 * A source that serves TLS only (no plain port) and admits ACL users only (the default user is off), migrated into
 * a plain target with a password. `reader` may read but not DUMP, PSUBSCRIBE or CONFIG: a user the migration must
 * refuse with the missing permissions named.
 */
describe('data plane: a TLS source with an ACL user', () => {
  let certificates: TestCertificates;
  let otherCa: TestCertificates;
  let source: RedisServer;
  let target: RedisServer;
  let sourceEndpoint: RedisEndpoint;
  let targetEndpoint: RedisEndpoint;
  const dataPlane = createDataPlane({ resume: { attempts: 1, delayMs: 50 } });
  // Everything ioredis or the data plane prints goes through console: collected, to check it holds no password.
  const printed: string[] = [];

  beforeAll(async () => {
    [certificates, otherCa] = await Promise.all([createTestCertificates(), createTestCertificates()]);
    [source, target] = await Promise.all([
      startRedisServer({
        name: 'tls-acl-source',
        tls: certificates,
        users: [
          { name: 'migrator', password: MIGRATOR_PASSWORD },
          {
            name: 'reader',
            password: READER_PASSWORD,
            rules: ['~*', '+@read', '+@connection', '+info', '+scan', '+eval', '+evalsha', '+script', '-dump'],
          },
        ],
        loginAs: 'migrator',
      }),
      startRedisServer({ name: 'plain-target', password: TARGET_PASSWORD }),
    ]);
    sourceEndpoint = endpointOf(source);
    targetEndpoint = endpointOf(target);
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation(
        (...args: unknown[]) => void printed.push(args.map(String).join(' ')),
      );
    }
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await Promise.all([source?.stop(), target?.stop()]);
    await Promise.all([certificates?.remove(), otherCa?.remove()]);
  });

  afterEach(() => {
    for (const secret of secrets) expect(printed.join('\n')).not.toContain(secret);
  });

  async function runToEnd(options: Partial<OnlineMigrationOptions>): Promise<DataPlaneRun> {
    const run = dataPlane.startOnlineMigration({
      source: sourceEndpoint,
      target: targetEndpoint,
      method: 'full',
      resumeMode: 'manual',
      ...options,
    });
    await run.ended;
    for (const secret of secrets) expect(run.error() ?? '').not.toContain(secret);
    return run;
  }

  /** The verifier through its URL entry point: rediss://migrator:…@host:port with the CA. */
  async function verify(): Promise<number> {
    const { endpoint } = parseRedisUrl('--source', source.url, undefined, { ca: sourceEndpoint.tls?.ca });
    expect(endpoint).toMatchObject({ username: 'migrator', tls: { ca: sourceEndpoint.tls?.ca } });
    return (await compareRedis(endpoint, targetEndpoint)).totalDifferences;
  }

  it('serves TLS only, to ACL users only', async () => {
    expect(source.plainPort).toBeUndefined();
    expect(source.url).toMatch(/^rediss:\/\/migrator:/);
    const anonymous = await runToEnd({ source: { ...sourceEndpoint, username: undefined, password: undefined } });
    expect(anonymous.error()).toMatch(
      /^authentication to the source Redis at 127\.0\.0\.1:\d+ failed: the password is wrong or missing$/,
    );
  });

  it('migrates in full over TLS as the ACL user; the verifier finds 0 differences', async () => {
    await flushAll(source, target);
    await seedSampleData(sourceEndpoint, { keys: 3_000, dbs: [0, 3], ttlFraction: 0.2, seed: 16 });
    const run = await runToEnd({});
    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('succeeded');
    expect(await verify()).toBe(0);
  });

  it('migrates incrementally, following writes made during the run; after stop the verifier finds 0 differences', async () => {
    await flushAll(source, target);
    await seedSampleData(sourceEndpoint, { keys: 3_000, dbs: [0, 1], seed: 17 });
    const traffic = startTraffic(sourceEndpoint, { keys: 3_000, dbs: [0, 1], seed: 17, opsPerSecond: 1_000 });
    const run = dataPlane.startOnlineMigration({
      source: sourceEndpoint,
      target: targetEndpoint,
      method: 'incremental',
      resumeMode: 'manual',
    });
    const writer = source.client(0);
    const reader = target.client(0);
    try {
      await waitFor(
        `incremental phase (now ${run.phase()}: ${run.error() ?? ''})`,
        async () => run.phase() === 'incremental',
        30_000,
        20,
      );
      await writer.set('live:over-tls', 'written during the run');
      await waitFor(
        'a write during the run to reach the target',
        async () => (await reader.get('live:over-tls')) === 'written during the run',
        10_000,
        20,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await traffic.stop();
      writer.disconnect();
      reader.disconnect();
    }
    await run.stop();
    expect(run.error()).toBeUndefined();
    expect(run.phase()).toBe('stopped');
    expect(await verify()).toBe(0);
  });

  it('fails readably when the CA is not the one that signed the certificate, or the name does not match', async () => {
    const ca = (await import('node:fs/promises')).readFile(otherCa.caFile, 'utf8');
    const wrongCa = await runToEnd({ source: { ...sourceEndpoint, tls: { ca: await ca } }, resumeMode: 'auto' });
    expect(wrongCa.phase()).toBe('failed');
    expect(wrongCa.failedOnConnection()).toBe(false);
    expect(wrongCa.error()).toMatch(
      /^the TLS handshake with the source Redis at 127\.0\.0\.1:\d+ failed: the server's certificate is not trusted \(\w+: .+\); set tls\.ca to the CA that signed it, or tls\.insecure to skip verification$/,
    );

    const wrongName = await runToEnd({
      source: { ...sourceEndpoint, tls: { ...sourceEndpoint.tls, servername: 'not-this.example' } },
    });
    expect(wrongName.error()).toMatch(
      /^the TLS handshake with the source Redis at 127\.0\.0\.1:\d+ failed: the server's certificate is not for this host .*tls\.servername/,
    );
    // The certificate's DNS name works as servername; insecure skips the check altogether.
    expect(
      (
        await runToEnd({ source: { ...sourceEndpoint, tls: { ...sourceEndpoint.tls, servername: 'localhost' } } })
      ).phase(),
    ).toBe('succeeded');
    expect((await runToEnd({ source: { ...sourceEndpoint, tls: { insecure: true } } })).phase()).toBe('succeeded');

    // A plain connection to the TLS port: the server resets it, which looks like any network reset.
    const plainToTls = await runToEnd({ source: { ...sourceEndpoint, tls: undefined } });
    expect(plainToTls.error()).toMatch(/^cannot reach the source Redis at 127\.0\.0\.1:\d+: ECONNRESET$/);
  });

  it('fails readably for a wrong ACL password, naming the user and never the password', async () => {
    const run = await runToEnd({ source: { ...sourceEndpoint, password: READER_PASSWORD } });
    expect(run.error()).toMatch(
      /^authentication to the source Redis at 127\.0\.0\.1:\d+ as ACL user 'migrator' failed: the user does not exist, is disabled, or the password is wrong$/,
    );
  });

  it('refuses an ACL user without the needed permissions before copying, naming each one', async () => {
    await flushAll(target);
    const reader = { ...sourceEndpoint, username: 'reader', password: READER_PASSWORD };
    // TIME (which the copy script runs) is not in @read: the check names it, where the script would fail namelessly.
    const full = await runToEnd({ source: reader });
    expect(full.phase()).toBe('failed');
    expect(full.error()).toMatch(
      /^the source Redis at 127\.0\.0\.1:\d+ does not allow ACL user 'reader' what the migration needs: \+time, \+dump \(grant it with ACL SETUSER reader \+time \+dump\)$/,
    );
    const incremental = await runToEnd({ source: reader, method: 'incremental' });
    expect(incremental.error()).toContain(
      "does not allow ACL user 'reader' what the migration needs: +time, +dump, +config|get, +psubscribe (",
    );
    expect(incremental.error()).toContain('(grant it with ACL SETUSER reader +time +dump +config|get +psubscribe)');
    // Nothing was copied.
    const client = target.client();
    expect(await client.dbsize()).toBe(0);
    client.disconnect();
  });
});

describe('describeFailure for ACL and TLS errors', () => {
  const address = { host: '10.0.0.5', port: 6380, username: 'migrator', password: 'pw-in-error-1f3' };
  const failure = (message: string, code?: string) =>
    describeFailure(Object.assign(new Error(message), code ? { code } : {}), 'target', address);

  it('names the command or the access a NOPERM reply refused, as the rule that grants it; not resumable', () => {
    const refused = failure("NOPERM this user has no permissions to run the 'hset' command");
    expect(refused.message).toBe(
      "the target Redis at 10.0.0.5:6380 refused ACL user 'migrator' a command the migration needs: no permission +hset (NOPERM this user has no permissions to run the 'hset' command)",
    );
    expect(refused.transient).toBe(false);
    expect(failure("NOPERM User migrator has no permissions to run the 'config|set' command").message).toContain(
      'no permission +config|set',
    );
    expect(
      failure('NOPERM this user has no permissions to access one of the keys used as arguments').message,
    ).toContain('to access every key (~*)');
    expect(
      failure(
        "ERR The user executing the script can't run this command or subcommand script: 5634ae, on @user_script:1.",
      ).message,
    ).toContain(
      "refused ACL user 'migrator' a command the migration needs: no permission for a command its scripts run",
    );
  });

  it('tells an untrusted certificate from a closed handshake, and redacts the password', () => {
    const untrusted = failure(
      'unable to verify the first certificate pw-in-error-1f3',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
    expect(untrusted.message).toMatch(
      /^the TLS handshake with the target Redis at 10\.0\.0\.5:6380 failed: the server's certificate is not trusted/,
    );
    expect(untrusted.message).not.toContain('pw-in-error-1f3');
    expect(untrusted.transient).toBe(false);
    const cut = failure(
      'Client network socket disconnected before secure TLS connection was established',
      'ECONNRESET',
    );
    expect(cut.message).toBe(
      'the TLS handshake with the target Redis at 10.0.0.5:6380 failed: the server closed the connection during the handshake (is the port a TLS port?)',
    );
    expect(cut.transient).toBe(true);
  });
});

describe('instanceSideEndpoint', () => {
  it("keeps an instance's ACL user and TLS, and takes the password the request gave", () => {
    const instance = {
      host: '127.0.0.1',
      port: 6390,
      username: 'migrator',
      password: 'instance-pw',
      tls: { ca: 'PEM', servername: 'redis.local' },
    };
    expect(instanceSideEndpoint(instance, 'request-pw')).toEqual({ ...instance, password: 'request-pw' });
    expect(instanceSideEndpoint({ host: 'h', port: 1, password: 'x' }, undefined)).toEqual({
      host: 'h',
      port: 1,
      password: undefined,
    });
  });
});
