import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/index.js';
import { callDcs, waitForStatus } from '../emulator/testing/signed-http.js';
import { waitFor } from '../local/wait.js';
import { paidTasksLeft } from './harness/paid-tasks.js';
import { instancePair, startTestStack, type TestStack } from './harness/stack.js';

// The emulator's IP switch for real: each instance is reached at its own loopback IP on one shared port (a TCP
// forwarder in front of its redis-server); exchange-ip moves what an address reaches, cuts the open connections and
// keeps both instances read-only while it lasts; rollback-ip moves it back.

const PASSWORD = 'shared-secret-pw-4e1b';
const PAIR = instancePair(['sw-source', 'sw-target'], [PASSWORD, PASSWORD]);
const EXCHANGING_MS = 700;
let stack: TestStack;
let emu: Emulator;

beforeAll(async () => {
  stack = await startTestStack({
    temporal: false,
    name: 'ip-switch',
    pair: PAIR,
    emulator: { timings: { creatingMs: 50, terminatingMs: 50, exchangingMs: EXCHANGING_MS } },
  });
  emu = stack.emu;
});
afterAll(async () => {
  await stack?.teardown();
});
beforeEach(() => stack.reset());

/** A client of an address, as an application holds one: it reconnects by itself after a cut. */
function client(address: { host: string; port: number }): Redis {
  const connection = new Redis({ ...address, password: PASSWORD, retryStrategy: () => 20, maxRetriesPerRequest: 3 });
  stack.onTeardown(() => connection.disconnect());
  return connection;
}

function serviceOf(id: string): { host: string; port: number } {
  const service = emu.instance(id).service;
  if (!service) throw new Error(`instance ${id} has no service address`);
  return service;
}

async function incrementalTask(): Promise<string> {
  const created = await callDcs(emu, 'POST', '/migration/instance', {
    body: { name: `sw-${Date.now()}`, vpc_id: 'v', subnet_id: 's', security_group_id: 'g' },
  });
  const taskId = created.body.instance_id as string;
  await waitForStatus(emu, taskId, ['RUNNING']);
  await callDcs(emu, 'POST', `/migration/${taskId}/task`, {
    body: {
      migration_method: 'incremental_migration',
      resume_mode: 'manual',
      source_instance: { id: PAIR.source.id, password: PASSWORD },
      target_instance: { id: PAIR.target.id, password: PASSWORD },
    },
  });
  await waitForStatus(emu, taskId, ['INCRMIGEATING']);
  return taskId;
}

