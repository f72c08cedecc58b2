import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { DcsClient } from './client.js';
import { loadDcsConfig } from './config.js';
import {
  DcsError,
  DcsInvalidResponseError,
  DcsTaskNotFoundError,
  DcsUnparseableResponseError,
  DcsValidationError,
} from './errors/index.js';
import { OPERATION_NAMES, type OperationName } from './operations.js';
import { parseAuthorizationHeader, verifyRequestSignature } from './signing/index.js';
import { recordingAgent, type RecordedRequest, type ScriptedAnswer } from './testing/recording-agent.js';

const ORIGIN = 'https://dcs.ap-southeast-1.myhuaweicloud.com';
const PROJECT = '0123456789abcdef0123456789abcdef';
const AK = 'AKTESTACCESSKEY0001';
const SK = 'sk-very-secret-value-0001';
const NOW = new Date('2026-03-04T05:06:07Z');

const env = {
  HUAWEICLOUD_SDK_REGION: 'ap-southeast-1',
  HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
  CLOUD_SDK_AK: AK,
  CLOUD_SDK_SK: SK,
};
const task = { task_id: 't-1', task_name: 'mig-1', status: 'INCRMIGEATING' };
const batch = { migration_tasks: [{ task_id: 't-1', result: 'success' }] };

// For each operation: how the client is called, what must go over the wire, and what the server answers.
const cases: Record<
  OperationName,
  { call: (c: DcsClient) => Promise<unknown>; method: string; path: string; body?: unknown; answer: ScriptedAnswer }
