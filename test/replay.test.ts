/**
 * Replays recorded migration histories against the current workflow code, through the deploy gate itself
 * (`dcs-migrate replay --histories test/histories`, the path CI takes). A change that would break running
 * migrations (commands reordered, an activity added without `patched()`) fails here with a determinism error.
 * Regenerate the histories with `npx tsx tools/record-histories.ts` when a change is meant to be incompatible.
 * The gate against a server's running migrations, and its refusal of a changed build: `replay-gate.test.ts`.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../client/testing/run-cli.js';
import type { ReplayReport } from '../client/commands/replay-report.js';

const historiesDir = path.join(import.meta.dirname, 'histories');

describe('replay of recorded migration histories', () => {
  it('replays every recorded flow without a determinism error', async () => {
    const files = (await readdir(historiesDir)).filter((file) => file.endsWith('.json')).sort();
    // The flows recorded by test/workflow-flows.test.ts and tools/record-histories.ts, by the current code and, as
    // `sandbox-validation-*`, by the code that validated the input inside the workflow (before the
    // `validate-input-in-local-activity` patch), and, as `pre-predictive-*`, by the code that polled on the plain
    // backoff (before the `predictive-polling` patch), and, as `pre-prechecks-*`, by the code of the round before the
    // pre-flight checks, cutover policy, client switch, task logs and notifications: all must keep replaying.
    const flows = [
      'backup-import.json',
      'legacy-online.json',
      'online-full.json',
      'online-incremental.json',
      'online-incremental-shared.json',
    ];
    expect(files).toEqual(
      expect.arrayContaining([
        ...flows,
        ...flows.map((flow) => `sandbox-validation-${flow}`),
        ...flows.map((flow) => `pre-predictive-${flow}`),
        ...flows.map((flow) => `pre-prechecks-${flow}`),
      ]),
    );
    // A task restarted after a lost connection, by the `restart` policy and by an operator (test/workflow-restart.test.ts).
    expect(files).toEqual(
      expect.arrayContaining(['online-full-restart-policy.json', 'online-full-restart-operator.json']),
    );
    // A create throttled once (HTTP 429), retried behind `create-retry-after-from-details` (test/replay-gate.test.ts).
    expect(files).toContain('online-full-throttled-create.json');
    // A rollback that kept the writes through the reverse task (test/reverse-sync-stack.test.ts).
    expect(files).toContain('switch-reverse-sync-rollback.json');
    // The automatic rollback after a failed check, carrying a delete the reverse task could not (same file).
    expect(files).toContain('switch-reverse-sync-check-rollback.json');

    // As CI runs it: no server, nothing of this process's environment.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const run = await runCli(['replay', '--histories', historiesDir, '--json'], env);
    const report = jsonOf<ReplayReport & { replayed: number; failed: number }>(run);
    const failed = report.outcomes.filter((outcome) => outcome.verdict !== 'ok');
    const failures = failed.map((outcome) => `${outcome.workflowId}: ${outcome.detail}`);
    expect(failures).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.outcomes.map((outcome) => `${outcome.workflowId}.json`)).toEqual(files);
    expect(report.workflowTypes).toEqual(['dcsMigration', 'dcsPlan']);
  });
});