async function switchStatus(taskId: string): Promise<string> {
  return (await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body.task_status as string;
}

/** Where ShowInstance says clients reach an instance: `ip`, `port` and `domain_name`. */
async function shown(id: string): Promise<{ host: string; port: number; domain: string }> {
  const { body } = await callDcs(emu, 'GET', `/instances/${id}`);
  return { host: body.ip as string, port: body.port as number, domain: body.domain_name as string };
}

/** Prints the scenario's paid-task count (tasks not ended) and expects none. */
async function expectNothingLeftRunning(scenario: string): Promise<void> {
  const listed = await callDcs(emu, 'GET', '/migration-tasks?limit=1000');
  expect(paidTasksLeft(scenario, listed.body.migration_tasks)).toBe(0);
}

async function stopTask(taskId: string): Promise<void> {
  expect((await callDcs(emu, 'POST', `/migration-task/${taskId}/stop`)).status).toBe(200);
  await waitForStatus(emu, taskId, ['TERMINATED']);
}

describe('service addresses', () => {
  it('each instance has its own loopback IP on one shared port, which reaches its own server; tasks show it', async () => {
    const [source, target] = [serviceOf(PAIR.source.id), serviceOf(PAIR.target.id)];
    expect(source.host).not.toBe(target.host);
    expect(source.host).toMatch(/^127\.0\.0\.\d+$/);
    expect(source.port).toBe(target.port);
    await stack.redis(PAIR.source.id).set('only-on-source', '1');
    expect(await client(source).get('only-on-source')).toBe('1');
    expect(await client(target).get('only-on-source')).toBeNull();
    const taskId = await incrementalTask();
    const detail = (await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body;
    expect(detail.source_instance).toMatchObject({
      ip: source.host,
      port: String(source.port),
      addrs: `${source.host}:${source.port}`,
    });
    // ShowInstance reports the same address, not the redis-server's own.
    expect(await shown(PAIR.source.id)).toEqual({ ...source, domain: `${PAIR.source.id}.dcs.emulator.local` });
    expect(await shown(PAIR.target.id)).toEqual({ ...target, domain: `${PAIR.target.id}.dcs.emulator.local` });
    expect(source.port).not.toBe(emu.instance(PAIR.source.id).endpoint.port);
    await stopTask(taskId);
    await expectNothingLeftRunning('service addresses');
  });
});

describe('exchange-ip and rollback-ip', () => {
  it('the source address reaches the target after the switch and the source again after the rollback; connections cut; read-only meanwhile', async () => {
    const sourceServer = stack.redis(PAIR.source.id);
    const targetServer = stack.redis(PAIR.target.id);
    await sourceServer.set('before', 'copied');
    const taskId = await incrementalTask();
    const address = serviceOf(PAIR.source.id);
    const [before, targetBefore] = [await shown(PAIR.source.id), await shown(PAIR.target.id)];
    expect(before).toMatchObject(address);
    const app = client(address);
    expect(await app.get('before')).toBe('copied');
    let cuts = 0;
    app.on('close', () => cuts++);

    expect(
      (
        await callDcs(emu, 'POST', `/migration-task/${taskId}/exchange-ip`, {
          body: { exchanged_ip: [address.host], is_exchange_domain: false },
        })
      ).status,
    ).toBe(204);
    expect(await switchStatus(taskId)).toBe('EXCHANGING');
    // Read-only while switching: a write is refused, as a client sees it. The switch runs after the call is
    // answered, so the first write may still land before the instances turn read-only (one CI run saw that); a
    // write is refused within the switch, and reads go on.
    await waitFor(
      'a write refused while switching',
      () =>
        app.set('during', 'x').then(
          () => undefined,
          (error: unknown) => (/NOREPLICAS/.test(String(error)) ? true : undefined),
        ),
      EXCHANGING_MS,
      10,
    );
    await waitFor('EXCHANGE_SUCCESS', async () =>
      (await switchStatus(taskId)) === 'EXCHANGE_SUCCESS' ? true : undefined,
    );
    expect(cuts).toBeGreaterThan(0);
    // The task still shows the incremental state until it is stopped.
    expect((await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body.status).toBe('INCRMIGEATING');
    expect(serviceOf(PAIR.target.id)).toEqual(address);
    expect(serviceOf(PAIR.source.id)).not.toEqual(address);
    // Each instance reports the other's former address; the domain names stay (is_exchange_domain false).
    expect(await shown(PAIR.source.id)).toEqual({ ...targetBefore, domain: before.domain });
    expect(await shown(PAIR.target.id)).toEqual({ ...before, domain: targetBefore.domain });

    await targetServer.set('only-on-target', 'new home');
    expect(await app.get('only-on-target')).toBe('new home');
    await app.set('written-after-switch', 'lands on target');
    expect(await targetServer.get('written-after-switch')).toBe('lands on target');
    expect(await sourceServer.get('written-after-switch')).toBeNull();

    expect((await callDcs(emu, 'POST', `/migration-task/${taskId}/rollback-ip`)).status).toBe(204);
    await waitFor('ROLLBACK_SUCCESS', async () =>
      (await switchStatus(taskId)) === 'ROLLBACK_SUCCESS' ? true : undefined,
    );
    await sourceServer.set('only-on-source', 'old home');
    expect(await app.get('only-on-source')).toBe('old home');
    expect(await app.get('only-on-target')).toBeNull();
    // After a rollback DCS shows the task as successful; a second rollback has nothing to undo.
    expect((await callDcs(emu, 'GET', `/migration-task/${taskId}`)).body.status).toBe('SUCCESS');
    expect((await callDcs(emu, 'POST', `/migration-task/${taskId}/rollback-ip`)).body.error_code).toBe('DCS.4957');
    expect([await shown(PAIR.source.id), await shown(PAIR.target.id)]).toEqual([before, targetBefore]);
    await expectNothingLeftRunning('switch and rollback');
  });

  it('a stop after the switch ends the task TERMINATED and keeps what clients wrote to the target', async () => {
    await stack.redis(PAIR.source.id).mset('source:kept', '1', 'source:deleted-in-hold', '2');
    const taskId = await incrementalTask();
    const [source, target] = [await shown(PAIR.source.id), await shown(PAIR.target.id)];
    // In the hold: a key written to the target alone, and a source key deleted.
    await client(serviceOf(PAIR.target.id)).set('written-to-target-in-hold', 'mine');
    await client(serviceOf(PAIR.source.id)).del('source:deleted-in-hold');
    await callDcs(emu, 'POST', `/migration-task/${taskId}/exchange-ip`, {
      body: { exchanged_ip: [], is_exchange_domain: true },
    });
    await waitFor('EXCHANGE_SUCCESS', async () =>
      (await switchStatus(taskId)) === 'EXCHANGE_SUCCESS' ? true : undefined,
    );
    // is_exchange_domain: the domain names moved with the addresses.
    expect([await shown(PAIR.source.id), await shown(PAIR.target.id)]).toEqual([target, source]);
    const app = client(source);
    const seen = await app.mget('source:kept', 'source:deleted-in-hold', 'written-to-target-in-hold');
    expect(seen).toEqual(['1', null, 'mine']);
    await app.set('kept', 'yes');
    await stopTask(taskId);
    expect(await stack.redis(PAIR.target.id).mget('kept', 'written-to-target-in-hold')).toEqual(['yes', 'mine']);
    expect((await callDcs(emu, 'POST', `/migration-task/${taskId}/rollback-ip`)).body.error_code).toBe('DCS.4957');
    // The switch stays after the stop: the addresses are where it put them.
    expect([await shown(PAIR.source.id), await shown(PAIR.target.id)]).toEqual([target, source]);
    await expectNothingLeftRunning('switch and stop');
  });

  it('an ipSwitch fault { swap: false } reports EXCHANGE_SUCCESS while the addresses stay put', async () => {
    const taskId = await incrementalTask();
    emu.faults.add({ operation: 'ExchangeInstanceIp', ipSwitch: { swap: false }, count: 1 });
    const address = serviceOf(PAIR.source.id);
    expect(
      (
        await callDcs(emu, 'POST', `/migration-task/${taskId}/exchange-ip`, {
          body: { exchanged_ip: [], is_exchange_domain: false },
        })
      ).status,
    ).toBe(204);
    await waitFor('EXCHANGE_SUCCESS', async () =>
      (await switchStatus(taskId)) === 'EXCHANGE_SUCCESS' ? true : undefined,
    );
    expect(serviceOf(PAIR.source.id)).toEqual(address);
    expect(await shown(PAIR.source.id)).toMatchObject(address);
    await stack.redis(PAIR.source.id).set('still-source', '1');
    expect(await client(address).get('still-source')).toBe('1');
    await stopTask(taskId);
    await expectNothingLeftRunning('switch fault swap:false');
  });
});
