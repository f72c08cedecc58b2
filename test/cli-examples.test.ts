/** The files in examples/ are what operators copy: each must pass the CLI's own validation, one per flow. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrationFile } from '../client/migration-file.js';
import { buildMigrationStartOptions } from '../common/start-options.js';
import { projectRoot } from '../local/tools.js';

const dir = path.join(projectRoot, 'examples');

describe('examples/', () => {
  it('holds one valid migration file per flow: backup import, online full, online incremental, legacy online', async () => {
    const flows: string[] = [];
    for (const file of readdirSync(dir)) {
      const input = await loadMigrationFile(path.join(dir, file));
      flows.push(input.kind === 'backup_import' ? 'backup_import' : `${input.kind}:${input.method}`);
      // What `start` would send: builds without throwing, and names no secret (passwords are references).
      const options = buildMigrationStartOptions({ input });
      expect(JSON.stringify(options.args)).not.toMatch(/"password":"/);
    }
    expect(flows.sort()).toEqual(['backup_import', 'legacy_online:full', 'online:full', 'online:incremental']);
  });
});
