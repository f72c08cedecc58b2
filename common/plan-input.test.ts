/**
 * The plan file's validation (issue 26): a bad plan is refused before anything starts, every problem naming its
 * item and field; a good one keeps its items as written and gives each item's migration input, defaults applied.
 */
import { describe, expect, it } from 'vitest';
import { InvalidPlanInputError, validatePlan } from './plan-input.js';
import { itemWorkflowId, mergeItem } from './plan-merge.js';
import { toleratedFailures, wavesOf } from './plan-policy.js';

const defaults = { kind: 'legacy_online', method: 'full', source: { addrs: '10.0.0.1:6379' } };
const items = [
  { key: 'a', target: { instanceId: 't-a' } },
  { key: 'b', target: { instanceId: 't-b' }, method: 'incremental' },
  { key: 'c', target: { instanceId: 't-c' }, source: { addrs: '10.0.0.2:6379' } },
];

function problemsOf(plan: unknown): Array<{ field: string; message: string }> {
  try {
    validatePlan(plan);
  } catch (error) {
    if (error instanceof InvalidPlanInputError) return error.problems;
    throw error;
  }
  throw new Error('expected the plan to be refused');
}

describe('plan file', () => {
  it('accepts a plan: policy defaults applied, each item merged with the defaults and validated as a migration', () => {
    const { plan, inputs } = validatePlan({ defaults, items });
    expect(plan).toMatchObject({
      maxConcurrency: 10,
      failureTolerance: 0,
      onHalt: 'continue',
      cutover: { mode: 'each', scope: 'wave' },
    });
    expect(plan.items).toEqual(items);
    expect(
      inputs.map(
        (input) => input.kind === 'legacy_online' && [input.method, input.source.addrs, input.target.instanceId],
      ),
    ).toEqual([
      ['full', '10.0.0.1:6379', 't-a'],
      ['incremental', '10.0.0.1:6379', 't-b'],
      ['full', '10.0.0.2:6379', 't-c'],
    ]);
    // The validated plan validates to itself (the workflow validates what the client parsed).
    expect(validatePlan(plan).plan).toEqual(plan);
  });

  it('names an unknown field with "did you mean", at the top, in a wave, in an item and in the defaults', () => {
    const problems = problemsOf({
      defaults: { ...defaults, metod: 'full' },
      items: [{ ...items[0], targt: {} }, ...items.slice(1)],
      maxConcurency: 3,
      waves: [{ items: ['a', 'b', 'c'], nmae: 'x' }],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'maxConcurency', message: 'unknown field; did you mean "maxConcurrency"?' },
        { field: 'waves[0].nmae', message: 'unknown field; did you mean "name"?' },
      ]),
    );
    // Shape problems come first: the items are checked as migrations once the plan's shape is right.
    const merged = problemsOf({
      defaults: { ...defaults, metod: 'full' },
      items: [{ ...items[0], targt: {} }, ...items.slice(1)],
    });
    expect(merged).toEqual([
      { field: 'defaults.metod', message: 'unknown field; did you mean "method"?' },
      { field: 'items[0] (a).targt', message: 'unknown field; did you mean "target"?' },
    ]);
  });

  it('names a duplicate key, two items on one target instance, and a shared task name', () => {
    expect(problemsOf({ defaults, items: [...items, { key: 'a', target: { instanceId: 't-b' } }] })).toEqual([
      { field: 'items[3] (a).key', message: 'duplicate key "a": items[0] has it too; keys must be unique' },
      {
        field: 'items[3] (a).target.instanceId',
        message: '"t-b" is also items[1] (b)\'s: one migration per target instance at a time',
      },
    ]);
    expect(problemsOf({ defaults: { ...defaults, taskName: 'same-name' }, items })[0]?.field).toBe('defaults.taskName');
  });

  it('names the item that is no valid migration once merged, and a default that breaks some items', () => {
    const problems = problemsOf({
      defaults: { ...defaults, hold: { maxDuration: '1h' } },
      items: [
        { key: 'a', target: { instanceId: '' } },
        { key: 'b', method: 'incremental', target: { instanceId: 't-b' } },
      ],
    });
    expect(problems).toEqual([
      { field: 'defaults.hold', message: 'only applies to method "incremental" (in items a)' },
      { field: 'items[0] (a).target.instanceId', message: 'must not be empty' },
    ]);
  });

  it('checks waves: unknown keys, an item twice, an item in none, waves with a ramp', () => {
    expect(problemsOf({ defaults, items, waves: [{ items: ['a', 'x'] }, { items: ['a'] }], ramp: {} })).toEqual([
      { field: 'ramp', message: 'give either waves or a ramp, not both' },
      { field: 'waves[0].items[1]', message: 'no item has key "x"' },
      { field: 'waves[1].items[0]', message: '"a" is already in waves[0]; an item runs in one wave' },
      { field: 'items[1] (b)', message: 'is in no wave; list every item in exactly one wave' },
      { field: 'items[2] (c)', message: 'is in no wave; list every item in exactly one wave' },
    ]);
  });

  it('a together cutover takes only incremental items that do not cut over by themselves', () => {
    const problems = problemsOf({
      defaults: { ...defaults, method: 'incremental' },
      items: [items[0], { ...items[1], method: 'full' }, { ...items[2], cutover: { mode: 'auto' } }],
      cutover: { mode: 'together' },
    });
    expect(problems).toEqual([
      { field: 'items[1] (b).method', message: 'cutover.mode "together" needs every item to be method "incremental"' },
      { field: 'items[2] (c).cutover.mode', message: expect.stringContaining('is "auto"') },
    ]);
  });

  it('failure tolerance: a count, or a share of the items rounded down', () => {
    expect(toleratedFailures(2, 50)).toBe(2);
    expect(toleratedFailures('10%', 49)).toBe(4);
    expect(problemsOf({ defaults, items, failureTolerance: '120%' })).toEqual([
      { field: 'failureTolerance', message: 'must be at most 100%' },
    ]);
    expect(problemsOf({ defaults, items, failureTolerance: 'ten' })[0]?.field).toBe('failureTolerance');
  });

  it('merges objects field by field, replaces the rest; ids and waves derive from keys', () => {
    expect(
      mergeItem(
        { source: { addrs: 'x:1', password: { env: 'P' } }, method: 'full' },
        { key: 'k', source: { addrs: 'y:2' } },
      ),
    ).toEqual({
      source: { addrs: 'y:2', password: { env: 'P' } },
      method: 'full',
    });
    expect([itemWorkflowId('p', 'k'), itemWorkflowId('p', 'k', 2)]).toEqual(['p.k', 'p.k.2']);
    expect(wavesOf({ items, waves: [{ items: ['a'] }, { name: 'rest', items: ['b', 'c'] }] })).toEqual([
      { name: 'wave-1', keys: ['a'] },
      { name: 'rest', keys: ['b', 'c'] },
    ]);
    expect(wavesOf({ items })).toEqual([{ name: 'all', keys: ['a', 'b', 'c'] }]);
  });
});
