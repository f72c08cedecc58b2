import { describe, expect, it } from 'vitest';
import { parseMigrationInput, type MigrationInputFile } from '../../common/migration-input.js';
import { precheckFailureMessage } from '../../common/precheck.js';
import type { InstanceDetail } from '../../dcs/schemas/index.js';
import { evaluatePrechecks } from './evaluate.js';
import { replicaHardLimit, type RedisFacts } from './redis-probe.js';

const input = (extra: Record<string, unknown> = {}) =>
  parseMigrationInput({
    kind: 'online',
    source: { instanceId: 'src' },
    target: { instanceId: 'dst' },
    network: { vpcId: 'v', subnetId: 's', securityGroupId: 'g' },
    method: 'full',
    ...extra,
  } as MigrationInputFile);
const instance = (extra: Partial<InstanceDetail> = {}): { ok: true; detail: InstanceDetail } => ({
  ok: true,
  detail: {
    instance_id: 'x',
    status: 'RUNNING',
    engine_version: '6.0',
    cache_mode: 'ha',
    max_memory: 1024,
    used_memory: 10,
    ...extra,
  } as InstanceDetail,
});
const verdictOf = (outcomes: ReturnType<typeof evaluatePrechecks>, id: string) =>
  outcomes.find((outcome) => outcome.id === id)?.verdict;

