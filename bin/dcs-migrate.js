#!/usr/bin/env node
// Entry point of the `dcs-migrate` command. Runs the prebuilt CLI (`dist/cli/`, built by `npm ci` through
// `prepare`, by `npm run build` and before tests: tools/build-cli.ts) when it was built from the sources as they
// are now, else the TypeScript sources through tsx, as before there was a build: slower to start (~1 s), never
// stale. The check compares the mtime and size of every input the build recorded (~170 stat calls; plain paths,
// not URLs, which cost several times more).
import { readFileSync, statSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

function buildIsCurrent() {
  try {
    const { inputs } = JSON.parse(readFileSync(`${root}dist/cli/build-info.json`, 'utf8'));
    for (const [file, [mtimeMs, size]] of Object.entries(inputs)) {
      const now = statSync(root + file);
      if (now.mtimeMs !== mtimeMs || now.size !== size) return false;
    }
    return Object.keys(inputs).length > 0;
  } catch {
    return false; // no build, or an unreadable one
  }
}

if (process.env.DCS_MIGRATE_CLI_FROM_SOURCE !== '1' && buildIsCurrent()) {
  await import('../dist/cli/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../client/cli.ts');
}
