/** "Did you mean" for unknown fields of a migration input (issue 19). */
import { describe, expect, it } from 'vitest';
import { migrationInputSchema } from './migration-input.js';
import { allowedKeysAt, editDistance, suggestKey } from './unknown-fields.js';
import { problemsOf } from './testing/input-problems.js';

const online = {
  kind: 'online',
  source: { instanceId: 'dcs-source' },
  target: { instanceId: 'dcs-target' },
  network: { vpcId: 'v', subnetId: 's', securityGroupId: 'g' },
  method: 'full',
};

describe('editDistance (optimal string alignment)', () => {
  it.each([
    ['method', 'method', 0],
    ['metod', 'method', 1],
    ['mehtod', 'method', 1],
    ['targett', 'target', 1],
    ['progresinterval', 'progressinterval', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s: %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('suggestKey', () => {
  const keys = ['kind', 'method', 'resumeMode', 'target', 'taskName', 'hold', 'mode'];
  it.each([
    ['resume_mode', 'resumeMode'],
    ['RESUME-MODE', 'resumeMode'],
    ['targett', 'target'],
    ['metod', 'method'],
    ['taskname', 'taskName'],
  ])('%s → %s', (unknown, expected) => {
    expect(suggestKey(unknown, keys)).toBe(expected);
  });
  it.each(['frobnicate', 'x', 'modes_and_more'])('%s: nothing close', (unknown) => {
    expect(suggestKey(unknown, keys)).toBeUndefined();
  });
  it('suggests nothing when two keys are equally close', () => {
    expect(suggestKey('hode', ['hole', 'mode'])).toBeUndefined();
    expect(suggestKey('hode', ['hold', 'mode'])).toBe('mode');
  });
});

describe('allowedKeysAt', () => {
  it('follows the input: the kind picks the option, nested objects and list items by their path', () => {
    expect(allowedKeysAt(migrationInputSchema, online, [])).toContain('network');
    expect(allowedKeysAt(migrationInputSchema, { kind: 'backup_import' }, [])).not.toContain('network');
    expect(allowedKeysAt(migrationInputSchema, online, ['polling'])).toContain('progressInterval');
    expect(allowedKeysAt(migrationInputSchema, online, ['source', 'password'])).toEqual(['env', 'file']);
    const backup = { kind: 'backup_import', backup: { source: 'obs', files: [{ name: 'a' }] } };
    expect(allowedKeysAt(migrationInputSchema, backup, ['backup'])).toEqual(['source', 'bucket', 'files']);
    expect(allowedKeysAt(migrationInputSchema, backup, ['backup', 'files', 0])).toEqual(['name', 'size', 'updatedAt']);
    expect(allowedKeysAt(migrationInputSchema, online, ['method'])).toBeUndefined();
  });
});

describe('parseMigrationInput names unknown fields by their path, with a suggestion', () => {
  it('suggests the closest allowed key, one problem per unknown key', () => {
    const { target, ...rest } = online;
    const problems = problemsOf({
      ...rest,
      targett: target,
      resume_mode: 'auto',
      polling: { progresInterval: '1m', frequency: 3 },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'targett', message: 'unknown field; did you mean "target"?' },
        { field: 'resume_mode', message: 'unknown field; did you mean "resumeMode"?' },
        { field: 'polling.progresInterval', message: 'unknown field; did you mean "progressInterval"?' },
        { field: 'target', message: 'is required' },
      ]),
    );
    expect(problems.find((p) => p.field === 'polling.frequency')?.message).toMatch(
      /^unknown field; allowed here: initialInterval, maxInterval, .*progressInterval$/,
    );
  });

  it('suggests from the keys of the input kind only', () => {
    // `network` exists for kind online, not for legacy_online: no suggestion of it there.
    const legacy = {
      kind: 'legacy_online',
      source: { addrs: 'redis:6379' },
      target: { instanceId: 't' },
      method: 'full',
      netwrk: {},
    };
    expect(problemsOf(legacy)).toEqual([
      { field: 'netwrk', message: expect.stringMatching(/^unknown field; allowed here: kind, .*networkType/) },
    ]);
    expect(problemsOf({ ...online, netwrk: {} })).toEqual([
      { field: 'netwrk', message: 'unknown field; did you mean "network"?' },
    ]);
  });

  it('in list items and password references', () => {
    const backup = {
      kind: 'backup_import',
      target: { instanceId: 't', password: { evn: 'X' } },
      backup: { source: 'obs', bucket: 'b', files: [{ name: 'a', sise: '1' }] },
    };
    expect(problemsOf(backup)).toEqual(
      expect.arrayContaining([
        { field: 'target.password.evn', message: 'unknown field; did you mean "env"?' },
        { field: 'backup.files.0.sise', message: 'unknown field; did you mean "size"?' },
      ]),
    );
  });
});
