/**
 * The migration file's JSON Schema and field reference, both generated from the zod schema the CLI and the workflow
 * validate with (`common/migration-input.ts`), so neither can drift from it (issue 19). `tools/generate-input-reference.ts`
 * writes them (`npm run generate:input-reference`); `test/input-reference.test.ts` fails when the committed files
 * differ from what this module produces now.
 *
 * `z.toJSONSchema(…, { io: 'input' })` describes what a file may hold. What it cannot say by itself is mended with
 * zod's own `override` hook, never by writing schema text by hand:
 * - a duration is `z.union([number, string]).transform(parse)`: zod keeps only the input union
 *   (`number | string`) and drops the default (a default of a transforming schema is an output value). Here it
 *   becomes `anyOf: [number ≥ 0 (or > 0), string matching the duration syntax]`, with its default written back
 *   as a duration string (`"5s"`), which the parser accepts;
 * - refinements are not representable and zod leaves them out silently. The ones JSON Schema can say are added:
 *   exactly one of `env`/`file` (password references), exactly one of `instanceId`/`addrs` (online source),
 *   `hold` only with `method: incremental`. `maxInterval ≥ initialInterval` and the port range 1–65535 are not
 *   expressible and stay checks of the CLI only;
 * - a top-level `$schema` string (for editors) is allowed: `parseMigrationInput` leaves it out before validating.
 * Any other unrepresentable construct (a new transform, a custom type) fails the generator, naming its path.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { migrationInputSchema, secretRefSchema, webhookUrlRefSchema } from '../common/migration-input.js';
import { projectRoot } from '../local/tools.js';

export const SCHEMA_FILE = 'schema/migration-input.schema.json';
export const REFERENCE_FILE = 'docs/migration-file.md';
export const GENERATE_COMMAND = 'npm run generate:input-reference';
export const SCHEMA_ID = 'urn:dcs-migrate:migration-input';
/**
 * Where the generated part of the reference ends. What follows it in the committed file is written by hand (what the
 * blocks of the file do: pre-flight checks, cutover policy, …); the generator keeps it and lists its sections.
 */
export const HAND_WRITTEN_MARKER =
  '<!-- Written by hand from here on: edit below this line; `npm run generate:input-reference` keeps it. -->';

export type Json = Record<string, unknown>;

/** The string form of a duration, as `parseDurationMs` accepts it (surrounding whitespace allowed). */
export const DURATION_PATTERN = String.raw`^\s*\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)\s*$`;
/** The same, refusing a zero (`0s`, `0.0ms`): for durations that must be longer than 0. */
const POSITIVE_DURATION_PATTERN = String.raw`^\s*(?=[\d.]*[1-9])\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)\s*$`;

interface LooseDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  defaultValue?: unknown;
}

const defOf = (schema: z.ZodType): LooseDef => schema._zod.def as unknown as LooseDef;

/** The duration pipe (`number | string` → milliseconds) under `schema`'s optional/default wrappers, if any. */
function durationCore(schema: z.ZodType): z.ZodType | undefined {
  let current = schema;
  while (defOf(current).innerType) current = defOf(current).innerType as z.ZodType;
  const def = defOf(current);
  if (def.type !== 'pipe' || !def.in || !def.out || defOf(def.out).type !== 'transform') return undefined;
  const inputs = defOf(def.in)
    .options?.map((option) => defOf(option).type)
    .sort();
  return inputs?.join(',') === 'number,string' ? current : undefined;
}

/** 5000 → `5s`, 300000 → `5m`, 1500 → `1500ms`: the largest unit that divides the value. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The object options of the top-level union by `kind`. */
function optionOfKind(kind: string): z.ZodObject {
  const option = migrationInputSchema.options.find((candidate) => candidate.shape.kind.value === kind);
  if (!option) throw new Error(`no migration kind "${kind}"`);
  return option as unknown as z.ZodObject;
}

