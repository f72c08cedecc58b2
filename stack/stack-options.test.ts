import { describe, expect, it } from 'vitest';
import { InvalidStackOptionsError, resolveStackOptions } from './stack-options.js';

describe('up instance types', () => {
  it('default to single nodes and read --source-type / --target-type as --instance spells a type', () => {
    expect(resolveStackOptions({}, {}).topologies).toEqual({ source: { mode: 'single' }, target: { mode: 'single' } });
    expect(resolveStackOptions({ sourceType: 'ha', targetType: 'ha:2' }, {}).topologies).toEqual({
      source: { mode: 'ha', standbys: 1 },
      target: { mode: 'ha', standbys: 2 },
    });
  });

  it('refuse a bad type naming the flag and the field, and a Redis Cluster the demo cannot cut over', () => {
    expect(() => resolveStackOptions({ targetType: 'ha:9' }, {})).toThrow(/^--target-type: shape: /);
    expect(() => resolveStackOptions({ sourceType: 'sharded' }, {})).toThrow(/^--source-type: mode: /);
    expect(() => resolveStackOptions({ targetType: 'cluster:3' }, {})).toThrow(InvalidStackOptionsError);
    expect(() => resolveStackOptions({ targetType: 'cluster:3' }, {})).toThrow(/--target-type: .*IP switch/);
    // Every problem at once.
    expect(() => resolveStackOptions({ keys: 'many', sourceType: 'x' }, {})).toThrow(/--keys.*; --source-type/);
  });
});