> = {
  CreateMigrationTask: {
    call: (c) =>
      c.createMigrationTask({
        task_name: 'import-1',
        migration_type: 'backupfile_import',
        migration_method: 'full_amount_migration',
        backup_files: { file_source: 'backup_record', backup_id: 'b-1' },
        target_instance: { id: 'inst-1' },
      }),
    method: 'POST',
    path: `/v2/${PROJECT}/migration-task`,
    body: {
      task_name: 'import-1',
      migration_type: 'backupfile_import',
      migration_method: 'full_amount_migration',
      backup_files: { file_source: 'backup_record', backup_id: 'b-1' },
      target_instance: { id: 'inst-1' },
    },
    answer: { status: 200, body: { id: 't-1', name: 'import-1', status: 'MIGRATING', error: '' } },
  },
  CreateOnlineMigrationTask: {
    call: (c) =>
      c.createOnlineMigrationTask({ name: 'online-1', vpc_id: 'vpc', subnet_id: 'net', security_group_id: 'sg' }),
    method: 'POST',
    path: `/v2/${PROJECT}/migration/instance`,
    body: { name: 'online-1', vpc_id: 'vpc', subnet_id: 'net', security_group_id: 'sg' },
    answer: { status: 200, body: { instance_id: 't-1', job_id: 'j-1' } },
  },
  SetOnlineMigrationTask: {
    call: (c) =>
      c.setOnlineMigrationTask('t-1', {
        migration_method: 'incremental_migration',
        resume_mode: 'auto',
        bandwidth_limit_mb: 100,
        source_instance: { addrs: '10.0.0.1:6379', password: 'src-password-1' },
        target_instance: { id: 'inst-1' },
      }),
    method: 'POST',
    path: `/v2/${PROJECT}/migration/t-1/task`,
    body: {
      migration_method: 'incremental_migration',
      resume_mode: 'auto',
      bandwidth_limit_mb: '100',
      source_instance: { addrs: '10.0.0.1:6379', password: 'src-password-1' },
      target_instance: { id: 'inst-1' },
    },
    answer: { status: 200, body: { id: 't-1', name: 'online-1', status: 'FULLMIGRATING', error: '' } },
  },
  ListMigrationTask: {
    call: (c) => c.listMigrationTask({ offset: 20, limit: 10, name: 'mig 1' }),
    method: 'GET',
    path: `/v2/${PROJECT}/migration-tasks?offset=20&limit=10&name=mig%201`,
    answer: { status: 200, body: { count: 1, migration_tasks: [task] } },
  },
  ShowMigrationTask: {
    call: (c) => c.showMigrationTask('t-1'),
    method: 'GET',
    path: `/v2/${PROJECT}/migration-task/t-1`,
    answer: { status: 200, body: task },
  },
  ShowMigrationTaskStats: {
    call: (c) => c.showMigrationTaskStats('t-1'),
    method: 'GET',
    path: `/v2/${PROJECT}/migration-task/t-1/stats`,
    answer: { status: 200, body: { full_migration_progress: '100', offset: 0, is_migrating: true } },
  },
  StopMigrationTask: {
    call: (c) => c.stopMigrationTask('t-1'),
    method: 'POST',
    path: `/v2/${PROJECT}/migration-task/t-1/stop`,
    answer: { status: 200, body: { ...task, status: 'TERMINATING' } },
  },
  StopMigrationTaskSync: {
    call: (c) => c.stopMigrationTaskSync('t-1'),
    method: 'POST',
    path: `/v2/${PROJECT}/migration-task/t-1/sync-stop`,
    answer: { status: 204 },
  },
  BatchStopMigrationTasks: {
    call: (c) => c.batchStopMigrationTasks({ migration_tasks: ['t-1'] }),
    method: 'POST',
    path: `/v2/${PROJECT}/migration-task/batch-stop`,
    body: { migration_tasks: ['t-1'] },
    answer: { status: 200, body: batch },
  },
  BatchRestartOnlineMigrationTasks: {
    call: (c) => c.batchRestartOnlineMigrationTasks({ migration_tasks: ['t-1'] }),
    method: 'POST',
    path: `/v2/${PROJECT}/migration-tasks/batch-restart`,
    body: { migration_tasks: ['t-1'] },
    answer: { status: 200, body: batch },
  },
  DeleteMigrationTask: {
    call: (c) => c.deleteMigrationTask({ task_id_list: ['t-1'] }),
    method: 'DELETE',
    path: `/v2/${PROJECT}/migration-tasks/delete`,
    body: { task_id_list: ['t-1'] },
    answer: { status: 200, body: { task_id_list: ['t-1'] } },
  },
  UpdateMigrationTask: {
    call: (c) => c.updateMigrationTask('t-1', { resume_mode: 'manual' }),
    method: 'PUT',
    path: `/v2/${PROJECT}/migration-task/t-1`,
    body: { resume_mode: 'manual' },
    answer: { status: 200, body: {} },
  },
  ListMigrationTaskLogs: {
    call: (c) => c.listMigrationTaskLogs('t-1', { offset: 0, limit: 5, log_level: 'ERROR' }),
    method: 'GET',
    path: `/v2/${PROJECT}/migration-task/t-1/logs?offset=0&limit=5&log_level=ERROR`,
    answer: { status: 200, body: { log_num: 1, migration_logs: [{ log_level: 'ERROR', message: 'm', keyword: [] }] } },
  },
  ExchangeInstanceIp: {
    call: (c) => c.exchangeInstanceIp('t-1', { exchanged_ip: ['10.0.0.1'], is_exchange_domain: true }),
    method: 'POST',
    path: `/v2/${PROJECT}/migration-task/t-1/exchange-ip`,
    body: { exchanged_ip: ['10.0.0.1'], is_exchange_domain: true },
    answer: { status: 204 },
  },
  RollbackExchangeInstanceIp: {
    call: (c) => c.rollbackExchangeInstanceIp('t-1'),
    method: 'POST',
    path: `/v2/${PROJECT}/migration-task/t-1/rollback-ip`,
    answer: { status: 204 },
  },
  ShowJobInfo: {
    call: (c) => c.showJobInfo('j-1'),
    method: 'GET',
    path: `/v2/${PROJECT}/jobs/j-1`,
    answer: {
      status: 200,
      body: { job_id: 'j-1', job_type: 'createMigrationEcs', status: 'SUCCESS', begin_time: '1700000000000' },
    },
  },
  ShowInstance: {
    call: (c) => c.showInstance('dcs-1'),
    method: 'GET',
    path: `/v2/${PROJECT}/instances/dcs-1`,
    answer: {
      status: 200,
      body: {
        instance_id: 'dcs-1',
        status: 'RUNNING',
        engine_version: '6.0',
        cache_mode: 'ha',
        max_memory: 1024,
        used_memory: 3,
        enable_ssl: false,
      },
    },
  },
};

