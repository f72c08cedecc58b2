import { describe, expect, it } from 'vitest';
import { isValidInstanceId } from './instance-registry.js';
import { formatTopology, InstanceSpecError, parseInstanceSpec, parseTopology } from './topology.js';

const parse = (text: string) => parseInstanceSpec(text, isValidInstanceId);
const failure = (text: string): InstanceSpecError => {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof InstanceSpecError) return error;
    throw error;
  }
  throw new Error(`"${text}" was accepted`);
};

describe('parseInstanceSpec', () => {
  it.each([
    ['src', { id: 'src', topology: { mode: 'single' } }],
    ['src@secret', { id: 'src', password: 'secret', topology: { mode: 'single' } }],
    ['src:single', { id: 'src', topology: { mode: 'single' } }],
    ['dst:ha', { id: 'dst', topology: { mode: 'ha', standbys: 1 } }],
    ['dst:ha:2@p:w@x', { id: 'dst', password: 'p:w@x', topology: { mode: 'ha', standbys: 2 } }],
    ['dst:cluster', { id: 'dst', topology: { mode: 'cluster', masters: 3, replicasPerMaster: 0 } }],
    ['dst:cluster:5', { id: 'dst', topology: { mode: 'cluster', masters: 5, replicasPerMaster: 0 } }],
    [
      'dst:cluster:3x1@secret',
      { id: 'dst', password: 'secret', topology: { mode: 'cluster', masters: 3, replicasPerMaster: 1 } },
    ],
    // The older ID:PASSWORD, `:` and `@` in the password included.
    ['dst:cli-secret', { id: 'dst', password: 'cli-secret', topology: { mode: 'single' } }],
    ['dst:a:b@c', { id: 'dst', password: 'a:b@c', topology: { mode: 'single' } }],
    ['dst:hash', { id: 'dst', password: 'hash', topology: { mode: 'single' } }],
    // A password that is a type word is given after "@".
    ['dst@cluster:3', { id: 'dst', password: 'cluster:3', topology: { mode: 'single' } }],
  ])('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it.each([
    ['bad id', 'no/slash:ha', 'id'],
    ['empty id', ':ha', 'id'],
    ['empty password (new spelling)', 'dst:ha@', 'password'],
    ['empty password (old spelling)', 'dst:', 'password'],
    ['too few masters', 'dst:cluster:2', 'shape'],
    ['too many masters', 'dst:cluster:99', 'shape'],
    ['not a number', 'dst:cluster:three', 'shape'],
    ['replicas missing', 'dst:cluster:3x', 'shape'],
    ['two x', 'dst:cluster:3x1x1', 'shape'],
    ['too many replicas', 'dst:cluster:3x9', 'shape'],
    ['no standbys', 'dst:ha:0', 'shape'],
    ['single with a shape', 'dst:single:3', 'shape'],
    ['empty shape', 'dst:cluster:', 'shape'],
    ['a mode the emulator does not start', 'dst:proxy', 'mode'],
  ])('refuses %s naming the field', (_, text, field) => {
    expect(failure(text).field).toBe(field);
  });

  it('does not repeat what may be a password of the old spelling, and says where a password goes', () => {
    const error = failure('dst:ha:my-secret');
    expect(error.message).not.toContain('my-secret');
    expect(error.message).toContain('dst:ha:SHAPE@PASSWORD');
  });

  it('formats what it parses', () => {
    for (const text of ['single', 'ha:2', 'cluster:4x1']) expect(formatTopology(parseTopology(text))).toBe(text);
  });
});
