import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPERATION_NAMES, operationNameToKebab } from '../dcs/operations.js';
import { verifyRequestSignature } from '../dcs/signing/index.js';

// Runs the real CLI (`node bin/dcs-migrate.js api …`) against a real HTTP server on a free loopback port that
// records what it receives and answers from a script.
const AK = 'AK-CLI-TEST-0001';
const SK = 'SK-cli-test-very-secret';
const PROJECT = 'cliproject';
const root = path.resolve(import.meta.dirname, '..');

interface Received {
  method: string;
  url: string;
  body: string;
  signatureOk: boolean;
}
let server: Server;
let endpoint: string;
let received: Received[] = [];
let answer: (request: Received) => { status: number; body?: unknown; headers?: Record<string, string> } = () => ({
  status: 200,
  body: {},
});
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'dcs-api-cli-'));
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const verdict = verifyRequestSignature(
        { method: request.method!, url: request.url!, headers: request.headers as Record<string, string>, body },
        { secretKeyFor: (ak) => (ak === AK ? SK : undefined) },
      );
      const record = { method: request.method!, url: request.url!, body, signatureOk: verdict.ok };
      received.push(record);
      const scripted = answer(record);
      response.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
      response.end(scripted.body === undefined ? '' : JSON.stringify(scripted.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  received = [];
});

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin/dcs-migrate.js'), 'api', ...args],
      {
        cwd: root,
        timeout: 60_000,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: process.env['HOME'] ?? '',
          DCS_ENDPOINT: endpoint,
          HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
          CLOUD_SDK_AK: AK,
          CLOUD_SDK_SK: SK,
          ...env,
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

function expectNoSecrets(output: { stdout: string; stderr: string }, ...secrets: string[]) {
  for (const secret of [AK, SK, ...secrets]) {
    expect(output.stdout).not.toContain(secret);
    expect(output.stderr).not.toContain(secret);
  }
}

describe('dcs-migrate api', () => {
  it('--help lists every operation', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    for (const name of OPERATION_NAMES) expect(result.stdout).toContain(operationNameToKebab(name));
  });

  it('show-migration-task: sends a signed GET and prints the answer with echoed passwords redacted', async () => {
    answer = () => ({
      status: 200,
      body: {
        task_id: 't-1',
        status: 'INCRMIGEATING',
        source_instance: { addrs: '10.0.0.1:6379', password: 'echoed-pass-1' },
      },
    });
    const result = await cli(['show-migration-task', '--task-id', 't-1']);
    expect(result.code, result.stderr).toBe(0);
    expect(received).toEqual([
      { method: 'GET', url: `/v2/${PROJECT}/migration-task/t-1`, body: '', signatureOk: true },
    ]);
    expect(JSON.parse(result.stdout)).toEqual({
      task_id: 't-1',
      status: 'INCRMIGEATING',
      source_instance: { addrs: '10.0.0.1:6379', password: '[REDACTED]' },
    });
    expectNoSecrets(result, 'echoed-pass-1');
  });

  it('SetOnlineMigrationTask --body and DeleteMigrationTask --file send the validated JSON body; list sends its query', async () => {
    answer = (request) =>
      request.url.includes('/migration/')
        ? { status: 200, body: { id: 't-1', name: 'n', status: 'FULLMIGRATING' } }
        : request.method === 'DELETE'
          ? { status: 200, body: { task_id_list: ['t-1'] } }
          : { status: 200, body: { count: 0, migration_tasks: [] } };
    const set = await cli([
      'SetOnlineMigrationTask',
      '--task-id',
      't-1',
      '--body',
      JSON.stringify({
        migration_method: 'full_amount_migration',
        resume_mode: 'manual',
        bandwidth_limit_mb: 50,
        source_instance: { addrs: '10.0.0.1:6379', password: 'src-pass-9' },
        target_instance: { id: 'inst' },
      }),
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ id: 't-1', status: 'FULLMIGRATING' });
    const bodyFile = path.join(workDir, 'delete.json');
    writeFileSync(bodyFile, JSON.stringify({ task_id_list: ['t-1'] }));
    const del = await cli(['delete-migration-task', '--file', bodyFile]);
    expect(del.code, del.stderr).toBe(0);
    const list = await cli(['list-migration-task', '--offset', '10', '--limit', '5', '--name', 'a b']);
    expect(list.code, list.stderr).toBe(0);

    expect(received.map(({ method, url }) => `${method} ${url}`)).toEqual([
      `POST /v2/${PROJECT}/migration/t-1/task`,
      `DELETE /v2/${PROJECT}/migration-tasks/delete`,
      `GET /v2/${PROJECT}/migration-tasks?offset=10&limit=5&name=a%20b`,
    ]);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      bandwidth_limit_mb: '50',
      source_instance: { password: 'src-pass-9' },
    });
    expect(JSON.parse(received[1]!.body)).toEqual({ task_id_list: ['t-1'] });
    expect(received.every((request) => request.signatureOk)).toBe(true);
    expectNoSecrets(set, 'src-pass-9');
  });

  it('an invalid request exits 2, names the field or flag, and sends nothing', async () => {
    // Independent runs, started together to save CLI start-up time.
    const [badBody, missingFlag, notJson, unknown] = await Promise.all([
      cli([
        'set-online-migration-task',
        '--task-id',
        't-1',
        '--body',
        JSON.stringify({
          migration_method: 'full_amount_migration',
          resume_mode: 'manual',
          source_instance: { password: 'pw-never-shown' },
          target_instance: { id: 'x' },
        }),
      ]),
      cli(['show-migration-task']),
      cli(['delete-migration-task', '--body', '{"password": "pw-never-shown"']),
      cli(['show-everything']),
    ]);
    expect(badBody.code).toBe(2);
    expect(badBody.stderr).toContain('source_instance: needs id or addrs');
    expect(missingFlag.code).toBe(2);
    expect(missingFlag.stderr).toContain('--task-id: is required');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('--body: not valid JSON');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown operation "show-everything"');
    expect(received).toEqual([]);
    for (const output of [badBody, notJson]) expectNoSecrets(output, 'pw-never-shown');
  });

  it('an API error exits 3 and prints kind, HTTP status, code, message and request id', async () => {
    answer = () => ({
      status: 400,
      body: { error_code: 'DCS.4133', error_msg: 'Instance job is not found.', error_ext_msg: null },
      headers: { 'x-request-id': 'rid-cli-1' },
    });
    const result = await cli(['ShowMigrationTask', '--task-id', 'gone']);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    for (const fact of [
      'kind: task-not-found',
      'HTTP 400',
      'code: DCS.4133',
      'Instance job is not found.',
      'request id: rid-cli-1',
      'retryable: no',
    ]) {
      expect(result.stderr).toContain(fact);
    }
  });

  it('an unreachable endpoint exits 5', async () => {
    const port = await getPort();
    const result = await cli(['show-job-info', '--job-id', 'j-1'], { DCS_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('kind: network');
    expectNoSecrets(result);
  });
});
