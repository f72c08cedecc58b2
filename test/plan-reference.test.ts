/**
 * The plan file's generated JSON Schema and field reference (issue 26), as the migration file's
 * (test/input-reference.test.ts): committed files equal what the generator produces now, the example plan passes
 * both the JSON Schema (ajv) and the CLI's validation, and the JSON Schema flags an unknown or mistyped migration
 * field in `defaults` and in an item while leaving fields the defaults supply optional in the item.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validatePlan } from '../common/plan-input.js';
import { projectRoot } from '../local/tools.js';
import { GENERATE_COMMAND } from '../tools/input-reference.js';
import { generatedPlanFiles, PLAN_SCHEMA_FILE } from '../tools/plan-reference.js';

const schema = JSON.parse(readFileSync(path.join(projectRoot, PLAN_SCHEMA_FILE), 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ strict: true, strictRequired: false, allErrors: true }).compile(schema);
const errorsOf = () =>
  (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ');
const example = parseYaml(readFileSync(path.join(projectRoot, 'docs/examples/fleet-plan.yaml'), 'utf8')) as Record<
  string,
  unknown
>;

describe('generated plan reference', () => {
  it.each(Object.entries(generatedPlanFiles()))('%s is up to date with common/plan-input.ts', (file, expected) => {
    const committed = readFileSync(path.join(projectRoot, file), 'utf8');
    expect(
      committed === expected,
      `${file} differs from what the generator produces now: run \`${GENERATE_COMMAND}\``,
    ).toBe(true);
  });

  it('the example plan passes the JSON Schema and the CLI', () => {
    expect(validate(example), errorsOf()).toBe(true);
    expect(validatePlan(example).inputs).toHaveLength(3);
  });

  it('flags an unknown or mistyped migration field in defaults and in an item', () => {
    const items = example.items as Array<Record<string, unknown>>;
    expect(validate({ ...example, defaults: { ...(example.defaults as object), metod: 'full' } })).toBe(false);
    expect(errorsOf()).toMatch(/\/defaults must NOT have additional properties/);
    expect(validate({ ...example, items: [{ ...items[0], method: 'sometimes' }, ...items.slice(1)] })).toBe(false);
    expect(errorsOf()).toMatch(/\/items\/0\/method/);
    expect(validate({ ...example, maxConcurency: 2 })).toBe(false);
  });
});
