/**
 * The plan file's JSON Schema (`schema/plan-input.schema.json`) and field reference (`docs/plan-file.md`), generated
 * from `common/plan-input.ts` as the migration file's are from `common/migration-input.ts` (`tools/input-reference.ts`,
 * whose table helpers render both). `defaults` and the items take the migration file's own fields: their JSON Schema
 * is the migration file's, with every field optional (an item may take a field from the defaults), so an editor
 * flags an unknown or mistyped field. Only dcs-migrate checks each item merged with the defaults.
 */
import { z } from 'zod';
import { planInputSchema } from '../common/plan-input.js';
import {
  buildInputJsonSchema,
  GENERATE_COMMAND,
  REFERENCE_FILE as MIGRATION_REFERENCE,
  rowsOf,
  table,
  writeDuration,
  type Json,
} from './input-reference.js';

export const PLAN_SCHEMA_FILE = 'schema/plan-input.schema.json';
export const PLAN_REFERENCE_FILE = 'docs/plan-file.md';
export const PLAN_SCHEMA_ID = 'urn:dcs-migrate:plan-input';

/** `schema` with nothing required: no `required`, no `oneOf` of bare `required`s, no `if`/`then`. */
function optionalEverywhere(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(optionalEverywhere);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [name, value] of Object.entries(schema as Json)) {
    if (name === 'required' || name === 'if' || name === 'then') continue;
    const onlyRequired =
      Array.isArray(value) && value.every((entry) => Object.keys(entry as Json).join() === 'required');
    if (name === 'oneOf' && onlyRequired) continue;
    out[name] = optionalEverywhere(value);
  }
  return out;
}

/** The migration file's fields, of every kind, each optional: what `defaults` and an item may hold. */
function migrationFieldSchemas(): Record<string, Json> {
  const variants = buildInputJsonSchema().oneOf as Json[];
  const byName = new Map<string, Json[]>();
  for (const variant of variants) {
    for (const [name, field] of Object.entries(variant.properties as Record<string, Json>)) {
      if (name === '$schema') continue;
      const seen = byName.get(name) ?? [];
      if (!seen.some((other) => JSON.stringify(other) === JSON.stringify(field))) seen.push(field);
      byName.set(name, seen);
    }
  }
  const kinds = variants.map((variant) => (variant.properties as Record<string, Json>).kind?.const);
  const fields: Record<string, Json> = {};
  for (const [name, schemas] of byName) {
    if (name === 'kind')
      fields.kind = { type: 'string', enum: kinds, description: 'The migration kind (docs/migration-file.md).' };
    else fields[name] = optionalEverywhere(schemas.length === 1 ? schemas[0] : { anyOf: schemas }) as Json;
  }
  return fields;
}

/** The JSON Schema of a plan file (YAML or JSON), for editors and validators. */
export function buildPlanJsonSchema(): Json {
  const generated = z.toJSONSchema(planInputSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: ({ path, message }) => {
      throw new Error(`${message} (at ${path.join('/') || 'the root'}): teach tools/plan-reference.ts how to write it`);
    },
    override: ({ zodSchema, jsonSchema }) => writeDuration(zodSchema as unknown as z.ZodType, jsonSchema as Json),
  }) as Json;
  const { $schema, ...body } = generated;
  const properties = body.properties as Record<string, Json>;
  const fields = migrationFieldSchemas();
  const defaults = properties.defaults as Json;
  const items = properties.items as Json;
  const item = items.items as Json;
  properties.defaults = {
    type: 'object',
    description: defaults.description,
    default: {},
    properties: fields,
    additionalProperties: false,
  };
  items.items = { ...item, properties: { ...(item.properties as Json), ...fields }, additionalProperties: false };
  return {
    $schema,
    $id: PLAN_SCHEMA_ID,
    title: 'dcs-migrate plan file',
    description:
      'A fleet of migrations run together, as `dcs-migrate plan start --file` reads it. ' +
      `Generated from common/plan-input.ts by \`${GENERATE_COMMAND}\`; field reference: ${PLAN_REFERENCE_FILE}.`,
    ...body,
    properties: {
      $schema: { type: 'string', description: 'The JSON Schema of this file, for editors; dcs-migrate ignores it.' },
      ...properties,
    },
  };
}