/** JSON Schema additions for the refinements JSON Schema can express, by the zod schema they refine. */
function refinementsFor(): Map<z.ZodType, Json> {
  const exactlyOne = (a: string, b: string): Json => ({ oneOf: [{ required: [a] }, { required: [b] }] });
  const holdOnlyIncremental: Json = {
    if: { required: ['hold'] },
    then: { properties: { method: { const: 'incremental' } } },
  };
  const schemaKey = {
    type: 'string',
    description: 'The JSON Schema of this file, for editors; dcs-migrate ignores it.',
  };
  const topLevel = (extra: Json = {}): Json => ({ topLevel: schemaKey, ...extra });
  return new Map<z.ZodType, Json>([
    [secretRefSchema, exactlyOne('env', 'file')],
    [webhookUrlRefSchema, exactlyOne('env', 'file')],
    [optionOfKind('online').shape.source as z.ZodType, exactlyOne('instanceId', 'addrs')],
    [optionOfKind('online'), topLevel(holdOnlyIncremental)],
    [optionOfKind('legacy_online'), topLevel(holdOnlyIncremental)],
    [optionOfKind('backup_import'), topLevel()],
  ]);
}

/**
 * A duration field (`number | string` → milliseconds) as JSON Schema: `anyOf` a number of milliseconds or a string
 * with a unit, its default written back as a duration string. Other fields are left as they are.
 */
export function writeDuration(schema: z.ZodType, json: Json): void {
  const core = durationCore(schema);
  if (core) {
    const positive = !core.safeParse(0).success;
    delete json.type;
    // A new array: the one zod put here is shared with the schema this one was flattened from.
    json.anyOf = [
      { type: 'number', ...(positive ? { exclusiveMinimum: 0 } : { minimum: 0 }), description: 'milliseconds' },
      {
        type: 'string',
        pattern: positive ? POSITIVE_DURATION_PATTERN : DURATION_PATTERN,
        description: 'a number and a unit: ms, s, m, h or d, e.g. "250ms", "10s", "5m", "2h", "30d"',
      },
    ];
    const def = defOf(schema);
    if (def.type === 'default' && typeof def.defaultValue === 'number') json.default = formatDuration(def.defaultValue);
  }
}

