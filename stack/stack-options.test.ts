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

  it('take a Redis Cluster on either side (the demo then cuts over without an IP switch)', () => {
    expect(resolveStackOptions({ sourceType: 'cluster:3', targetType: 'cluster' }, {}).topologies).toEqual({
      source: { mode: 'cluster', masters: 3, replicasPerMaster: 0 },
      target: { mode: 'cluster', masters: 3, replicasPerMaster: 0 },
    });
    expect(resolveStackOptions({ targetType: ' cluster:4x1 ' }, {}).topologies.target).toEqual({
      mode: 'cluster',
      masters: 4,
      replicasPerMaster: 1,
    });
  });

  it('refuse a bad type naming the flag and the field', () => {
    expect(() => resolveStackOptions({ targetType: 'ha:9' }, {})).toThrow(/^--target-type: shape: /);
    expect(() => resolveStackOptions({ targetType: 'ha:9' }, {})).toThrow(InvalidStackOptionsError);
    expect(() => resolveStackOptions({ sourceType: 'sharded' }, {})).toThrow(/^--source-type: mode: /);
    expect(() => resolveStackOptions({ targetType: 'cluster:99' }, {})).toThrow(/^--target-type: shape: /);
    // Every problem at once.
    expect(() => resolveStackOptions({ keys: 'many', sourceType: 'x' }, {})).toThrow(/--keys.*; --source-type/);
  });
});
