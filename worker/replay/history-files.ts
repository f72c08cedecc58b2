/**
 * Histories exported as JSON files (`temporal workflow show --output json`, the UI's download, the recorded
 * `test/histories/`), read for `dcs-migrate replay --histories <dir>`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ReplaySubject } from './subject.js';

interface ProtoJson {
  fromJson(type: unknown, json: unknown, options: object): unknown;
}

/**
 * Reads a history exported as JSON into the proto object the replayer takes. The SDK's own `historyFromJSON`
 * cannot be used in this install: @temporalio/common and @temporalio/proto each carry a copy of protobufjs, and
 * the JSON reader of one rejects the types of the other ("type must be a Type"). So the reader is taken from the
 * copy @temporalio/proto itself uses.
 */
export function historyFromExportedJson(json: unknown): unknown {
  const requireHere = createRequire(import.meta.url);
  const requireFromProto = createRequire(requireHere.resolve('@temporalio/proto'));
  const protojson = requireFromProto('protobufjs/ext/protojson') as ProtoJson;
  const { patchProtobufRoot } = requireHere('@temporalio/proto/lib/patch-protobuf-root') as {
    patchProtobufRoot(root: unknown): { lookupType(name: string): unknown };
  };
  const historyType = patchProtobufRoot(requireHere('@temporalio/proto')).lookupType('temporal.api.history.v1.History');
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
}

/** A file that is not an exported history; the message names the file and what is wrong with it. */
export class HistoryFileError extends Error {
  override name = 'HistoryFileError';
}

/**
 * Every `*.json` history in `dir`, by file name; the workflow id is the file's name without `.json` (an exported
 * history does not carry its workflow id). Throws {@link HistoryFileError} for a missing or empty directory, or
 * a file that is not a history: a gate that silently replays nothing would pass every build.
 */
export async function readHistoryDir(dir: string): Promise<ReplaySubject[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new HistoryFileError(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (names.length === 0) throw new HistoryFileError(`no *.json histories in ${dir}`);
  return Promise.all(names.map((name) => readHistoryFile(path.join(dir, name))));
}

async function readHistoryFile(file: string): Promise<ReplaySubject> {
  let json: { events?: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }> };
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as typeof json;
  } catch (error) {
    throw new HistoryFileError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const first = Array.isArray(json?.events) ? json.events[0] : undefined;
  const workflowType = first?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (workflowType === undefined) {
    throw new HistoryFileError(`${file}: not an exported history (no "events" starting with WorkflowExecutionStarted)`);
  }
  const history = historyFromExportedJson(json);
  return { workflowId: path.basename(file, '.json'), workflowType, origin: file, history };
}
