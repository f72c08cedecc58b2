/**
 * The JSON Schemas of the CLI's `--json` output (`schema/*-output.schema.json`): committed as the generator writes
 * them from the printed types (`tools/output-schemas.ts`), valid draft 2020-12 for ajv in strict mode, and with the
 * renamed fields still printed under their old names, marked deprecated. Real command output is validated against
 * them by the tests that run the commands (test/cli-commands.test.ts, test/status-truth.test.ts, test/precheck.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationJson } from '../client/json-output.js';
import type { MigrationView } from '../client/migration-view-shape.js';
import { projectRoot } from '../local/tools.js';
import {
  GENERATE_OUTPUT_SCHEMAS_COMMAND,
  OUTPUT_SCHEMAS,
  outputSchemaFiles,
  type OutputSchemaName,
} from '../tools/output-schemas.js';
import { committedOutputSchema, expectOutputSchema, outputSchemaErrors } from './harness/output-schemas.js';

const names = Object.keys(OUTPUT_SCHEMAS) as OutputSchemaName[];

const view: MigrationView = {
  workflowId: 'm-1',
  runId: 'run-1',
  execution: 'COMPLETED',
  startTime: '2026-01-01T00:00:00.000Z',
  closeTime: '2026-01-01T00:10:00.000Z',
  phase: 'cut-over',
  remoteStatus: 'TERMINATED',
  taskId: 'task-1',
  migrationType: 'online:incremental',
  taskQueue: 'dcs-migrate',
  status: {
    taskName: 'dcsm-m-1',
    taskId: 'task-1',
    remoteStatus: 'TERMINATED',
    progress: { offset: 0 },
    timings: { startedAt: '2026-01-01T00:00:00.000Z' },
    apiCalls: { findTaskByName: 3 },
    activityAttempts: 4,
    polls: 3,
    continuedAsNew: 0,
    cutover: { by: 'operator', requestedAt: '2026-01-01T00:05:00.000Z', note: 'go' },
    kind: 'online',
    phase: 'cut-over',
    lastError: undefined,
    cancel: undefined,
  },
  result: {
    taskName: 'dcsm-m-1',
    taskId: 'task-1',
    remoteStatus: 'TERMINATED',
    progress: undefined,
    timings: { startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:10:00.000Z' },
    apiCalls: { findTaskByName: 3 },
    activityAttempts: 4,
    polls: 3,
    continuedAsNew: 0,
    cutover: { by: 'operator', requestedAt: '2026-01-01T00:05:00.000Z' },
    outcome: 'cut-over',
  },
  failure: undefined,
};

describe('output schemas', () => {
  it.each(Object.entries(outputSchemaFiles()))(
    '%s is what the generator writes from the printed types',
    (file, expected) => {
      const committed = readFileSync(path.join(projectRoot, file), 'utf8');
      expect(
        committed === expected,
        `${file} differs from what the generator produces now: run \`${GENERATE_OUTPUT_SCHEMAS_COMMAND}\` and commit the result`,
      ).toBe(true);
    },
  );

  it.each(names)('%s: a draft 2020-12 schema ajv compiles in strict mode, naming itself', (name) => {
    const schema = committedOutputSchema(name);
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `urn:dcs-migrate:${name}-output`,
      title: expect.any(String),
    });
    // Compiles (or throws on a keyword strict mode does not know).
    expect(outputSchemaErrors(name, null)).not.toBe('');
  });

  it('status --json keeps the renamed fields under their old names, marked deprecated in the schema', () => {
    const json = JSON.parse(JSON.stringify(migrationJson(view, 'http://ui/m-1'))) as Record<
      string,
      Record<string, unknown>
    >;
    expect(json.result).toMatchObject({
      remoteStatus: 'TERMINATED',
      finalStatus: 'TERMINATED',
      cutover: { by: 'operator' },
      holdEndedBy: 'operator',
    });
    expect(json.status).toMatchObject({ cutover: { by: 'operator' }, cutoverRequested: true });
    expect(json.ui).toBe('http://ui/m-1');
    expectOutputSchema('status', json);
    const properties = (committedOutputSchema('status').properties ?? {}) as Record<
      string,
      { properties: Record<string, { deprecated?: boolean }> }
    >;
    expect(properties.result?.properties.finalStatus?.deprecated).toBe(true);
    expect(properties.result?.properties.holdEndedBy?.deprecated).toBe(true);
    expect(properties.status?.properties.cutoverRequested?.deprecated).toBe(true);
    expect(properties.result?.properties.remoteStatus?.deprecated).toBeUndefined();
  });

  it('a running migration without a cutover: cutoverRequested false, no holdEndedBy; the key order of the view is kept', () => {
    const running = {
      ...view,
      execution: 'RUNNING' as const,
      closeTime: undefined,
      result: undefined,
      status: { ...view.status!, cutover: undefined },
    };
    const json = JSON.parse(JSON.stringify(migrationJson(running))) as Record<string, Record<string, unknown>>;
    expect(json.status?.cutoverRequested).toBe(false);
    expect(json).not.toHaveProperty('result');
    expect(json).not.toHaveProperty('ui');
    expect(Object.keys(json)).toEqual(Object.keys(JSON.parse(JSON.stringify(running)) as object));
    expectOutputSchema('status', json);
  });

  it('the closed check used by the CLI tests refuses a field the schema does not name; a script’s open check allows it', () => {
    const json = { ...JSON.parse(JSON.stringify(migrationJson(view))), surprise: 1 } as unknown;
    expect(outputSchemaErrors('status', json)).toMatch(/must NOT have additional properties.*surprise/);
    expect(outputSchemaErrors('status', json, { open: true })).toBe('');
  });
});