const clients: DcsClient[] = [];
function clientAnswering(
  answer: (request: RecordedRequest) => ScriptedAnswer,
  extraEnv: Record<string, string> = {},
  retries = 0,
) {
  const { agent, requests } = recordingAgent(ORIGIN, answer);
  const client = new DcsClient({
    config: loadDcsConfig({ ...env, ...extraEnv }),
    dispatcher: agent,
    now: () => NOW,
    retries,
  });
  clients.push(client);
  return { client, requests, agent };
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** Asserts the request carries a valid AK/SK signature over the headers the official SDK signs. */
function expectSigned(request: RecordedRequest, extraSigned: string[] = []) {
  const auth = parseAuthorizationHeader(request.headers['authorization']);
  expect(auth?.accessKey).toBe(AK);
  expect(auth?.signedHeaders).toEqual(['content-type', 'host', 'x-project-id', 'x-sdk-date', ...extraSigned].sort());
  expect(request.headers['x-sdk-date']).toBe('20260304T050607Z');
  const verdict = verifyRequestSignature(
    {
      method: request.method,
      url: request.path,
      headers: { ...request.headers, host: new URL(ORIGIN).host },
      body: request.body,
    },
    { secretKeyFor: (ak) => (ak === AK ? SK : undefined), now: NOW },
  );
  expect(verdict).toEqual({ ok: true, accessKey: AK });
}

describe('every operation goes over the wire as documented', () => {
  for (const name of OPERATION_NAMES) {
    it(`${name}: method, path, query, body, signed headers, parsed answer`, async () => {
      const spec = cases[name];
      const { client, requests } = clientAnswering(() => spec.answer);
      const result = await spec.call(client);
      expect(requests).toHaveLength(1);
      const [request] = requests as [RecordedRequest];
      expect(request.method).toBe(spec.method);
      expect(request.path).toBe(spec.path);
      expect(request.body === undefined ? undefined : JSON.parse(request.body)).toEqual(spec.body);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-project-id']).toBe(PROJECT);
      expectSigned(request);
      if (spec.answer.status === 204) expect(result).toBeUndefined();
      else
        expect(result).toEqual(spec.answer.body === undefined ? undefined : expect.objectContaining(spec.answer.body));
    });
  }

  it('generic call() takes kebab-case names and the same inputs', async () => {
    const { client, requests } = clientAnswering(() => cases.ShowMigrationTask.answer);
    await expect(client.call('show-migration-task', { path: { task_id: 't-1' } })).resolves.toMatchObject(task);
    expect(requests[0]?.path).toBe(`/v2/${PROJECT}/migration-task/t-1`);
  });

  it('percent-encodes path parameters as one segment and still signs correctly', async () => {
    const { client, requests } = clientAnswering(() => ({ status: 200, body: task }));
    await client.showMigrationTask('a/b?c d:é');
    expect(requests[0]?.path).toBe(`/v2/${PROJECT}/migration-task/a%2Fb%3Fc%20d%3A%C3%A9`);
    expectSigned(requests[0]!);
  });

  it('signs X-Security-Token for temporary credentials', async () => {
    const { client, requests } = clientAnswering(() => ({ status: 200, body: task }), {
      HUAWEICLOUD_SDK_SECURITY_TOKEN: 'temp-token-xyz',
    });
    await client.showMigrationTask('t-1');
    expect(requests[0]?.headers['x-security-token']).toBe('temp-token-xyz');
    expectSigned(requests[0]!, ['x-security-token']);
  });
});

describe('validation happens before anything is sent', () => {
  const invalid: Array<[string, (c: DcsClient) => Promise<unknown>, string]> = [
    [
      'a missing nested field',
      (c) =>
        c.setOnlineMigrationTask('t-1', {
          migration_method: 'full_amount_migration',
          resume_mode: 'manual',
          source_instance: {},
          target_instance: { id: 'x' },
        }),
      'source_instance: needs id or addrs',
    ],
    [
      'bandwidth out of range',
      (c) =>
        c.setOnlineMigrationTask('t-1', {
          migration_method: 'full_amount_migration',
          resume_mode: 'manual',
          bandwidth_limit_mb: 0,
          source_instance: { addrs: 'h:1' },
          target_instance: { id: 'x' },
        }),
      'bandwidth_limit_mb: must be at least 1',
    ],
    ['an empty task id', (c) => c.showMigrationTask(''), 'task_id: must not be empty'],
    ['a ".." task id', (c) => c.showMigrationTask('..'), 'task_id: must not be "." or ".."'],
    ['a limit above 1000', (c) => c.listMigrationTask({ limit: 5000 }), 'limit: must be at most 1000'],
    ['an unknown operation', (c) => c.call('show-everything'), 'operation: "show-everything" is not an operation'],
    [
      'a body where none is taken',
      (c) => c.call('ShowMigrationTask', { path: { task_id: 't' }, body: {} }),
      '(body): ShowMigrationTask takes no request body',
    ],
    ['a missing body', (c) => c.call('DeleteMigrationTask', {}), '(body): is required by DeleteMigrationTask'],
  ];
  for (const [label, call, expected] of invalid) {
    it(`rejects ${label}, naming the field`, async () => {
      const { client, requests } = clientAnswering(() => ({ status: 200, body: task }));
      const error = await call(client).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DcsValidationError);
      expect((error as DcsValidationError).retryable).toBe(false);
      expect((error as DcsValidationError).issues.map((i) => `${i.field}: ${i.message}`)).toContain(expected);
      expect(requests).toHaveLength(0);
    });
  }

  it('never echoes a password from an invalid body', async () => {
    const { client } = clientAnswering(() => ({ status: 200, body: task }));
    const error = await client
      .setOnlineMigrationTask('t-1', {
        migration_method: 'full_amount_migration',
        resume_mode: 'manual',
        source_instance: { addrs: 'h:1', password: 12345678 as unknown as string },
        target_instance: { id: 'x' },
      })
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain('source_instance.password');
    expect((error as Error).message).not.toContain('12345678');
  });
});

