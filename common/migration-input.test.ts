import { describe, expect, it } from 'vitest';
import { parseMigrationInput } from './migration-input.js';
import { buildMigrationStartOptions } from './start-options.js';
import { DcsMigrationType } from './search-attributes.js';
import { problemsOf } from './testing/input-problems.js';

const online = {
  kind: 'online',
  source: { addrs: '10.0.0.5:6379', password: { env: 'SOURCE_REDIS_PASSWORD' } },
  target: { instanceId: 'dcs-target', password: { file: '/run/secrets/target' } },
  network: { vpcId: 'vpc-1', subnetId: 'subnet-1', securityGroupId: 'sg-1' },
  method: 'incremental',
  hold: { maxDuration: '2h' },
  polling: { initialInterval: '500ms', maxInterval: '1m' },
};

describe('migration input', () => {
  it('applies defaults and turns durations into milliseconds', () => {
    const input = parseMigrationInput(online);
    expect(input.kind).toBe('online');
    if (input.kind !== 'online') throw new Error('unreachable');
    expect(input.resumeMode).toBe('manual');
    expect(input.hold?.maxDuration).toBe(7_200_000);
    expect(input.polling).toMatchObject({ initialInterval: 500, maxInterval: 60_000, pollsPerRun: 300 });
    expect(input.deleteOnCancel).toBe(false);
    expect(input.onFailure).toBe('stop');
  });

  it('takes onFailure stop, delete or keep, and nothing else', () => {
    expect(parseMigrationInput({ ...online, onFailure: 'keep' }).onFailure).toBe('keep');
    expect(parseMigrationInput({ ...online, onFailure: 'delete' }).onFailure).toBe('delete');
    expect(problemsOf({ ...online, onFailure: 'ignore' })[0]?.field).toBe('onFailure');
  });

  it('tolerates DCS being out of reach for an hour by default; polling.dcsOutageTolerance is a duration up to 30d', () => {
    expect(parseMigrationInput(online).polling.dcsOutageTolerance).toBe(3_600_000);
    const withTolerance = (value: unknown) => ({
      ...online,
      polling: { ...online.polling, dcsOutageTolerance: value },
    });
    expect(parseMigrationInput(withTolerance('6h')).polling.dcsOutageTolerance).toBe(21_600_000);
    for (const bad of ['0s', '31d', 'a while'])
      expect(problemsOf(withTolerance(bad))[0]?.field, bad).toBe('polling.dcsOutageTolerance');
  });

  it('re-validates a parsed input to itself (the workflow validates what the CLI already parsed)', () => {
    const inputs = [
      online,
      {
        ...online,
        method: 'full',
        hold: undefined,
        resumeMode: 'auto',
        bandwidthLimitMb: 100,
        polling: { mode: 'shared', confirmInterval: '10m' },
      },
      {
        ...online,
        source: { instanceId: 'dcs-source' },
        taskName: 'dcsm-idempotent',
        description: ' d ',
        deleteOnCancel: true,
      },
      {
        ...online,
        verify: {
          source: { address: 'a:1' },
          target: { address: 'b:2', password: { env: 'P' } },
          mode: 'length',
          ttlTolerance: '2s',
        },
      },
      {
        kind: 'backup_import',
        target: { instanceId: 't' },
        backup: { source: 'obs', bucket: 'b', files: [{ name: 'dump.rdb', size: '10' }] },
      },
      { kind: 'backup_import', target: { instanceId: 't' }, backup: { source: 'backup_record', backupId: 'b-1' } },
      {
        kind: 'legacy_online',
        source: { addrs: ' 10.0.0.5:6379 ' },
        target: { instanceId: 't' },
        method: 'incremental',
        networkType: 'vpc',
        hold: { maxDuration: 1_000 },
      },
    ];
    for (const raw of inputs) {
      const parsed = parseMigrationInput(raw);
      expect(parseMigrationInput(parsed)).toEqual(parsed);
      expect(parseMigrationInput(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    }
  });

  it('names the field of every problem', () => {
    const problems = problemsOf({ ...online, target: {}, network: { vpcId: 'v' }, bandwidthLimitMb: 0 });
    expect(problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['target.instanceId', 'network.subnetId', 'network.securityGroupId', 'bandwidthLimitMb']),
    );
    expect(problems.find((p) => p.field === 'target.instanceId')?.message).toBe('is required');
  });

  it('refuses a literal password without echoing it', () => {
    const error = (() => {
      try {
        parseMigrationInput({ ...online, source: { addrs: '10.0.0.5:6379', password: 'hunter2-literal' } });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain('source.password');
    expect(error?.message).toContain('reference');
    expect(error?.message).not.toContain('hunter2-literal');
  });

  it('refuses unknown kinds, unknown fields, bad durations and a hold on a full migration', () => {
    expect(problemsOf({ ...online, kind: 'teleport' })[0]?.field).toBe('kind');
    expect(problemsOf({ ...online, sourcePassword: 'x' })[0]).toEqual({
      field: 'sourcePassword',
      message: expect.stringMatching(/^unknown field/),
    });
    expect(problemsOf({ ...online, polling: { initialInterval: 'soon' } })[0]?.field).toBe('polling.initialInterval');
    expect(problemsOf({ ...online, method: 'full' })[0]?.field).toBe('hold');
    expect(problemsOf({ ...online, polling: { initialInterval: '10s', maxInterval: '1s' } })[0]?.field).toBe(
      'polling.maxInterval',
    );
  });

  it('accepts a backup import from OBS files or from a backup record', () => {
    const obs = parseMigrationInput({
      kind: 'backup_import',
      target: { instanceId: 't' },
      backup: { source: 'obs', bucket: 'b', files: [{ name: 'dump.rdb' }] },
    });
    expect(obs.kind).toBe('backup_import');
    expect(
      problemsOf({
        kind: 'backup_import',
        target: { instanceId: 't' },
        backup: { source: 'obs', bucket: 'b', files: [] },
      })[0]?.field,
    ).toBe('backup.files');
    expect(
      problemsOf({ kind: 'backup_import', target: { instanceId: 't' }, backup: { source: 'backup_record' } })[0]?.field,
    ).toBe('backup.backupId');
  });
});

describe('start options', () => {
  it('validates, and fills the UI fields without any secret', () => {
    const options = buildMigrationStartOptions({ input: parseMigrationInput(online), workflowId: 'wf-1' });
    expect(options.workflowId).toBe('wf-1');
    expect(options.taskQueue).toBe('dcs-migrate');
    expect(options.workflowIdReusePolicy).toBe('REJECT_DUPLICATE');
    expect(options.typedSearchAttributes).toContainEqual({ key: DcsMigrationType, value: 'online:incremental' });
    expect(options.staticSummary).toBe('Incremental online migration: 10.0.0.5:6379 → instance dcs-target');
    expect(options.staticSummary.length).toBeLessThanOrEqual(200);
    expect(options.staticDetails).toContain('incremental');
    expect(options.args[0].polling.initialInterval).toBe(500);
  });

  it('generates distinct workflow ids when none is given; a bad input is refused by the parse before it', () => {
    const a = buildMigrationStartOptions({ input: parseMigrationInput(online) }).workflowId;
    const b = buildMigrationStartOptions({ input: parseMigrationInput(online) }).workflowId;
    expect(a).toMatch(/^dcs-online-dcs-target-/);
    expect(a).not.toBe(b);
    expect(() => parseMigrationInput({ ...online, target: {} })).toThrow(/target\.instanceId/);
  });
});