describe('pre-flight verdicts', () => {
  it('compares engine versions by major.minor, across DCS and server spellings', () => {
    const same = evaluatePrechecks({
      input: input(),
      source: instance({ engine_version: '6.0' }),
      target: instance({ engine_version: '6.0' }),
    });
    expect(verdictOf(same, 'engine-version')).toBe('pass');
    const older = evaluatePrechecks({
      input: input(),
      source: instance({ engine_version: '6.2' }),
      target: instance({ engine_version: '6.0' }),
    });
    expect(verdictOf(older, 'engine-version')).toBe('fail');
    const newer = evaluatePrechecks({
      input: input(),
      source: instance({ engine_version: '5.0' }),
      target: instance({ engine_version: '7.0' }),
    });
    expect(verdictOf(newer, 'engine-version')).toBe('pass');
    const unknown = evaluatePrechecks({ input: input({ source: { addrs: 'h:6379' } }), target: instance() });
    expect(verdictOf(unknown, 'engine-version')).toBe('warn');
  });

  it('needs free memory of the source used memory plus the margin', () => {
    // 100 MB used on the source: 110 MB needed with the default 10 %.
    const facts = (free: number, margin?: number) =>
      evaluatePrechecks({
        input: input(margin === undefined ? {} : { prechecks: { memoryMargin: margin } }),
        source: instance({ used_memory: 100 }),
        target: instance({ max_memory: free + 10, used_memory: 10 }),
      });
    expect(verdictOf(facts(110), 'target-memory')).toBe('pass');
    expect(verdictOf(facts(109), 'target-memory')).toBe('fail');
    expect(verdictOf(facts(100, 0), 'target-memory')).toBe('pass');
  });

  it('rollback-keeps-writes: only with a switch; a Proxy Cluster target or an SSL source cannot sync back', () => {
    const cutover = (rollback?: string) => ({ switch: 'ip', ...(rollback ? { rollback } : {}) });
    const switching = (rollback?: string) => input({ method: 'incremental', cutover: cutover(rollback) });
    const verdict = (file: ReturnType<typeof input>, target = instance(), source = instance()) =>
      evaluatePrechecks({ input: file, source, target }).find((outcome) => outcome.id === 'rollback-keeps-writes');
    expect(verdict(input())).toBeUndefined();
    expect(verdict(input({ method: 'incremental', cutover: { switch: 'none' } }))).toBeUndefined();
    expect(verdict(switching())?.verdict).toBe('pass');
    const proxy = verdict(switching(), instance({ cache_mode: 'proxy' }));
    expect(proxy).toMatchObject({ verdict: 'warn', evidence: expect.stringContaining('Proxy Cluster') });
    expect(verdict(switching('keep-writes'), instance({ cache_mode: 'proxy' }))?.verdict).toBe('fail');
    expect(verdict(switching('keep-writes'), instance(), instance({ enable_ssl: true }))).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining('SSL'),
    });
    expect(verdict(switching('addresses-only'), instance({ cache_mode: 'proxy' }))?.verdict).toBe('pass');
  });

  it('reads the replica class of client-output-buffer-limit, with units', () => {
    expect(replicaHardLimit('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60')).toBe(268_435_456);
    expect(replicaHardLimit('normal 0 0 0 replica 1mb 1mb 60 pubsub 32mb 8mb 60')).toBe(1024 * 1024);
    expect(replicaHardLimit('normal 0 0 0 replica 0 0 0')).toBe(0);
    expect(replicaHardLimit(undefined)).toBeUndefined();
  });

  it('an unreachable server warns and skips its server checks; a refused password fails', () => {
    const unreachable: RedisFacts = {
      address: 'h:1',
      connection: { ok: false, kind: 'unreachable', reason: 'connect ECONNREFUSED' },
    };
    const refused: RedisFacts = {
      address: 'h:2',
      connection: { ok: false, kind: 'auth', reason: 'authentication failed (wrong or missing password)' },
    };
    const outcomes = evaluatePrechecks({
      input: input(),
      source: instance(),
      target: instance(),
      redis: { source: { probed: true, facts: unreachable }, target: { probed: true, facts: refused } },
    });
    expect(verdictOf(outcomes, 'source-auth')).toBe('warn');
    expect(verdictOf(outcomes, 'target-auth')).toBe('fail');
    expect(outcomes.map((outcome) => outcome.id)).not.toContain('target-empty');
    expect(precheckFailureMessage(outcomes)).toBe(
      '1 pre-flight check failed, nothing was created: target-auth (h:2: authentication failed (wrong or missing password))',
    );
  });

  it('refuses AOF files (by name) into a Redis Cluster target; SSL on the target only warns for a backup import', () => {
    const importOf = (names: string[]) =>
      parseMigrationInput({
        kind: 'backup_import',
        target: { instanceId: 'dst' },
        backup: { source: 'obs', bucket: 'b', files: names.map((name) => ({ name })) },
      } as MigrationInputFile);
    const cluster = instance({ cache_mode: 'cluster' });
    const aof = evaluatePrechecks({
      input: importOf(['base.rdb', 'dir/appendonly.aof', 'x.aof.manifest']),
      target: cluster,
    });
    expect(aof.find((outcome) => outcome.id === 'aof-into-cluster')).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining('dir/appendonly.aof, x.aof.manifest'),
      remedy: expect.stringContaining('RDB'),
    });
    expect(
      verdictOf(
        evaluatePrechecks({ input: importOf(['dump.rdb', 'appendonly.aof.1.base.rdb']), target: cluster }),
        'aof-into-cluster',
      ),
    ).toBe('pass');
    expect(
      verdictOf(evaluatePrechecks({ input: importOf(['x.aof']), target: instance() }), 'aof-into-cluster'),
    ).toBeUndefined();
    expect(
      verdictOf(
        evaluatePrechecks({ input: importOf(['dump.rdb']), target: instance({ enable_ssl: true }) }),
        'target-ssl',
      ),
    ).toBe('warn');
    expect(
      verdictOf(
        evaluatePrechecks({ input: input(), source: instance(), target: instance({ enable_ssl: true }) }),
        'target-ssl',
      ),
    ).toBe('fail');
  });

  it('warns when verification names an ACL user other than default: DCS migrates as the default user', () => {
    const verify = (username?: string) => ({
      source: { address: 'src:6379', ...(username ? { username } : {}) },
      target: { address: 'dst:6379', username: 'default' },
    });
    const named = evaluatePrechecks({
      input: input({ verify: verify('app') }),
      source: instance(),
      target: instance(),
    });
    expect(named.find((outcome) => outcome.id === 'acl-user')).toMatchObject({
      verdict: 'warn',
      evidence: expect.stringContaining('verify.source.username "app"'),
      remedy: expect.stringContaining('default user'),
    });
    expect(
      verdictOf(
        evaluatePrechecks({ input: input({ verify: verify() }), source: instance(), target: instance() }),
        'acl-user',
      ),
    ).toBe('pass');
    expect(
      verdictOf(evaluatePrechecks({ input: input(), source: instance(), target: instance() }), 'acl-user'),
    ).toBeUndefined();
  });
});
