import { describe, expect, it } from 'vitest';
import { deriveTaskName } from './task-name.js';

describe('task name derived from the workflow id', () => {
  it('is stable, prefixed and keeps a plain id readable', () => {
    expect(deriveTaskName('nightly-import-42')).toBe('dcsm-nightly-import-42');
    expect(deriveTaskName('nightly-import-42')).toBe(deriveTaskName('nightly-import-42'));
  });

  it('sanitizes characters DCS names do not allow and tells apart ids that sanitize alike', () => {
    const a = deriveTaskName('ops/import:1');
    const b = deriveTaskName('ops-import-1');
    expect(a).toMatch(/^[A-Za-z][A-Za-z0-9_-]{3,63}$/);
    expect(a).not.toBe(b);
  });

  it('bounds the length and keeps long ids distinct', () => {
    const long = 'x'.repeat(200);
    const name = deriveTaskName(long);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(deriveTaskName(`${long}y`)).not.toBe(name);
  });
});
