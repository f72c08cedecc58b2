import { describe, expect, it } from 'vitest';
import { deriveTaskName, reverseTaskName } from './task-name.js';

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

describe('the reverse task name (cutover.rollback: keep-writes)', () => {
  it('is the task name with -rev, bounded, and distinct for long names that share a prefix', () => {
    expect(reverseTaskName('dcsm-nightly-42')).toBe('dcsm-nightly-42-rev');
    expect(reverseTaskName('dcsm-nightly-42', 2)).toBe('dcsm-nightly-42-rev2');
    const long = deriveTaskName('y'.repeat(200));
    const reverse = reverseTaskName(long);
    expect(reverse.length).toBeLessThanOrEqual(64);
    expect(reverse).toMatch(/^[A-Za-z][A-Za-z0-9_-]{3,63}$/);
    expect(reverseTaskName(`${long.slice(0, 63)}z`)).not.toBe(reverse);
    expect(reverse).not.toBe(long);
  });
});
