/**
 * Writes the migration file's JSON Schema (`schema/migration-input.schema.json`) and field reference
 * (`docs/migration-file.md`), both generated from `common/migration-input.ts` (see `tools/input-reference.ts`), and
 * the plan file's (`schema/plan-input.schema.json`, `docs/plan-file.md`, from `common/plan-input.ts`).
 * Run after changing the input schema: `npm run generate:input-reference`. `--check` writes nothing and exits 1
 * when a committed file is out of date.
 */
import { GENERATE_COMMAND, generatedFiles } from './input-reference.js';
import { generatedPlanFiles } from './plan-reference.js';
import { writeGenerated } from './write-generated.js';

process.exit(
  await writeGenerated(
    { ...generatedFiles(), ...generatedPlanFiles() },
    GENERATE_COMMAND,
    process.argv.includes('--check'),
  ),
);
