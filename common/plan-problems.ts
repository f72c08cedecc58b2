/**
 * The problems of a plan beyond its shape (`common/plan-input.ts` checks the shape): each item's problems as a
 * migration, blamed on the item or on `defaults` (whichever wrote the field), and what concerns several items —
 * duplicate keys, two items on one target instance or task name, waves that do not cover the items exactly once,
 * a `together` cutover over items that cannot take it. Every problem names its item (`items[3] (cache-7)`) and field.
 */
import type { MigrationInput } from './migration-input.js';
import { hasPath, mergeItem, type PlanItemFile } from './plan-merge.js';

export interface PlanProblem {
  field: string;
  message: string;
}

/** What the checks need of the plan (its validated shape). */
interface PlanShape {
  defaults: Record<string, unknown>;
  items: PlanItemFile[];
  waves?: Array<{ name?: string | undefined; items: string[] }> | undefined;
  ramp?: { canary: number } | undefined;
  cutover: { mode: 'each' | 'together' };
}

/** `items[3] (cache-7)`: an item by its place in the file and its key. */
export function itemLabel(items: readonly PlanItemFile[], index: number): string {
  return `items[${index}] (${items[index]?.key ?? '?'})`;
}

function listKeys(keys: string[]): string {
  return keys.length <= 3 ? keys.join(', ') : `${keys.slice(0, 3).join(', ')} and ${keys.length - 3} more`;
}

/**
 * Each item's migration problems, named where the field was written: in the item (`items[3] (cache-7).method`),
 * or in `defaults` (`defaults.method`, once, saying which items it breaks unless it breaks them all).
 */
function blamedProblems(plan: PlanShape, failures: Array<{ index: number; problems: PlanProblem[] }>): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const fromDefaults = new Map<string, { field: string; message: string; keys: string[] }>();
  for (const { index, problems: itemProblems } of failures) {
    const item = plan.items[index] as PlanItemFile;
    for (const problem of itemProblems) {
      const path = problem.field === '(input)' ? [] : problem.field.split('.');
      const byItem = path.length === 0 || hasPath(item, path) || !hasPath(plan.defaults, path);
      if (byItem) {
        problems.push({
          field: `${itemLabel(plan.items, index)}${path.length > 0 ? `.${problem.field}` : ''}`,
          message: problem.message,
        });
        continue;
      }
      const id = `${problem.field}\n${problem.message}`;
      const seen = fromDefaults.get(id) ?? { field: `defaults.${problem.field}`, message: problem.message, keys: [] };
      seen.keys.push(item.key);
      fromDefaults.set(id, seen);
    }
  }
  const defaultsProblems = [...fromDefaults.values()].map(({ field, message, keys }) => ({
    field,
    message: keys.length === plan.items.length ? message : `${message} (in items ${listKeys(keys)})`,
  }));
  return [...defaultsProblems, ...problems];
}

function duplicateKeys(items: readonly PlanItemFile[]): PlanProblem[] {
  const first = new Map<string, number>();
  return items.flatMap((item, index) => {
    const earlier = first.get(item.key);
    if (earlier === undefined) {
      first.set(item.key, index);
      return [];
    }
    return [
      {
        field: `${itemLabel(items, index)}.key`,
        message: `duplicate key "${item.key}": items[${earlier}] has it too; keys must be unique`,
      },
    ];
  });
}

/** `items[i].<field>` values that must differ between items (a target instance, a task name). */
function sameValue(
  plan: PlanShape,
  field: string,
  valueOf: (merged: Record<string, unknown>) => unknown,
  why: string,
): PlanProblem[] {
  const first = new Map<string, number>();
  return plan.items.flatMap((item, index) => {
    const value = valueOf(mergeItem(plan.defaults, item));
    if (typeof value !== 'string') return [];
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, index);
      return [];
    }
    return [
      {
        field: `${itemLabel(plan.items, index)}.${field}`,
        message: `"${value}" is also ${itemLabel(plan.items, earlier)}'s: ${why}`,
      },
    ];
  });
}

function waveProblems(plan: PlanShape): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (plan.waves && plan.ramp) problems.push({ field: 'ramp', message: 'give either waves or a ramp, not both' });
  if (plan.ramp && plan.ramp.canary >= plan.items.length)
    problems.push({ field: 'ramp.canary', message: `must be smaller than the number of items (${plan.items.length})` });
  if (!plan.waves) return problems;
  const keys = new Set(plan.items.map((item) => item.key));
  const waveOf = new Map<string, number>();
  plan.waves.forEach((wave, waveIndex) =>
    wave.items.forEach((key, keyIndex) => {
      const field = `waves[${waveIndex}].items[${keyIndex}]`;
      if (!keys.has(key)) problems.push({ field, message: `no item has key "${key}"` });
      else if (waveOf.has(key))
        problems.push({ field, message: `"${key}" is already in waves[${waveOf.get(key)}]; an item runs in one wave` });
      else waveOf.set(key, waveIndex);
    }),
  );
  const missing = plan.items.flatMap((item, index) => (waveOf.has(item.key) || !keys.has(item.key) ? [] : [index]));
  for (const index of missing)
    problems.push({
      field: itemLabel(plan.items, index),
      message: 'is in no wave; list every item in exactly one wave',
    });
  return problems;
}

/** A `together` cutover tells incremental items to end their hold: every item must be one, waiting for it. */
function togetherProblems(plan: PlanShape, inputs: readonly MigrationInput[]): PlanProblem[] {
  if (plan.cutover.mode !== 'together') return [];
  return inputs.flatMap((input, index) => {
    const label = itemLabel(plan.items, index);
    if (input.kind === 'backup_import' || input.method !== 'incremental')
      return [
        { field: `${label}.method`, message: 'cutover.mode "together" needs every item to be method "incremental"' },
      ];
    if (input.cutover?.mode === 'auto')
      return [
        {
          field: `${label}.cutover.mode`,
          message: 'is "auto": it would cut over alone; with cutover.mode "together" the plan decides when',
        },
      ];
    return [];
  });
}

/**
 * Every problem of `plan` beyond its shape. `failures` are the items that are not valid migrations once merged;
 * `inputs` (every item's migration input) is given when there are none.
 */
export function planProblems(
  plan: PlanShape,
  failures: Array<{ index: number; problems: PlanProblem[] }>,
  inputs: readonly MigrationInput[] | undefined,
): PlanProblem[] {
  const target = (merged: Record<string, unknown>) =>
    (merged.target as { instanceId?: unknown } | undefined)?.instanceId;
  const sharedTaskName: PlanProblem[] =
    plan.defaults.taskName !== undefined && plan.items.length > 1
      ? [
          {
            field: 'defaults.taskName',
            message:
              'every item would get this task name; set taskName per item, or leave it out (derived from each item id)',
          },
        ]
      : [];
  return [
    ...duplicateKeys(plan.items),
    ...waveProblems(plan),
    ...sameValue(plan, 'target.instanceId', target, 'one migration per target instance at a time'),
    ...sharedTaskName,
    ...(sharedTaskName.length > 0
      ? []
      : sameValue(plan, 'taskName', (merged) => merged.taskName, 'a task name names one remote task')),
    ...blamedProblems(plan, failures),
    ...(inputs ? togetherProblems(plan, inputs) : []),
  ];
}
