/** The input's `cutover` block: defaults, and a clear error naming the field for each kind of mistake. */
import { describe, expect, it } from 'vitest';
import { parseMigrationInput } from './migration-input.js';
import { problemsOf } from './testing/input-problems.js';

const incremental = {
  kind: 'online',
  source: { addrs: '10.0.0.5:6379' },
  target: { instanceId: 'dcs-target' },
  network: { vpcId: 'vpc-1', subnetId: 'subnet-1', securityGroupId: 'sg-1' },
  method: 'incremental',
};

describe('migration input: cutover', () => {
  it('defaults to a manual cutover without gate or window, and re-validates to itself', () => {
    const parsed = parseMigrationInput({ ...incremental, cutover: {} });
    expect(parsed.kind === 'online' && parsed.cutover).toEqual({
      mode: 'manual',
      switch: 'none',
      rollbackWindow: 600_000,
      afterRollback: 'hold',
    });
    const full = parseMigrationInput({
      ...incremental,
      hold: { maxDuration: '7d' },
      cutover: {
        mode: 'auto',
        gate: { maxOffset: 0 },
        window: { start: '22:00', end: '02:00', timeZone: 'Europe/Berlin', days: ['sat', 'sun'] },
        onDeadline: 'hold',
      },
    });
    expect(full.kind === 'online' && full.cutover?.gate).toEqual({ maxOffset: 0, consecutiveReads: 3 });
    expect(parseMigrationInput(JSON.parse(JSON.stringify(full)))).toEqual(full);
  });

  it('names the field of each mistake', () => {
    const problems = problemsOf({
      ...incremental,
      cutover: {
        mode: 'automatic',
        gate: { maxOffset: -1, consecutiveReads: 0 },
        window: { start: '2am', end: '24:00', timeZone: 'Asia/Shangai', days: ['monday'] },
      },
    });
    expect(Object.fromEntries(problems.map((p) => [p.field, p.message]))).toMatchObject({
      'cutover.mode': expect.stringContaining('"manual"|"auto"'),
      'cutover.gate.maxOffset': expect.stringContaining('>=0'),
      'cutover.gate.consecutiveReads': expect.stringContaining('>=1'),
      'cutover.window.start': 'must be a time of day as HH:MM (24-hour), e.g. "02:00"',
      'cutover.window.end': 'must be a time of day as HH:MM (24-hour), e.g. "02:00"',
      'cutover.window.timeZone': 'must be an IANA time zone name, e.g. "Asia/Shanghai" or "UTC"',
      'cutover.window.days.0': expect.stringContaining('"mon"'),
    });
    expect(problemsOf({ ...incremental, cutover: { gate: {} } })).toEqual([
      { field: 'cutover.gate.maxOffset', message: 'is required' },
    ]);
    expect(
      problemsOf({ ...incremental, cutover: { window: { start: '02:00', end: '02:00', timeZone: 'UTC' } } }),
    ).toEqual([{ field: 'cutover.window.end', message: 'must differ from start' }]);
    expect(problemsOf({ ...incremental, cutover: { mdoe: 'auto' } })[0]).toEqual({
      field: 'cutover.mdoe',
      message: expect.stringContaining('"mode"'),
    });
  });

  it('refuses onDeadline without hold.maxDuration, and the block on a full migration', () => {
    expect(problemsOf({ ...incremental, cutover: { onDeadline: 'fail' } })).toEqual([
      { field: 'cutover.onDeadline', message: 'needs hold.maxDuration (the deadline it acts on)' },
    ]);
    expect(problemsOf({ ...incremental, method: 'full', cutover: { mode: 'auto' } })).toEqual([
      { field: 'cutover', message: 'only applies to method "incremental"' },
    ]);
    expect(
      problemsOf({
        kind: 'backup_import',
        target: { instanceId: 't' },
        backup: { source: 'backup_record', backupId: 'b' },
        cutover: {},
      })[0]?.field,
    ).toBe('cutover');
  });
});
