/**
 * The migration file's generated JSON Schema and field reference (issue 19):
 * - the committed `schema/migration-input.schema.json` and `docs/migration-file.md` are what the generator
 *   produces from the zod schema now (a schema change without regenerating fails here, naming the command);
 * - every file in examples/ passes the JSON Schema, checked by a real validator (ajv, draft 2020-12), as it passes
 *   the CLI;
 * - the JSON Schema is as strict as the CLI: every file of the bad-input corpus the CLI refuses for its content is
 *   refused by the JSON Schema too, except the few checks JSON Schema cannot express (named below); and inputs the
 *   CLI accepts (durations as numbers and strings, defaults left out) are accepted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadMigrationFile } from '../client/migration-file.js';
import { parseMigrationInput } from '../common/migration-input.js';
import { projectRoot } from '../local/tools.js';
import { GENERATE_COMMAND, REFERENCE_FILE, SCHEMA_FILE, generatedFiles } from '../tools/input-reference.js';

const schema = JSON.parse(readFileSync(path.join(projectRoot, SCHEMA_FILE), 'utf8')) as Record<string, unknown>;
// Strict, but for strictRequired: `oneOf: [{ required: ['env'] }, { required: ['file'] }]` (exactly one of two
// properties) names properties its branches do not define themselves, which is correct JSON Schema.
const validate = new Ajv2020({ strict: true, strictRequired: false, allErrors: true }).compile(schema);
const errorsOf = () =>
  (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ');

/** Reads a YAML or JSON file as the CLI does (YAML is a superset of JSON); undefined when it does not parse. */
function readInput(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'), { prettyErrors: true });
  } catch {
    return undefined;
  }
}

describe('generated input reference', () => {
  it.each(Object.entries(generatedFiles()))('%s is up to date with common/migration-input.ts', (file, expected) => {
    const committed = readFileSync(path.join(projectRoot, file), 'utf8');
    expect(
      committed === expected,
      `${file} differs from what the generator produces now: run \`${GENERATE_COMMAND}\` and commit the result`,
    ).toBe(true);
  });

  it('the JSON Schema names itself, and the reference covers every field of the examples', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: expect.any(String),
      title: expect.any(String),
    });
    const reference = readFileSync(path.join(projectRoot, REFERENCE_FILE), 'utf8');
    for (const field of [
      'polling.progressInterval',
      'resumeMode',
      'source.password',
      'verify.ttlTolerance',
      'backup.files[].name',
      'hold.maxDuration',
    ]) {
      expect(reference).toContain(`| \`${field}\` |`);
    }
    expect(reference).toMatch(/\| `resumeMode` \| string \| default `manual` \| `auto`, `manual` \|/);
    expect(reference).toMatch(/\| `polling.initialInterval` \| duration \| default `5s` \|/);
  });
});

describe('the JSON Schema, checked by ajv', () => {
  const examples = readdirSync(path.join(projectRoot, 'examples')).map((file) =>
    path.join(projectRoot, 'examples', file),
  );

  it.each(examples.map((file) => [path.basename(file), file]))('accepts examples/%s', async (_name, file) => {
    const input = readInput(file);
    expect(validate(input), errorsOf()).toBe(true);
    await expect(loadMigrationFile(file)).resolves.toBeTruthy();
  });

  it('accepts what the CLI accepts: durations as numbers or strings, defaults left out, a password by file', () => {
    const online = {
      kind: 'online',
      source: { addrs: 'redis-a:6379,redis-b:6380', password: { file: '/run/secrets/source' } },
      target: { instanceId: 'dcs-target' },
      network: { vpcId: 'v', subnetId: 's', securityGroupId: 'g' },
      method: 'incremental',
      hold: { maxDuration: '30d' },
      polling: {
        initialInterval: 250,
        maxInterval: ' 1.5m ',
        progressInterval: 0,
        mode: 'shared',
        confirmInterval: '10m',
      },
      verify: {
        source: { address: 'redis-a:6379' },
        target: { address: 'redis-t:6379' },
        ttlTolerance: '250ms',
        sampleRatio: 0.5,
      },
    };
    for (const input of [
      online,
      { kind: 'backup_import', target: { instanceId: 't' }, backup: { source: 'backup_record', backupId: 'b-1' } },
    ]) {
      expect(() => parseMigrationInput(input)).not.toThrow();
      expect(validate(input), errorsOf()).toBe(true);
    }
  });

  it('a top-level $schema string (for editors) is accepted by both and left out of the validated input', () => {
    const input = {
      $schema: '../schema/migration-input.schema.json',
      kind: 'backup_import',
      target: { instanceId: 't' },
      backup: { source: 'backup_record', backupId: 'b-1' },
    };
    expect(validate(input), errorsOf()).toBe(true);
    expect(parseMigrationInput(input)).not.toHaveProperty('$schema');
    expect(() => parseMigrationInput({ ...input, $schema: 42 })).toThrow(/\$schema: unknown field/);
    expect(validate({ ...input, $schema: 42 })).toBe(false);
  });

  // What the CLI checks and JSON Schema cannot say: `maxInterval ≥ initialInterval` across two durations, and
  // the port range (a number inside a string).
  const CLI_ONLY = new Set(['max-interval-below-initial.yaml', 'addrs-port-too-big.yaml']);
  const corpus = path.join(projectRoot, 'test', 'bad-input', 'files');
  const refused = readdirSync(corpus)
    .filter((file) => !CLI_ONLY.has(file))
    .map((file) => [file, readInput(path.join(corpus, file))] as const)
    // Files that do not parse, or parse to nothing, never reach the schema.
    .filter(([, input]) => input !== undefined && input !== null);

  it('has corpus files to check', () => {
    expect(refused.length).toBeGreaterThan(30);
  });

  it.each(refused)('refuses test/bad-input/files/%s, as the CLI does', (_file, input) => {
    expect(() => parseMigrationInput(input)).toThrow();
    expect(validate(input)).toBe(false);
  });

  it.each([...CLI_ONLY])(
    '%s: accepted by the JSON Schema, refused by the CLI (not expressible in JSON Schema)',
    (file) => {
      const input = readInput(path.join(corpus, file));
      expect(() => parseMigrationInput(input)).toThrow();
      expect(validate(input), errorsOf()).toBe(true);
    },
  );

  it('refuses a zero wait between polls, two password sources, a hold on a full migration and a literal password', () => {
    const base = {
      kind: 'legacy_online',
      source: { addrs: 'redis:6379' },
      target: { instanceId: 't' },
      method: 'full',
    };
    expect(validate(base), errorsOf()).toBe(true);
    expect(validate({ ...base, polling: { initialInterval: '0s' } })).toBe(false);
    expect(validate({ ...base, polling: { initialInterval: 0 } })).toBe(false);
    expect(validate({ ...base, polling: { initialInterval: 'soon' } })).toBe(false);
    expect(validate({ ...base, source: { addrs: 'redis:6379', password: { env: 'A', file: '/a' } } })).toBe(false);
    expect(validate({ ...base, source: { addrs: 'redis:6379', password: {} } })).toBe(false);
    expect(validate({ ...base, source: { addrs: 'redis:6379', password: 'hunter2' } })).toBe(false);
    expect(validate({ ...base, hold: { maxDuration: '1h' } })).toBe(false);
    expect(validate({ ...base, method: 'incremental', hold: { maxDuration: '1h' } }), errorsOf()).toBe(true);
  });
});