/** The JSON Schema of a migration file (YAML or JSON), for editors and validators. */
export function buildInputJsonSchema(): Json {
  const refinements = refinementsFor();
  const generated = z.toJSONSchema(migrationInputSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: ({ path, message }) => {
      throw new Error(
        `${message} (at ${path.join('/') || 'the root'}): teach tools/input-reference.ts how to write it`,
      );
    },
    override: ({ zodSchema, jsonSchema }) => {
      const json = jsonSchema as Json;
      const schema = zodSchema as unknown as z.ZodType;
      writeDuration(schema, json);
      const extra = refinements.get(schema);
      if (extra) {
        const { topLevel, ...keywords } = extra;
        if (topLevel) json.properties = { $schema: topLevel, ...(json.properties as Json) };
        Object.assign(json, keywords);
      }
    },
  }) as Json;
  const { $schema, ...body } = generated;
  return {
    $schema,
    $id: SCHEMA_ID,
    title: 'dcs-migrate migration file',
    description: `A Redis data migration on Huawei Cloud DCS, as \`dcs-migrate start --file\` reads it. Generated from common/migration-input.ts by \`${GENERATE_COMMAND}\`; field reference: ${REFERENCE_FILE}.`,
    ...body,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The Markdown reference, rendered from the JSON Schema above (so both say the same).

export interface Row {
  field: string;
  type: string;
  presence: string;
  allowed: string;
  description: string;
}

const props = (schema: Json): Record<string, Json> => (schema.properties as Record<string, Json> | undefined) ?? {};
const requiredOf = (schema: Json): string[] => (schema.required as string[] | undefined) ?? [];
const code = (text: string): string => `\`${text}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function isDuration(schema: Json): boolean {
  const anyOf = schema.anyOf as Json[] | undefined;
  return anyOf?.length === 2 && anyOf[0]?.type === 'number' && anyOf[1]?.type === 'string';
}

function isSecretRef(schema: Json): boolean {
  return schema.type === 'object' && Object.keys(props(schema)).sort().join(',') === 'env,file';
}

/** The variants of a `oneOf` of objects told apart by one `const` property (`kind`, `backup.source`). */
function discriminated(schema: Json): { key: string; variants: Array<{ value: string; schema: Json }> } | undefined {
  const variants = schema.oneOf as Json[] | undefined;
  if (!variants?.every((variant) => variant.type === 'object')) return undefined;
  const key = Object.keys(props(variants[0] as Json)).find((name) =>
    variants.every((variant) => props(variant)[name]?.const !== undefined),
  );
  if (!key) return undefined;
  return { key, variants: variants.map((variant) => ({ value: String(props(variant)[key]?.const), schema: variant })) };
}

/** The first schema under `schema` (depth first) that `test` accepts. */
function findSchema(schema: unknown, test: (candidate: Json) => boolean): Json | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  if (!Array.isArray(schema) && test(schema as Json)) return schema as Json;
  for (const value of Object.values(schema)) {
    const found = findSchema(value, test);
    if (found) return found;
  }
  return undefined;
}

function typeOf(schema: Json): string {
  if (isDuration(schema)) return 'duration';
  if (isSecretRef(schema)) return '[password reference](#password-references)';
  if (schema.type === 'array') return `list of ${typeOf((schema.items as Json | undefined) ?? {})}s`;
  if (schema.oneOf) return 'object';
  if (schema.type === 'integer') return 'whole number';
  return String(schema.type ?? 'any');
}

function rangeOf(schema: Json): string | undefined {
  const low =
    schema.exclusiveMinimum !== undefined
      ? `> ${String(schema.exclusiveMinimum)}`
      : schema.minimum !== undefined
        ? `≥ ${String(schema.minimum)}`
        : undefined;
  const high =
    schema.maximum !== undefined && schema.maximum !== Number.MAX_SAFE_INTEGER
      ? `≤ ${String(schema.maximum)}`
      : undefined;
  return [low, high].filter(Boolean).join(', ') || undefined;
}

function allowedOf(schema: Json): string {
  if (isDuration(schema)) {
    const positive = (schema.anyOf as Json[])[0]?.exclusiveMinimum !== undefined;
    return `${code('250ms')}, ${code('10s')}, ${code('5m')}, ${code('2h')}, ${code('30d')} or milliseconds${positive ? '; longer than 0' : ''}`;
  }
  if (schema.const !== undefined) return code(String(schema.const));
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => code(String(value))).join(', ');
  const parts: string[] = [];
  const range = rangeOf(schema);
  if (range) parts.push(range);
  if (schema.minLength === 1) parts.push('not empty');
  if (typeof schema.maxLength === 'number') parts.push(`at most ${schema.maxLength} characters`);
  if (typeof schema.pattern === 'string') parts.push(`matches ${code(schema.pattern)}`);
  if (typeof schema.minItems === 'number') parts.push(`at least ${schema.minItems}`);
  return parts.join('; ');
}

function presenceOf(schema: Json, required: boolean, when: string | undefined): string {
  const base = required
    ? '**required**'
    : schema.default !== undefined && schema.type !== 'object'
      ? `default ${code(String(schema.default))}`
      : 'optional';
  return when ? `${base} (${when})` : base;
}

/** Rows for `schema`'s properties (and theirs), below `prefix`. */
export function rowsOf(schema: Json, prefix: string, when?: string): Row[] {
  const rows: Row[] = [];
  const union = discriminated(schema);
  if (union) {
    const first = props(union.variants[0]?.schema ?? {})[union.key] ?? {};
    rows.push({
      field: code(prefix + union.key),
      type: String(first.type ?? 'string'),
      presence: presenceOf(first, true, when),
      allowed: union.variants.map((variant) => code(variant.value)).join(', '),
      description: union.variants
        .map((variant) => `${code(variant.value)}: ${String(props(variant.schema)[union.key]?.description ?? '')}`)
        .join(' '),
    });
    for (const variant of union.variants) {
      const others: Json = {
        ...variant.schema,
        properties: Object.fromEntries(Object.entries(props(variant.schema)).filter(([name]) => name !== union.key)),
      };
      rows.push(
        ...rowsOf(others, prefix, `${code(`${prefix}${union.key}: ${variant.value}`)}${when ? `, ${when}` : ''}`),
      );
    }
    return rows;
  }
  for (const [name, field] of Object.entries(props(schema))) {
    if (name === '$schema') continue;
    const path = prefix + name;
    rows.push({
      field: code(path),
      type: typeOf(field),
      presence: presenceOf(field, requiredOf(schema).includes(name), when),
      allowed: allowedOf(field),
      description: String(field.description ?? ''),
    });
    if (isSecretRef(field)) continue;
    if (field.type === 'object' || field.oneOf) rows.push(...rowsOf(field, `${path}.`));
    const items = field.items as Json | undefined;
    if (field.type === 'array' && items?.type === 'object') rows.push(...rowsOf(items, `${path}[].`));
  }
  return rows;
}

export function table(rows: Row[]): string {
  const lines = [
    '| Field | Type | Required / default | Allowed values | Description |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of rows)
    lines.push(`| ${[row.field, row.type, row.presence, row.allowed, row.description].map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** The hand-written part of the committed reference (after {@link HAND_WRITTEN_MARKER}); empty when there is none. */
export function handWrittenPart(): string {
  const file = path.join(projectRoot, REFERENCE_FILE);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = text.indexOf(HAND_WRITTEN_MARKER);
  return at === -1 ? '' : text.slice(at + HAND_WRITTEN_MARKER.length).replace(/^\n+/, '');
}

/** `## Pre-flight checks` → `[Pre-flight checks](#pre-flight-checks)`, as GitHub makes heading anchors. */
function headingLink(heading: string): string {
  const slug = heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
  return `[${heading}](#${slug})`;
}

/** The field reference, Markdown, from the JSON Schema, followed by the hand-written part (`handWritten`). */
export function renderInputReference(schema: Json, handWritten = ''): string {
  const kinds = discriminated(schema);
  if (!kinds || kinds.key !== 'kind') throw new Error('expected the input schema to be a union by "kind"');
  const [firstKind, ...otherKinds] = kinds.variants;
  if (!firstKind) throw new Error('no kinds');
  // A field is common when every kind has it, identically; the rest are listed per kind.
  const same = (name: string) =>
    otherKinds.every(
      (variant) => JSON.stringify(props(variant.schema)[name]) === JSON.stringify(props(firstKind.schema)[name]),
    );
  const common = Object.keys(props(firstKind.schema)).filter(
    (name) => name !== 'kind' && name !== '$schema' && same(name),
  );
  const pick = (variant: Json, names: string[]): Json => ({
    ...variant,
    properties: Object.fromEntries(Object.entries(props(variant)).filter(([name]) => names.includes(name))),
  });
  const ref = findSchema(schema, isSecretRef) ?? {};
  const secretRef = [props(ref).env, props(ref).file];

  const handWrittenSections = [...handWritten.matchAll(/^## (.+)$/gm)].map((match) => match[1] ?? '');
  const generatedSections = [
    '`kind`',
    'Fields of every kind',
    ...kinds.variants.map((variant) => `\`kind: ${variant.value}\``),
    'Password references',
  ];
  const out: string[] = [
    '<!-- Generated from common/migration-input.ts by `' +
      GENERATE_COMMAND +
      '` down to the marker below; the sections after it are written by hand. -->',
    '',
    '# Migration file reference',
    '',
    'A migration is described by one YAML or JSON file, given to `dcs-migrate start --file`. The CLI validates it',
    'against the same schema the workflow uses, refuses a bad file naming every bad field (an unknown field gets a',
    '"did you mean"), and starts nothing then. `examples/` has one file per kind.',
    '',
    'Every field, its type, whether it is required or its default, and the values it accepts, generated from the',
    'schema. "Required" is within the enclosing object: `verify.source` is required when there is a `verify`.',
    '',
    '**Durations** are a number and a unit (`250ms`, `10s`, `5m`, `2h`, `30d`) or a number of milliseconds.',
    '',
    `**Editors.** \`${SCHEMA_FILE}\` is the JSON Schema of this file. In YAML (VS Code's YAML extension, or any`,
    'editor with the YAML language server), put `# yaml-language-server: $schema=../schema/migration-input.schema.json`',
    '(the path relative to the file) on the first line; in JSON, add `"$schema": "../schema/migration-input.schema.json"`,',
    'which dcs-migrate ignores. The JSON Schema checks everything but `polling.maxInterval ≥ polling.initialInterval`',
    'and port ranges, which only dcs-migrate checks.',
    '',
    `**Fields:** ${generatedSections.map(headingLink).join(' · ')}.`,
    ...(handWrittenSections.length
      ? ['', `**What the blocks do:** ${handWrittenSections.map(headingLink).join(' · ')}.`]
      : []),
    '',
    '## `kind`',
    '',
    table([
      {
        field: code('kind'),
        type: 'string',
        presence: '**required**',
        allowed: kinds.variants.map((variant) => code(variant.value)).join(', '),
        description: 'Which migration this is; it decides the other fields.',
      },
    ]),
    '',
    ...kinds.variants.map(
      (variant) => `- ${code(variant.value)}: ${String(props(variant.schema).kind?.description ?? '')}`,
    ),
    '',
    '## Fields of every kind',
    '',
    table(rowsOf(pick(firstKind.schema, common), '')),
    '',
  ];
  for (const variant of kinds.variants) {
    const own = Object.keys(props(variant.schema)).filter(
      (name) => name !== 'kind' && name !== '$schema' && !common.includes(name),
    );
    out.push(
      `## \`kind: ${variant.value}\``,
      '',
      String(props(variant.schema).kind?.description ?? ''),
      '',
      table(rowsOf(pick(variant.schema, own), '')),
      '',
    );
  }
  out.push(
    '## Password references',
    '',
    'Redis passwords are never written in the file. A `password` is a reference the worker resolves when it connects,',
    'so no password reaches workflow history; leave `password` out for a Redis without one. Give exactly one of:',
    '',
    table([
      {
        field: code('env'),
        type: 'string',
        presence: 'one of the two',
        allowed: allowedOf(secretRef[0] ?? {}),
        description: String(secretRef[0]?.description ?? ''),
      },
      {
        field: code('file'),
        type: 'string',
        presence: 'one of the two',
        allowed: allowedOf(secretRef[1] ?? {}),
        description: String(secretRef[1]?.description ?? ''),
      },
    ]),
    '',
    'e.g. `password: { env: SOURCE_REDIS_PASSWORD }` or `password: { file: /run/secrets/redis-source }`.',
    '',
  );
  if (handWritten) out.push(HAND_WRITTEN_MARKER, '', handWritten.trimEnd(), '');
  return out.join('\n');
}

/** Both generated files, by path relative to the project root. */
export function generatedFiles(): Record<string, string> {
  const schema = buildInputJsonSchema();
  return {
    [SCHEMA_FILE]: `${JSON.stringify(schema, null, 2)}\n`,
    [REFERENCE_FILE]: renderInputReference(schema, handWrittenPart()),
  };
}
