import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../common/seeded-random.js';
import { startEmulator, type Emulator } from '../index.js';
import { callDcs } from '../testing/signed-http.js';

// 1,000 malformed or random requests, correctly signed so they get past the gateway and reach the operations:
// every one must get a 4xx in Huawei's shape, and the server must keep serving. Seeded, so a failure replays.

const SEED = 7_2026;
const CASES = 1000;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ instances: [{ id: 'dst' }], timings: { creatingMs: 50 } });
});
afterAll(async () => emu?.stop());

const VALID_BODIES: Array<{ method: string; path: string; body: Record<string, unknown> }> = [
  {
    method: 'POST',
    path: '/migration/instance',
    body: { name: 'n', vpc_id: 'v', subnet_id: 's', security_group_id: 'g' },
  },
  {
    method: 'POST',
    path: '/migration-task',
    body: {
      task_name: 't',
      migration_type: 'backupfile_import',
      migration_method: 'full_amount_migration',
      backup_files: { file_source: 'self_build_obs', bucket_name: 'b', files: [{ file_name: 'f.rdb' }] },
      target_instance: { id: 'dst' },
    },
  },
  { method: 'POST', path: '/migration-task/batch-stop', body: { migration_tasks: ['x'] } },
  { method: 'POST', path: '/migration-tasks/batch-restart', body: { migration_tasks: ['x'] } },
  { method: 'DELETE', path: '/migration-tasks/delete', body: { task_id_list: ['x'] } },
];

describe('malformed and random requests', () => {
  it(`answers ${CASES} of them with Huawei-shaped 4xx errors and keeps serving`, async () => {
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const junk = (length: number): string =>
      Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('');
    const randomValue = (depth = 0): unknown => {
      const makers = [
        () => null,
        () => random() * 1e6 - 5e5,
        () => junk(Math.floor(random() * 12)),
        () => random() < 0.5,
        () => -1,
        () => [randomValue(depth + 1)],
        () => ({ [junk(4)]: randomValue(depth + 1) }),
      ];
      return pick(depth > 3 ? makers.slice(0, 5) : makers)();
    };

    // Each generator returns a request that is invalid by construction.
    const generators: Array<() => { method: string; path: string; body?: string }> = [
      // A valid body with one required field removed.
      () => {
        const base = pick(VALID_BODIES);
        const body = structuredClone(base.body);
        delete body[pick(Object.keys(body))];
        return { method: base.method, path: base.path, body: JSON.stringify(body) };
      },
      // A valid body with one field of the wrong type.
      () => {
        const base = pick(VALID_BODIES);
        const body = structuredClone(base.body);
        body[pick(Object.keys(body))] = pick([42, true, null, [], { nested: 'x' }]);
        return { method: base.method, path: base.path, body: JSON.stringify(body) };
      },
      // An unknown field (request bodies are strict).
      () => {
        const base = pick(VALID_BODIES);
        return {
          method: base.method,
          path: base.path,
          body: JSON.stringify({ ...base.body, [`x_${junk(5)}`]: randomValue() }),
        };
      },
      // Not JSON, truncated JSON, empty, or a JSON value of the wrong kind.
      () => {
        const base = pick(VALID_BODIES);
        const text = JSON.stringify(base.body);
        const body = pick([
          junk(1 + Math.floor(random() * 60)),
          text.slice(0, Math.floor(random() * (text.length - 1))),
          '',
          '   ',
          JSON.stringify(randomValue()),
          '\u0000\u0001',
          '['.repeat(5000),
        ]);
        return { method: base.method, path: base.path, body };
      },
      // Random paths, random methods.
      () => {
        const segments = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
          pick([
            'migration-task',
            'migration-tasks',
            'migration',
            'jobs',
            'task',
            'stop',
            '..',
            '%2F',
            encodeURIComponent(junk(6)),
            '',
          ]),
        );
        return {
          method: pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']),
          path: `/${segments.join('/')}`,
          body: random() < 0.5 ? JSON.stringify(randomValue()) : undefined,
        };
      },
      // Task operations on ids that do not exist.
      () => {
        const id = encodeURIComponent(junk(1 + Math.floor(random() * 40)).replace(/[./]/g, 'x'));
        const [method, suffix] = pick([
          ['GET', ''],
          ['GET', '/stats'],
          ['GET', '/logs'],
          ['POST', '/stop'],
          ['POST', '/sync-stop'],
          ['PUT', ''],
          ['POST', '/rollback-ip'],
        ] as const);
        return { method, path: `/migration-task/${id}${suffix}`, body: method === 'PUT' ? '{}' : undefined };
      },
      // Bad query parameters.
      () => {
        const query = pick([
          `limit=${pick(['0', '1001', '-5', 'ten', '1.5', ''])}`,
          `offset=${pick(['-1', 'x', '1e3'])}`,
          `${encodeURIComponent(junk(4))}=1`,
        ]);
        return { method: 'GET', path: `/migration-tasks?${query}` };
      },
    ];

    const failures: string[] = [];
    for (let n = 0; n < CASES; n++) {
      const generated = pick(generators)();
      const response = await callDcs(
        emu,
        generated.method,
        generated.path,
        generated.body === undefined ? {} : { body: generated.body },
      );
      const shaped =
        typeof response.body === 'object' &&
        typeof response.body?.error_code === 'string' &&
        typeof response.body?.error_msg === 'string' &&
        typeof response.headers['x-request-id'] === 'string';
      if (response.status < 400 || response.status >= 500 || !shaped) {
        failures.push(
          `case ${n} (seed ${SEED}): ${generated.method} ${generated.path} ${generated.body?.slice(0, 80) ?? ''} → ${response.status} ${JSON.stringify(response.body)?.slice(0, 200)}`,
        );
      }
      if (typeof response.body?.error_msg === 'string') expect(response.body.error_msg).not.toMatch(/\n\s+at /); // no stack traces
    }
    expect(failures).toEqual([]);
    expect(emu.tasks()).toEqual([]);
    expect((await callDcs(emu, 'GET', '/migration-tasks')).status).toBe(200);
  });

  it('answers garbage credentials with 401 and a broken HTTP request without crashing', async () => {
    for (const authorization of [
      '',
      'SDK-HMAC-SHA256',
      'SDK-HMAC-SHA256 Access=, SignedHeaders=, Signature=',
      'Basic Zm9vOmJhcg==',
      'SDK-HMAC-SHA256 Access=a, SignedHeaders=nope, Signature=00',
    ]) {
      const response = await request(`${emu.url}/v2/${emu.credentials.projectId}/migration-tasks`, {
        headers: { authorization, 'x-sdk-date': '20200101T000000Z' },
      });
      expect(response.statusCode).toBe(401);
      expect(((await response.body.json()) as { error_code: string }).error_code).toMatch(/^APIGW\.0301$|^DCS\.100/);
    }
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const socket = net.connect(emu.port, '127.0.0.1', () => socket.end('GARBAGE / HTTP/9.9\r\n\r\n'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });
    expect((await callDcs(emu, 'GET', '/migration-tasks')).status).toBe(200);
  });
});
