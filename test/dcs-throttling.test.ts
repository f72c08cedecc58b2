/**
 * Throttling and outages over real HTTP (issue 28), cross-cutting: the emulator answers as Huawei's API gateway
 * does (429 `APIGW.0308` from a fault rule or a real per-tenant rate limit) or is down (listener closed, or every
 * connection reset), and the DCS client with the worker's throttle (`dcs/throttle.ts`) reads the limit out of the
 * answer, paces under it, and holds its calls while the endpoint is down. No Temporal, no redis-server.
 */
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DcsClient } from '../dcs/client.js';
import { loadDcsConfig } from '../dcs/config.js';
import { DcsNetworkError, DcsRateLimitedError } from '../dcs/errors/index.js';
import { DcsThrottle } from '../dcs/throttle.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { callDcs } from '../emulator/testing/signed-http.js';
import { emulatorDcsEnvironment } from '../stack/dcs-for-emulator.js';

let emu: Emulator;
const clients: DcsClient[] = [];

beforeAll(async () => {
  emu = await startEmulator({ seed: 7 });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await emu?.stop();
});
beforeEach(async () => {
  await emu.endpoint.up();
  emu.setRateLimit(undefined);
  await emu.reset();
});

function client(throttle?: DcsThrottle, retries = 0): DcsClient {
  const created = new DcsClient({
    config: loadDcsConfig(emulatorDcsEnvironment(emu)),
    retries,
    ...(throttle ? { throttle } : {}),
  });
  clients.push(created);
  return created;
}

async function failure(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

describe("the emulator as Huawei's API gateway when throttled", () => {
  it("a 429 fault answers APIGW.0308 with the limit in Huawei's words; the client reads it, and Retry-After when given", async () => {
    emu.faults.add({ operation: 'ListMigrationTask', status: 429, count: 1 });
    const answer = await callDcs(emu, 'GET', '/migration-tasks');
    expect(answer.status).toBe(429);
    expect(answer.body).toMatchObject({
      error_code: 'APIGW.0308',
      error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:200,time:5 minute',
    });
    expect(answer.headers['retry-after']).toBeUndefined();

    emu.faults.add({ operation: 'ListMigrationTask', status: 429, retryAfterMs: 2_500, count: 1 });
    const error = await failure(client().listMigrationTask());
    expect(error).toBeInstanceOf(DcsRateLimitedError);
    expect(error).toMatchObject({
      errorCode: 'APIGW.0308',
      retryAfterMs: 3_000,
      rateLimit: { limit: 200, windowMs: 300_000 },
      local: false,
    });
  });

  it('a real per-tenant rate limit (set over the admin API) throttles beyond the limit, naming it', async () => {
    const admin = await request(`${emu.url}/_emulator/rate-limit`, {
      method: 'PUT',
      body: JSON.stringify({ rateLimit: '3/1m' }),
    });
    expect(await admin.body.json()).toEqual({ rateLimit: '3/1m' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await callDcs(emu, 'GET', '/migration-tasks')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await callDcs(emu, 'GET', '/migration-tasks')).body.error_msg).toMatch(
      /policy user over ratelimit,limit:3,time:1 minute$/,
    );
    // The admin API is not counted.
    expect((await request(`${emu.url}/_emulator/health`)).statusCode).toBe(200);
    const bad = await request(`${emu.url}/_emulator/rate-limit`, {
      method: 'PUT',
      body: JSON.stringify({ rateLimit: 'lots' }),
    });
    expect(bad.statusCode).toBe(400);
    await bad.body.dump();
  });

  it('the throttled client learns the limit from the first 429 and then stays under it', async () => {
    emu.setRateLimit({ limit: 10, windowMs: 2_000 });
    // The client's own read retries honour the throttle's refusals (retryAfterMs) like a server's Retry-After.
    const dcs = client(new DcsThrottle({ maxQueueMs: 10_000 }), 20);
    const started = Date.now();
    await Promise.all(Array.from({ length: 24 }, () => dcs.listMigrationTask()));
    const requests = emu.requests().filter((entry) => entry.operation === 'ListMigrationTask');
    const times = (status: number) =>
      requests.filter((entry) => entry.status === status).map((entry) => Date.parse(entry.time));
    // The first burst runs into the limit: the 14 calls beyond it were in flight before the first 429 came back.
    expect(times(429).length).toBeGreaterThanOrEqual(14);
    expect(times(429).length).toBeLessThanOrEqual(16);
    expect(dcs.throttleStats()).toMatchObject({ pacedAt: { limit: 8, windowMs: 2_000 } });
    // Then paced at 80% of 10 per 2 s: every call is let through, never more than 8 in any 2 s (as logged when
    // answered: 100 ms of slack for the time between sending and logging).
    const paced = times(200).filter((at) => at > Math.max(...times(429)));
    expect(times(200)).toHaveLength(24);
    expect(paced.length).toBeGreaterThanOrEqual(12);
    for (const start of paced)
      expect(paced.filter((at) => at >= start && at < start + 1_900).length).toBeLessThanOrEqual(8);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('the DCS endpoint down', () => {
  it('refuse: the listener is closed (ECONNREFUSED, a DcsNetworkError) until it comes back on the same port', async () => {
    const dcs = client();
    await dcs.listMigrationTask();
    await emu.endpoint.down('refuse');
    const error = await failure(dcs.listMigrationTask());
    expect(error).toBeInstanceOf(DcsNetworkError);
    expect(error.message).toMatch(/ECONNREFUSED/);
    await emu.endpoint.up();
    expect((await dcs.listMigrationTask()).migration_tasks).toEqual([]);
  });

  it('reset: each connection is reset and counted; with the throttle, 20 callers knock a few times, not 20 times a second', async () => {
    const dcs = client(new DcsThrottle({ hold: { initialMs: 200, factor: 2, maxMs: 1_000 } }));
    await emu.endpoint.down('reset');
    // Three calls in a row without an answer: the endpoint counts as down (calls in flight at an outage's start
    // all reach it, however many).
    for (let i = 0; i < 3; i++) expect(await failure(dcs.listMigrationTask())).toBeInstanceOf(DcsNetworkError);
    const until = Date.now() + 3_000;
    let attempts = 0;
    let refusedUnsent = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (Date.now() < until) {
          attempts += 1;
          const error = (await failure(dcs.listMigrationTask())) as DcsNetworkError;
          if (error.local) refusedUnsent += 1;
          await new Promise((resolve) => setTimeout(resolve, Math.max(50, error.retryAfterMs ?? 0)));
        }
      }),
    );
    const reset = emu.endpoint.resetConnections().length;
    // Holds of 0.2, 0.4, 0.8, 1, 1 s…: a handful of connections in 3 s, out of many more attempts.
    expect(reset).toBeGreaterThanOrEqual(5);
    expect(reset).toBeLessThanOrEqual(12);
    expect(refusedUnsent).toBeGreaterThan(reset);
    expect(attempts).toBeGreaterThan(reset * 2);
    await emu.endpoint.up();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await dcs.listMigrationTask()).migration_tasks).toEqual([]);
    expect(dcs.throttleStats()?.held).toBeUndefined();
  });
});
