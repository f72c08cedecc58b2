/**
 * Writes the JSON Schemas of the CLI's `--json` output (`schema/*-output.schema.json`), built from the types the
 * commands print (see `tools/output-schemas.ts`). Run after changing what a command prints:
 * `npm run generate:output-schemas`. `--check` writes nothing and exits 1 when a committed file is out of date.
 */
import { GENERATE_OUTPUT_SCHEMAS_COMMAND, outputSchemaFiles } from './output-schemas.js';
import { writeGenerated } from './write-generated.js';

process.exit(
  await writeGenerated(outputSchemaFiles(), GENERATE_OUTPUT_SCHEMAS_COMMAND, process.argv.includes('--check')),
);
