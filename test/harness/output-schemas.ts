/**
 * Validates what a command printed with `--json` against its committed JSON Schema (`schema/*-output.schema.json`),
 * with ajv as a script would, and stricter: here an object may hold no field its schema does not name, so output
 * the schema does not document fails the test that produced it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { projectRoot } from '../../local/tools.js';
import { OUTPUT_SCHEMAS, type OutputSchemaName } from '../../tools/output-schemas.js';

type Json = Record<string, unknown>;

/** The committed schema file, parsed. */
export function committedOutputSchema(name: OutputSchemaName): Json {
  return JSON.parse(readFileSync(path.join(projectRoot, OUTPUT_SCHEMAS[name].file), 'utf8')) as Json;
}

/** A copy of `schema` in which every object that names its properties allows no other. */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === 'enum' ? value : closed(value)]),
  ) as Json;
  if (copy.properties !== undefined && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

const validators = new Map<string, ValidateFunction>();

function validatorOf(name: OutputSchemaName, strict: boolean): ValidateFunction {
  const key = `${name}:${strict}`;
  let validate = validators.get(key);
  if (!validate) {
    const schema = committedOutputSchema(name);
    validate = new Ajv2020({ strict: true, allErrors: true }).compile(strict ? (closed(schema) as Json) : schema);
    validators.set(key, validate);
  }
  return validate;
}

/** The ajv errors of `value` against the `name` output schema (closed unless `open`), one line; '' when valid. */
export function outputSchemaErrors(name: OutputSchemaName, value: unknown, options: { open?: boolean } = {}): string {
  const validate = validatorOf(name, !options.open);
  return validate(value)
    ? ''
    : (validate.errors ?? [])
        .map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`)
        .join('; ');
}

/** Asserts that `value` (parsed `--json` output) matches the `name` output schema, naming every mismatch. */
export function expectOutputSchema(name: OutputSchemaName, value: unknown): void {
  expect(outputSchemaErrors(name, value), `${OUTPUT_SCHEMAS[name].file}: ${JSON.stringify(value).slice(0, 2000)}`).toBe(
    '',
  );
}
