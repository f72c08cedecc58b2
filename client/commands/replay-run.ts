/** What `dcs-migrate replay` does once its flags are parsed (see `replay.ts`); loaded only when that command runs. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { CodecConfigurationError } from '../../codec/codec-keys.js';
import { loadDataConverter } from '../../codec/data-converter.js';
import { MissingKeysCodec } from '../../codec/encryption-codec.js';
import { MISSING_KEYS_HINT } from '../cli-codec.js';
import { HistoryFileError, readHistoryDir } from '../../worker/replay/history-files.js';
import { replayHistories, workflowCodeFor, type WorkflowCode } from '../../worker/replay/replay.js';
import { replayQuery, serverHistories } from '../../worker/replay/server-histories.js';
import type { ReplayOutcome } from '../../worker/replay/subject.js';
import { registeredWorkflowTypes, WorkflowTypesError } from '../../worker/replay/workflow-types.js';
import { installRuntime } from '../../worker/runtime.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseIntFlag } from '../flags.js';
import type { TemporalFlags } from '../temporal-flags.js';
import { withTemporal } from '../temporal-client.js';
import { printReplayReport, type ReplayReport } from './replay-report.js';

export interface ReplayFlags extends TemporalFlags {
  query?: string;
  limit: string;
  histories?: string;
  workflowsPath?: string;
  json?: boolean;
}

export async function runReplay(flags: ReplayFlags): Promise<void> {
  const limit = parseIntFlag('--limit', flags.limit, 1, 100_000);
  if (flags.histories !== undefined && flags.query !== undefined) {
    const message = '--histories replays the files in a directory; --query selects runs on a server: give one of them';
    throw new CliError(message, EXIT.USAGE);
  }
  const workflowsPath = flags.workflowsPath === undefined ? undefined : path.resolve(flags.workflowsPath);
  if (workflowsPath !== undefined && !existsSync(workflowsPath)) {
    throw new CliError(`--workflows-path: ${workflowsPath} does not exist`, EXIT.USAGE);
  }
  const dataConverter = workerDataConverter();
  // Warnings only: the replay worker's INFO lines and Core's report of each failed task repeat what the table says.
  installRuntime({ logger: new DefaultLogger('WARN'), coreLogLevel: 'ERROR' });
  const code = workflowCodeFor({ workflowsPath, dataConverter });
  const types = await typesOf(code, flags.workflowsPath !== undefined);
  const options = { code, registeredTypes: types, dataConverter };
  let report: ReplayReport;
  if (flags.histories !== undefined) {
    const dir = path.resolve(flags.histories);
    const subjects = await readHistoryDir(dir).catch((error: unknown) => {
      throw error instanceof HistoryFileError ? new CliError(`--histories: ${error.message}`, EXIT.USAGE) : error;
    });
    const outcomes = await replayHistories(subjects, options);
    report = { code: code.description, workflowTypes: types, histories: dir, outcomes };
  } else {
    const query = replayQuery(types, flags.query);
    report = await withTemporal(flags, async ({ client }) => {
      const matched = await countOf(client, query);
      const outcomes = matched === 0 ? [] : await replayHistories(serverHistories(client, query, limit), options);
      return { code: code.description, workflowTypes: types, query, matched, outcomes };
    });
  }
  printReplayReport(report, flags.json === true);
  const failed = report.outcomes.filter((outcome) => outcome.verdict !== 'ok');
  if (failed.length > 0) throw new CliError(failureSummary(failed, report.outcomes.length), EXIT.REPLAY_FAILED);
}

/**
 * The worker's data converter (DCS_MIGRATE_CODEC_*), so encrypted histories decode as the worker decodes them;
 * without keys, a codec that says which variable to set when it meets an encrypted payload.
 */
function workerDataConverter(): DataConverter {
  try {
    return loadDataConverter(process.env) ?? { payloadCodecs: [new MissingKeysCodec(MISSING_KEYS_HINT)] };
  } catch (error) {
    if (error instanceof CodecConfigurationError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
}

async function typesOf(code: WorkflowCode, given: boolean): Promise<string[]> {
  try {
    return await registeredWorkflowTypes(code.workflowsPath);
  } catch (error) {
    if (!(error instanceof WorkflowTypesError) || !given) throw error;
    throw new CliError(`--workflows-path: ${error.message}`, EXIT.USAGE);
  }
}

/** The gRPC status of a request Temporal refuses as malformed. */
const INVALID_ARGUMENT = 3;

/** How many runs match; a query Temporal refuses (gRPC INVALID_ARGUMENT) is a usage error naming `--query`. */
async function countOf(client: Client, query: string): Promise<number> {
  try {
    return (await client.workflow.count(query)).count;
  } catch (error) {
    const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
    if ((code ?? cause?.code) !== INVALID_ARGUMENT) throw error;
    const reason = (error as Error).message.split('\n')[0];
    throw new CliError(`--query: Temporal refused ${query}: ${reason}`, EXIT.USAGE);
  }
}

/** One line on stderr (the table or the JSON on stdout has the details): how many, and which workflows. */
function failureSummary(failed: ReplayOutcome[], total: number): string {
  const ids = failed.slice(0, 10).map((outcome) => outcome.workflowId);
  const more = failed.length > ids.length ? ` and ${failed.length - ids.length} more` : '';
  const what = `${failed.length} of ${total} histories do not replay on this build (deploying it would break them)`;
  return `${what}: ${ids.join(', ')}${more}`;
}
