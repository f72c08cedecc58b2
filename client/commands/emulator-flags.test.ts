import { describe, expect, it } from 'vitest';
import { CliError } from '../exit-codes.js';
import { parseInstanceFlag, parseRateLimitFlag } from './emulator-run.js';

// `--instance ID[:TYPE[:SHAPE]][@PASSWORD]` as the command reads it (the grammar itself: emulator/instances/topology.test.ts).

function refusal(value: string): CliError {
  try {
    parseInstanceFlag(value);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`--instance ${value} was accepted`);
}

describe('--instance', () => {
  it('reads the old spellings and the instance types', () => {
    expect(parseInstanceFlag('src')).toEqual({ id: 'src', topology: { mode: 'single' } });
    expect(parseInstanceFlag('dst:cli-secret')).toEqual({
      id: 'dst',
      password: 'cli-secret',
      topology: { mode: 'single' },
    });
    expect(parseInstanceFlag('dst:ha')).toEqual({ id: 'dst', topology: { mode: 'ha', standbys: 1 } });
    expect(parseInstanceFlag('dst:cluster:3x1@s3cret')).toEqual({
      id: 'dst',
      password: 's3cret',
      topology: { mode: 'cluster', masters: 3, replicasPerMaster: 1 },
    });
  });

  it.each([
    ['has/slash', '--instance: id:'],
    ['dst:cluster:2', '--instance dst: shape:'],
    ['dst:cluster:3x', '--instance dst: shape:'],
    ['dst:ha:many', '--instance dst: shape:'],
    ['dst:proxy', '--instance dst: mode:'],
    ['dst:ha@', '--instance dst: password:'],
  ])('refuses %s with exit code 2, naming the field', (value, prefix) => {
    const error = refusal(value);
    expect(error.exitCode).toBe(2);
    expect(error.message.startsWith(prefix)).toBe(true);
  });

  it('does not print what may be a password', () => {
    expect(refusal('dst:ha:hunter2').message).not.toContain('hunter2');
  });
});

describe('--rate-limit', () => {
  it('reads calls per window and refuses other spellings with exit code 2', () => {
    expect(parseRateLimitFlag('200/5m')).toEqual({ limit: 200, windowMs: 300_000 });
    for (const value of ['200', '200/5', '0/1m', 'many/1m']) {
      let error: unknown;
      try {
        parseRateLimitFlag(value);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
      expect((error as CliError).message).toMatch(/^--rate-limit: /);
    }
  });
});
