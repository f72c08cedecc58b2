import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index.js';
import { callDcs } from '../testing/signed-http.js';

// The gateway side of AK/SK signing and IAM tokens: a signature over anything but the request as received is
// refused with 401 APIGW.0301, requests signed by the official Huawei Cloud SDK signer are accepted.

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ tokenTtlMs: 3000, timings: { creatingMs: 50 } });
});
afterAll(async () => emu?.stop());

function expectSignatureRejected(
  response: { status: number; body: { error_code: string; error_msg: string } },
  detail: string,
): void {
  expect(response.status).toBe(401);
  expect(response.body.error_code).toBe('APIGW.0301');
  expect(response.body.error_msg).toContain(detail);
  expect(response.body.error_msg).not.toContain(emu.credentials.sk);
}

describe('AK/SK signature verification', () => {
  it('accepts a correctly signed request', async () => {
    expect((await callDcs(emu, 'GET', '/migration-tasks?limit=5')).status).toBe(200);
  });

  it('rejects a tampered path, query, header or body, quoting the canonical request it computed', async () => {
    const created = await callDcs(emu, 'POST', '/migration/instance', {
      body: { name: 'a', vpc_id: 'v', subnet_id: 's', security_group_id: 'g' },
    });
    const id: string = created.body.instance_id;
    const tamperedPath = await callDcs(emu, 'GET', `/migration-task/${id}`, {
      // Change the id's last character to a different one (a fixed replacement would be a no-op when the id ends in it).
      tamper: (sent) => void (sent.path = sent.path.replace(id, `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`)),
    });
    expectSignatureRejected(tamperedPath, 'verify aksk signature fail, canonicalRequest:GET\n');
    const tamperedQuery = await callDcs(emu, 'GET', '/migration-tasks?limit=5', {
      tamper: (sent) => void (sent.path = sent.path.replace('limit=5', 'limit=6')),
    });
    expectSignatureRejected(tamperedQuery, '\nlimit=6\n');
    const tamperedHeader = await callDcs(emu, 'GET', '/migration-tasks', {
      tamper: (sent) => void (sent.headers['Content-Type'] = 'text/plain'),
    });
    expectSignatureRejected(tamperedHeader, 'content-type:text/plain');
    const tamperedBody = await callDcs(emu, 'POST', '/migration/instance', {
      body: { name: 'a', vpc_id: 'v', subnet_id: 's', security_group_id: 'g' },
      tamper: (sent) => void (sent.body = sent.body!.replace('"a"', '"b"')),
    });
    expectSignatureRejected(tamperedBody, 'verify aksk signature fail');
    // Nothing was created by the tampered create.
    expect(emu.tasks().map((task) => task.name)).toEqual(['a']);
  });

  it('rejects a signature older than 15 minutes, an unknown AK, a wrong SK and no credentials at all', async () => {
    const old = await callDcs(emu, 'GET', '/migration-tasks', { signingDate: new Date(Date.now() - 16 * 60_000) });
    expectSignatureRejected(old, 'signature expired');
    expect(
      (await callDcs(emu, 'GET', '/migration-tasks', { signingDate: new Date(Date.now() - 14 * 60_000) })).status,
    ).toBe(200);
    const unknownAk = await callDcs(emu, 'GET', '/migration-tasks', {
      credentials: { ak: 'UNKNOWNACCESSKEY0001', sk: 'whatever' },
    });
    expectSignatureRejected(unknownAk, 'ak not exist');
    expect(unknownAk.body.error_msg).not.toContain('UNKNOWNACCESSKEY0001');
    const wrongSk = await callDcs(emu, 'GET', '/migration-tasks', {
      credentials: { ak: emu.credentials.ak, sk: 'not-the-secret' },
    });
    expectSignatureRejected(wrongSk, 'verify aksk signature fail');
    const anonymous = await callDcs(emu, 'GET', '/migration-tasks', { unsigned: true });
    expect(anonymous.status).toBe(401);
  });

  it('accepts requests signed by the official Huawei Cloud Node SDK signer (AKSKSigner)', async () => {
    const credential = { getAk: () => emu.credentials.ak, getSk: () => emu.credentials.sk };
    const base = `${emu.url}/v2/${emu.credentials.projectId}`;
    const data = { name: 'sdk-signed', vpc_id: 'vpc', subnet_id: 'subnet', security_group_id: 'sg' };
    const headers = AKSKSigner.sign(
      {
        endpoint: `${base}/migration/instance`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Project-Id': emu.credentials.projectId },
        data,
      } as never,
      credential as never,
    ) as Record<string, string>;
    const created = await request(`${base}/migration/instance`, {
      method: 'POST',
      headers,
      body: JSON.stringify(data),
    });
    expect(created.statusCode).toBe(200);
    const taskId = ((await created.body.json()) as { instance_id: string }).instance_id;

    const queryParams = { offset: '0', limit: '100', name: 'sdk signed & spaced' };
    const listHeaders = AKSKSigner.sign(
      {
        endpoint: `${base}/migration-tasks`,
        method: 'GET',
        headers: { 'content-type': 'application/json' },
        queryParams,
      } as never,
      credential as never,
    ) as Record<string, string>;
    const query = new URLSearchParams(queryParams).toString().replaceAll('+', '%20');
    const listed = await request(`${base}/migration-tasks?${query}`, { method: 'GET', headers: listHeaders });
    expect(listed.statusCode).toBe(200);
    await listed.body.dump();

    const showHeaders = AKSKSigner.sign(
      { endpoint: `${base}/migration-task/${taskId}`, method: 'GET', headers: {} } as never,
      credential as never,
    ) as Record<string, string>;
    const shown = await request(`${base}/migration-task/${taskId}`, { method: 'GET', headers: showHeaders });
    expect(shown.statusCode).toBe(200);
    expect(((await shown.body.json()) as { task_name: string }).task_name).toBe('sdk-signed');
  });
});

