/**
 * Regenerates the workflow histories replayed by test/replay.test.ts: runs the end-to-end flow tests (real
 * Temporal dev server, real emulator) with RECORD_HISTORIES=1, which makes them save each flow's history to
 * test/histories/<flow>.json. Run it after an intended incompatible workflow change, and commit the result.
 *
 *   npx tsx tools/record-histories.ts                                      # the flows of test/workflow-flows.test.ts
 *   npx tsx tools/record-histories.ts test/workflow-shared-watcher.test.ts  # or only the given test files
 *
 * Keep histories recorded by older workflow code: they are what proves a change still replays running workflows.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = process.argv.slice(2);
const result = spawnSync('npx', ['vitest', 'run', ...(files.length > 0 ? files : ['test/workflow-flows.test.ts'])], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RECORD_HISTORIES: '1' },
});
if (result.status !== 0) {
  console.error('record-histories: the flow tests failed; histories may be incomplete');
  process.exit(result.status ?? 1);
}
console.log('record-histories: test/histories/*.json updated');
