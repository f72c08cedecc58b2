/**
 * Replays recorded migration histories against the current workflow code. A change that would break running
 * migrations (commands reordered, an activity added without `patched()`) fails here with a determinism error.
 * Regenerate the histories with `npx tsx tools/record-histories.ts` when a change is meant to be incompatible.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../worker/create-worker.js';

const historiesDir = path.join(import.meta.dirname, 'histories');

/**
 * Reads a history exported as JSON (`temporal workflow show --output json`, the UI's download) into the proto
 * object the replayer takes. The SDK's own `historyFromJSON` cannot be used in this install: @temporalio/common
 * and @temporalio/proto each carry a copy of protobufjs, and the JSON reader of one rejects the types of the
 * other ("type must be a Type"). So the reader is taken from the copy @temporalio/proto itself uses.
 */
function historyFromExportedJson(json: unknown): unknown {
  const requireHere = createRequire(import.meta.url);
  const requireFromProto = createRequire(requireHere.resolve('@temporalio/proto'));
  const { fromJson } = requireFromProto('protobufjs/ext/protojson') as { fromJson(type: unknown, json: unknown, options: object): unknown };
  const { patchProtobufRoot } = requireHere('@temporalio/proto/lib/patch-protobuf-root') as {
    patchProtobufRoot(root: unknown): { lookupType(name: string): unknown };
  };
  const historyType = patchProtobufRoot(requireHere('@temporalio/proto')).lookupType('temporal.api.history.v1.History');
  return fromJson(historyType, json, { ignoreUnknownFields: true });
}

describe('replay of recorded migration histories', () => {
  it('replays every recorded flow without a determinism error', async () => {
    const files = (await readdir(historiesDir)).filter((file) => file.endsWith('.json')).sort();
    // The flows recorded by test/workflow-flows.test.ts and tools/record-histories.ts, by the current code and, as
    // `sandbox-validation-*`, by the code that validated the input inside the workflow (before the
    // `validate-input-in-local-activity` patch), and, as `pre-predictive-*`, by the code that polled on the plain
    // backoff (before the `predictive-polling` patch), and, as `pre-prechecks-*`, by the code of the round before the
    // pre-flight checks, cutover policy, client switch, task logs and notifications: all must keep replaying.
    const flows = ['backup-import.json', 'legacy-online.json', 'online-full.json', 'online-incremental.json', 'online-incremental-shared.json'];
    expect(files).toEqual(
      expect.arrayContaining([
        ...flows,
        ...flows.map((flow) => `sandbox-validation-${flow}`),
        ...flows.map((flow) => `pre-predictive-${flow}`),
        ...flows.map((flow) => `pre-prechecks-${flow}`),
      ]),
    );
    // A task restarted after a lost connection, by the `restart` policy and by an operator (test/workflow-restart.test.ts).
    expect(files).toEqual(expect.arrayContaining(['online-full-restart-policy.json', 'online-full-restart-operator.json']));
    const histories = await Promise.all(
      files.map(async (file) => ({
        workflowId: path.basename(file, '.json'),
        history: historyFromExportedJson(JSON.parse(await readFile(path.join(historiesDir, file), 'utf8'))),
      })),
    );
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'migration-replay' }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