describe('IAM tokens', () => {
  async function getToken(password = emu.iamUser.password, projectId = emu.credentials.projectId) {
    const response = await request(`${emu.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: emu.iamUser.name, password, domain: { name: 'account' } } },
          },
          scope: { project: { id: projectId } },
        },
      }),
    });
    // IAM's wire JSON, asserted field by field.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body = (await response.body.json()) as Record<string, any>;
    return { status: response.statusCode, token: response.headers['x-subject-token'] as string | undefined, body };
  }

  it('issues a project-scoped token in X-Subject-Token that authenticates DCS calls', async () => {
    const issued = await getToken();
    expect(issued.status).toBe(201);
    expect(issued.token).toMatch(/^MII/);
    expect(Date.parse(issued.body.token.expires_at)).toBeGreaterThan(Date.now());
    expect(issued.body.token.project.id).toBe(emu.credentials.projectId);
    expect((await callDcs(emu, 'GET', '/migration-tasks', { unsigned: true, token: issued.token! })).status).toBe(200);
  });

  it('refuses a wrong password, an unknown token, an expired token and a token of another project', async () => {
    const wrong = await getToken('not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.token).toBeUndefined();
    expect(JSON.stringify(wrong.body)).not.toContain('not-the-password');
    const unknown = await callDcs(emu, 'GET', '/migration-tasks', { unsigned: true, token: 'MIIforged' });
    expect(unknown).toMatchObject({ status: 401, body: { error_code: 'DCS.1001' } });
    const otherProject = await getToken(undefined, 'ffffffffffffffffffffffffffffffff');
    expect(otherProject.status).toBe(400);

    const issued = await getToken();
    const elsewhere = await callDcs(emu, 'GET', '//v2/ffffffffffffffffffffffffffffffff/migration-tasks', {
      unsigned: true,
      token: issued.token!,
      headers: { 'X-Project-Id': 'ffffffffffffffffffffffffffffffff' },
    });
    expect(elsewhere).toMatchObject({ status: 401, body: { error_code: 'DCS.1004' } });
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const expired = await callDcs(emu, 'GET', '/migration-tasks', { unsigned: true, token: issued.token! });
    expect(expired).toMatchObject({ status: 401, body: { error_code: 'DCS.1002' } });
  });
});
