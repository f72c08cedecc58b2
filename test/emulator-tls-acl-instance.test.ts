/**
 * A DCS instance that needs TLS and an ACL user, registered with the emulator (POST /_emulator/instances with its
 * username and CA), is the source of an online migration driven through the DCS API: the migration machine logs in
 * as that user over TLS, the task ends SUCCESS, and the verifier (rediss:// URL) finds the target equal. Real
 * redis-servers, certificates generated for the test.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../local/redis-server.js';
import { seedSampleData } from '../local/sample-data.js';
import { createTestCertificates, type TestCertificates } from '../local/tls-certificates.js';
import { waitForStatus } from '../emulator/testing/signed-http.js';
import { compareRedis } from '../verify/compare.js';
import { parseRedisUrl } from '../redis/url.js';
import { DEFAULT_PAIR, startTestStack, type TestStack } from './harness/stack.js';

const MIGRATOR_PASSWORD = 'tls-instance-migrator-pw-41c';

describe('a TLS + ACL instance registered with the emulator', () => {
  let stack: TestStack;
  let certificates: TestCertificates;
  let source: RedisServer;
  let ca: string;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    ca = await readFile(certificates.caFile, 'utf8');
    source = await startRedisServer({
      name: 'tls-acl-instance',
      tls: certificates,
      users: [{ name: 'migrator', password: MIGRATOR_PASSWORD }],
      loginAs: 'migrator',
    });
    stack = await startTestStack({
      temporal: false,
      name: 'tls-instance',
      emulator: { timings: { creatingMs: 50, terminatingMs: 50 } },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.teardown();
    await source?.stop();
    await certificates?.remove();
  });

  it('is the source of an online full migration that ends SUCCESS with the target equal', async () => {
    const registered = await fetch(`${stack.emu.url}/_emulator/instances`, {
      method: 'POST',
      body: JSON.stringify({ id: 'tls-src', host: source.host, port: source.port, username: 'migrator', tls: { ca } }),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    await seedSampleData(source.endpoint, { keys: 300, seed: 11 });

    const dcs = stack.dcsClient();
    const created = await dcs.createOnlineMigrationTask({
      name: 'tls-acl-source',
      vpc_id: 'v',
      subnet_id: 's',
      security_group_id: 'g',
    });
    const taskId = created.instance_id as string;
    await waitForStatus(stack.emu, taskId, ['RUNNING']);
    await dcs.setOnlineMigrationTask(taskId, {
      migration_method: 'full_amount_migration',
      resume_mode: 'manual',
      // DCS's API carries a password only: the user and TLS come from how the instance is set up.
      source_instance: { id: 'tls-src', password: MIGRATOR_PASSWORD },
      target_instance: { id: DEFAULT_PAIR.target.id, password: DEFAULT_PAIR.target.password },
    });
    const ended = await waitForStatus(stack.emu, taskId, ['SUCCESS', 'FAILED']);
    expect(ended.status, JSON.stringify(ended)).toBe('SUCCESS');
    expect(JSON.stringify(ended)).not.toContain(MIGRATOR_PASSWORD);

    const { endpoint } = parseRedisUrl('--source', source.url, undefined, { ca });
    const report = await compareRedis(endpoint, stack.emu.instance(DEFAULT_PAIR.target.id).endpoint);
    expect(report.keysCompared).toBeGreaterThanOrEqual(300);
    expect(report.totalDifferences).toBe(0);
  });

  it('refuses a user or TLS for an instance it would start itself, naming the field', async () => {
    const response = await fetch(`${stack.emu.url}/_emulator/instances`, {
      method: 'POST',
      body: JSON.stringify({ id: 'x', tls: { insecure: true } }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('tls');
  });
});