/** The plan's own fields, without the migration fields under `defaults` and `items` (they have their own reference). */
function policyOnly(schema: Json): Json {
  const properties = { ...(schema.properties as Record<string, Json>) };
  const defaults = properties.defaults as Json;
  const items = properties.items as Json;
  const item = items.items as Json;
  const key = (item.properties as Record<string, Json>).key;
  properties.defaults = { type: 'object', description: defaults.description };
  properties.items = { ...items, items: { type: 'object', required: ['key'], properties: { key } } };
  return { ...schema, properties };
}

/** The field reference, Markdown, from the JSON Schema. */
export function renderPlanReference(schema: Json): string {
  return [
    '<!-- Generated from common/plan-input.ts by `' + GENERATE_COMMAND + '`: do not edit by hand. -->',
    '',
    '# Plan file reference',
    '',
    'A plan runs several migrations together (a fleet), from one YAML or JSON file given to `dcs-migrate plan start',
    "--file` (`plan check --file` validates it and runs every item's pre-flight checks). `defaults` holds any field of",
    `a migration file (${MIGRATION_REFERENCE}); each item has a \`key\` and the migration fields it sets differently.`,
    "Objects merge field by field (an item's `source.addrs` keeps the default `source.password`); anything else the",
    'item sets replaces the default.',
    '',
    'dcs-migrate refuses a bad plan before starting anything, naming each item and field: an unknown field (with',
    '"did you mean"), a duplicate key, two items on one target instance, a wave naming an unknown item, an item that',
    'is not a valid migration once merged with the defaults. Each item runs as its own migration, with the workflow id',
    '`<plan id>.<key>`; starting a plan again with the same id resumes it and never starts an item twice.',
    '',
    `**Editors.** \`${PLAN_SCHEMA_FILE}\` is the JSON Schema of this file (\`# yaml-language-server:`,
    '$schema=…` on the first line of a YAML file). It checks every field name and value; only dcs-migrate checks',
    'each item merged with the defaults.',
    '',
    '## Fields',
    '',
    table(rowsOf(policyOnly(schema), '').filter((row) => row.field !== '`$schema`')),
    '',
    '## ETA',
    '',
    "Before its first item starts, the plan reads each item's source as the pre-flight checks do (INFO `used_memory`",
    "and the keys of every database; ShowInstance's `used_memory` when the server cannot be reached) and estimates the",
    "item's time to its goal (in sync, or done): `eta.overhead` plus a full sync of that size at `eta.rate`. The plan's",
    'end is its pace (waves, `maxConcurrency`, the ramp) played forward with those estimates. As items finish, the plan',
    'learns the real rate from their full syncs (the `migrating` phase, as each item reports it: observed seconds',
    'against the seconds the assumed rate gives, fitted robustly over the 64 most recent) and the time they spent',
    'outside the sync, and revises every remaining estimate and the end.',
    '',
    '`dcs-migrate plan status` shows the predicted end (when, and in how long), the items left, the rate (assumed, or',
    'learned from N full syncs) and how far the first estimates were off for the items done (median and max, in % of',
    "what they took); `--items` adds each source's size, its time (taken, or `~estimated`) and its first estimate;",
    '`plan watch` adds the predicted end to each line. `--json`: `eta` (`predictedEndMs`, `predictedEnd`,',
    '`remainingMs`, `itemsLeft`, `learnedRate`, `firstPredictedEnd`, `firstEstimateErrorPct`) and, per item, `size`,',
    '`syncStartedAt`, `syncEndedAt` and `eta`. On the emulator (`bench/plan-eta.ts`, 40 items of 4 sizes) the end',
    'predicted after the first wave was within 25 % of the actual end (bench/results.md).',
    '',
  ].join('\n');
}

/** Both generated files, by path relative to the project root. */
export function generatedPlanFiles(): Record<string, string> {
  const schema = buildPlanJsonSchema();
  return {
    [PLAN_SCHEMA_FILE]: `${JSON.stringify(schema, null, 2)}\n`,
    [PLAN_REFERENCE_FILE]: renderPlanReference(schema),
  };
}
