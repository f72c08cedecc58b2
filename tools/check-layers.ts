// Runs dependency-cruiser with .dependency-cruiser.cjs over the source folders, for `npm run lint`.
// Why not the `depcruise` binary: dependency-cruiser 18's CLI refuses to start on Node 20 (an engine
// check, ^22||^24||>=26), and this project runs on Node 20. Its programmatic API has no such check and
// cruises the same way, so this file is the CLI minus the version gate. On Node 22+ the equivalent is
//   npx depcruise --config .dependency-cruiser.cjs --output-type err <the folders below>
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

/** Everything with TypeScript in it: the product folders and their consumers. */
const SOURCE_FOLDERS = [
  'client',
  'stack',
  'worker',
  'workflows',
  'activities',
  'emulator',
  'dcs',
  'verify',
  'codec',
  'local',
  'common',
  'redis',
  'test',
  'bench',
  'tools',
  'docker',
];

// Paths in the rules and the folders above are relative to the project root, wherever this is started from.
process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: ICruiseOptions };
const tsConfigFile = config.options.tsConfig?.fileName ?? 'tsconfig.json';

const result = await cruise(
  SOURCE_FOLDERS,
  {
    ...config.options,
    ruleSet: { forbidden: config.forbidden } as ICruiseOptions['ruleSet'],
    validate: true,
    outputType: 'err',
  },
  undefined,
  { tsConfig: extractTSConfig(tsConfigFile) },
);
process.stdout.write(String(result.output));
process.exitCode = result.exitCode;
