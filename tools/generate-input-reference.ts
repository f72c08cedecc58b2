/**
 * Writes the migration file's JSON Schema (`schema/migration-input.schema.json`) and field reference
 * (`docs/migration-file.md`), both generated from `common/migration-input.ts` (see `tools/input-reference.ts`), and
 * the plan file's (`schema/plan-input.schema.json`, `docs/plan-file.md`, from `common/plan-input.ts`).
 * Run after changing the input schema: `npm run generate:input-reference`. `--check` writes nothing and exits 1
 * when a committed file is out of date.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../local/tools.js';
import { GENERATE_COMMAND, generatedFiles } from './input-reference.js';
import { generatedPlanFiles } from './plan-reference.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const [file, content] of Object.entries({ ...generatedFiles(), ...generatedPlanFiles() })) {
  const target = path.join(projectRoot, file);
  const current = await readFile(target, 'utf8').catch(() => undefined);
  if (current === content) {
    console.log(`${file}: up to date`);
  } else if (check) {
    stale += 1;
    console.error(`${file}: out of date; run ${GENERATE_COMMAND}`);
  } else {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    console.log(`${file}: written`);
  }
}
process.exit(stale > 0 ? 1 : 0);