describe('answers become typed errors', () => {
  it('400 DCS.4133 is DcsTaskNotFoundError with the request id', async () => {
    const { client } = clientAnswering(() => ({
      status: 400,
      body: { error_code: 'DCS.4133', error_msg: 'Instance job is not found.', error_ext_msg: null },
      headers: { 'x-request-id': 'rid-1' },
    }));
    const error = (await client.showMigrationTask('gone').catch((e: unknown) => e)) as DcsError;
    expect(error).toBeInstanceOf(DcsTaskNotFoundError);
    expect(error.toJSON()).toMatchObject({
      name: 'DcsTaskNotFoundError',
      httpStatus: 400,
      errorCode: 'DCS.4133',
      requestId: 'rid-1',
      operation: 'ShowMigrationTask',
      retryable: false,
    });
  });

  it('a 200 that is not JSON is unparseable (retryable); one without a status is invalid (not retryable)', async () => {
    const html = clientAnswering(() => ({ status: 200, body: '<html>proxy</html>' }));
    const unparseable = (await html.client.showMigrationTask('t-1').catch((e: unknown) => e)) as DcsError;
    expect(unparseable).toBeInstanceOf(DcsUnparseableResponseError);
    expect(unparseable.retryable).toBe(true);
    const partial = clientAnswering(() => ({
      status: 200,
      body: { task_id: 't-1' },
      headers: { 'x-request-id': 'rid-2' },
    }));
    const invalid = (await partial.client.showMigrationTask('t-1').catch((e: unknown) => e)) as DcsInvalidResponseError;
    expect(invalid).toBeInstanceOf(DcsInvalidResponseError);
    expect(invalid.issues).toEqual([{ field: 'status', message: 'is required' }]);
    expect([invalid.retryable, invalid.requestId]).toEqual([false, 'rid-2']);
  });

  it('scrubs the SK, AK and sent passwords from echoed error messages', async () => {
    const { client } = clientAnswering((request) => ({
      status: 400,
      body: { error_code: 'DCS.4063', error_msg: `bad request ${request.body ?? ''} ak ${AK} sk ${SK}` },
    }));
    const error = (await cases.SetOnlineMigrationTask.call(client).catch((e: unknown) => e)) as Error;
    for (const secret of [AK, SK, 'src-password-1']) expect(error.message).not.toContain(secret);
    expect(error.message).toContain('DCS.4063');
  });
});

