/**
 * Writes the migration file's JSON Schema (`schema/migration-input.schema.json`) and field reference
 * (`docs/migration-file.md`), both generated from `common/migration-input.ts` (see `tools/input-reference.ts`).
 * Run after changing the input schema: `npm run generate:input-reference`. `--check` writes nothing and exits 1
 * when a committed file is out of date.
 */
import { GENERATE_COMMAND, generatedFiles } from './input-reference.js';
import { writeGenerated } from './write-generated.js';

process.exit(await writeGenerated(generatedFiles(), GENERATE_COMMAND, process.argv.includes('--check')));
