/** Which prebuilt workflow bundle a worker may take, and that a stale one is never taken. */
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter.js';
import {
  currentPrebuiltBundle,
  PREBUILT_VARIANTS,
  PREBUILT_WORKFLOWS_INFO,
  prebuiltVariantFor,
} from './prebuilt-workflows.js';

describe('prebuilt workflow bundles', () => {
  let dir: string;
  let input: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-prebuilt-workflows-'));
    input = path.join(dir, 'migration.ts');
    await writeFile(input, 'export const x = 1;\n');
    await writeFile(path.join(dir, PREBUILT_VARIANTS.plain), '// bundle\n');
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function recordBuild(): Promise<void> {
    const info = await stat(input);
    await writeFile(
      path.join(dir, PREBUILT_WORKFLOWS_INFO),
      JSON.stringify({ inputs: { [input]: [info.mtimeMs, info.size] } }),
    );
  }

  it('match what the worker would bundle: the failure converter decides the variant; interceptors, plugins or bundler options rule them out', () => {
    expect(prebuiltVariantFor({})).toBe('plain');
    expect(prebuiltVariantFor({ dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH } })).toBe(
      'encodedFailures',
    );
    expect(prebuiltVariantFor({ dataConverter: { failureConverterPath: '/elsewhere/converter.js' } })).toBeUndefined();
    expect(prebuiltVariantFor({ dataConverter: { payloadConverterPath: '/elsewhere/payloads.js' } })).toBeUndefined();
    expect(prebuiltVariantFor({ interceptors: { workflowModules: ['/interceptors.js'] } })).toBeUndefined();
    expect(prebuiltVariantFor({ bundlerOptions: { ignoreModules: ['x'] } })).toBeUndefined();
  });

  it('are taken only while every input is as recorded, and never with DCS_MIGRATE_BUNDLE_AT_START=1', async () => {
    expect(currentPrebuiltBundle('plain', dir, {})).toBeUndefined(); // no build info yet
    await recordBuild();
    expect(currentPrebuiltBundle('plain', dir, {})).toBe(path.join(dir, PREBUILT_VARIANTS.plain));
    expect(currentPrebuiltBundle('plain', dir, { DCS_MIGRATE_BUNDLE_AT_START: '1' })).toBeUndefined();
    expect(currentPrebuiltBundle('encodedFailures', dir, {})).toBeUndefined(); // that bundle is missing
    const later = new Date(Date.now() + 5_000);
    await utimes(input, later, later);
    expect(currentPrebuiltBundle('plain', dir, {})).toBeUndefined();
    await recordBuild();
    await writeFile(input, 'export const x = 22;\n');
    expect(currentPrebuiltBundle('plain', dir, {})).toBeUndefined();
  });
});