describe('pagination', () => {
  const all = Array.from({ length: 5 }, (_, i) => ({
    task_id: `t-${i}`,
    task_name: i === 3 ? 'wanted' : `wanted-${i}`,
    status: 'SUCCESS',
  }));
  const pager = (request: RecordedRequest): ScriptedAnswer => {
    const url = new URL(request.path, ORIGIN);
    const offset = Number(url.searchParams.get('offset'));
    const limit = Number(url.searchParams.get('limit'));
    const name = url.searchParams.get('name');
    const matching = all.filter((task) => name === null || task.task_name.includes(name));
    return { status: 200, body: { count: matching.length, migration_tasks: matching.slice(offset, offset + limit) } };
  };

  it('lists every task by item offset, stopping at a short page that reaches the reported count', async () => {
    const { client, requests } = clientAnswering(pager);
    const tasks = await client.listAllMigrationTasks({ pageSize: 2 });
    expect(tasks.map((task) => task.task_id)).toEqual(['t-0', 't-1', 't-2', 't-3', 't-4']);
    expect(requests.map((request) => new URL(request.path, ORIGIN).search)).toEqual([
      '?offset=0&limit=2',
      '?offset=2&limit=2',
      '?offset=4&limit=2',
    ]);
  });

  it('pages on to an empty page when the count is missing or a full page ends the list (as Terraform does)', async () => {
    const withoutCount = clientAnswering((request) => {
      const answer = pager(request);
      return { ...answer, body: { migration_tasks: (answer.body as { migration_tasks: unknown[] }).migration_tasks } };
    });
    expect(await withoutCount.client.listAllMigrationTasks({ pageSize: 2 })).toHaveLength(5);
    expect(withoutCount.requests).toHaveLength(4);
    const fullLastPage = clientAnswering(pager);
    expect(await fullLastPage.client.listAllMigrationTasks({ pageSize: 5 })).toHaveLength(5);
    expect(fullLastPage.requests).toHaveLength(2);
  });

  it('looks a task up by name in one call', async () => {
    const { client, requests } = clientAnswering(pager);
    expect((await client.findTaskByName('wanted-4'))?.task_id).toBe('t-4');
    expect(requests).toHaveLength(1);
  });

  it('finds a task by exact name (the server filter matches loosely) and by id', async () => {
    const { client } = clientAnswering(pager);
    expect((await client.findTaskByName('wanted'))?.task_id).toBe('t-3');
    expect(await client.findTaskByName('want')).toBeUndefined();
    expect((await client.findTaskById('t-4'))?.task_name).toBe('wanted-4');
    expect(await client.findTaskById('t-9')).toBeUndefined();
  });

  it('stops instead of looping forever when the server ignores offset', async () => {
    const { client, requests } = clientAnswering(() => ({
      status: 200,
      body: { count: 2, migration_tasks: all.slice(0, 2) },
    }));
    expect(await client.listAllMigrationTasks({ pageSize: 2 })).toHaveLength(2);
    expect(requests).toHaveLength(2);
  });
});

describe('token authentication', () => {
  it('fetches a project-scoped IAM token once, sends it as X-Auth-Token, and refetches after a 401', async () => {
    let issued = 0;
    let rejectNext = false;
    const { client, requests } = clientAnswering(
      (request) => {
        if (request.path === '/v3/auth/tokens') {
          issued++;
          return {
            status: 201,
            body: { token: { expires_at: '2026-03-05T05:06:07Z' } },
            headers: { 'x-subject-token': `token-${issued}` },
          };
        }
        if (rejectNext) {
          rejectNext = false;
          return { status: 401, body: { error_code: 'DCS.1002', error_msg: 'The token has expired.' } };
        }
        return { status: 200, body: task };
      },
      {
        CLOUD_SDK_AK: '',
        CLOUD_SDK_SK: '',
        DCS_IAM_USERNAME: 'ops',
        DCS_IAM_PASSWORD: 'iam-password-1',
        DCS_IAM_ENDPOINT: ORIGIN,
      },
    );
    await client.showMigrationTask('t-1');
    await client.showMigrationTask('t-1');
    rejectNext = true;
    await expect(client.showMigrationTask('t-1')).rejects.toMatchObject({
      name: 'DcsAuthenticationError',
      errorCode: 'DCS.1002',
    });
    await client.showMigrationTask('t-1');

    const login = JSON.parse(requests[0]!.body!);
    expect(login.auth.identity.password.user).toEqual({ name: 'ops', password: 'iam-password-1' });
    expect(login.auth.scope.project.id).toBe(PROJECT);
    const dcsCalls = requests.filter((request) => request.path !== '/v3/auth/tokens');
    expect(dcsCalls.map((request) => request.headers['x-auth-token'])).toEqual([
      'token-1',
      'token-1',
      'token-1',
      'token-2',
    ]);
    expect(dcsCalls.every((request) => request.headers['authorization'] === undefined)).toBe(true);
    expect(issued).toBe(2);
  });
});

describe('secrets stay hidden', () => {
  it('printing the client or its config shows no AK, SK or token', () => {
    const config = loadDcsConfig({ ...env, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'temp-token-xyz' });
    const client = new DcsClient({ config });
    clients.push(client);
    const shown = [
      String(client),
      inspect(client),
      JSON.stringify(client),
      inspect(config),
      JSON.stringify(config),
      `${config.credentials.kind === 'aksk' ? config.credentials.secretKey : ''}`,
    ].join('\n');
    for (const secret of [AK, SK, 'temp-token-xyz']) expect(shown).not.toContain(secret);
    expect(shown).toContain(ORIGIN);
  });
});

describe('opt-in retries', () => {
  const flaky = (failures: number) => {
    let calls = 0;
    return () =>
      ++calls <= failures
        ? { status: 503, body: { error_code: 'DCS.5000', error_msg: 'busy' }, headers: { 'retry-after': '0' } }
        : { status: 200, body: task };
  };

  it('are off by default: one request, the error surfaces', async () => {
    const { client, requests } = clientAnswering(flaky(1));
    await expect(client.showMigrationTask('t-1')).rejects.toMatchObject({ name: 'DcsServerError', retryable: true });
    expect(requests).toHaveLength(1);
  });

  it('repeat a read on a retryable error up to the limit', async () => {
    const { client, requests } = clientAnswering(flaky(2), {}, 2);
    await expect(client.showMigrationTask('t-1')).resolves.toMatchObject(task);
    expect(requests).toHaveLength(3);
    const { client: short } = clientAnswering(flaky(2), {}, 1);
    await expect(short.showMigrationTask('t-1')).rejects.toMatchObject({ name: 'DcsServerError' });
  });

  it('never repeat a write, nor a non-retryable error', async () => {
    const { client, requests } = clientAnswering(flaky(1), {}, 3);
    await expect(client.stopMigrationTask('t-1')).rejects.toMatchObject({ name: 'DcsServerError' });
    expect(requests).toHaveLength(1);
    const notFound = clientAnswering(() => ({ status: 400, body: { error_code: 'DCS.4133', error_msg: 'x' } }), {}, 3);
    await expect(notFound.client.showMigrationTask('t-1')).rejects.toMatchObject({ name: 'DcsTaskNotFoundError' });
    expect(notFound.requests).toHaveLength(1);
  });
});
