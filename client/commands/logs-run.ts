/** What `dcs-migrate logs` does once its flags are parsed (see `logs.ts`); loaded only when that command runs. */
import { DcsClient } from '../../dcs/client.js';
import { scrubSecrets } from '../../dcs/errors/index.js';
import { readTaskLogs, type TaskLogRead } from '../../dcs/task-logs.js';
import { dcsConfigFrom, toCliError, type DcsFlags } from '../dcs-cli.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseIntFlag } from '../flags.js';
import { readMigration } from '../migration-view.js';
import { formatTable, printJson, printLines } from '../output.js';
import type { TemporalFlags } from '../temporal-flags.js';
import { withTemporal } from '../temporal-client.js';

export interface LogsFlags extends TemporalFlags, DcsFlags {
  taskId?: string;
  level?: string;
  last?: string;
  json?: boolean;
}

export async function runLogs(id: string | undefined, flags: LogsFlags): Promise<void> {
  const level = levelOf(flags.level);
  const last = flags.last === undefined ? undefined : parseIntFlag('--last', flags.last, 1, 100_000);
  if (id === undefined && flags.taskId === undefined)
    throw new CliError('give the workflow id of a migration, or --task-id', EXIT.USAGE);
  const taskId = flags.taskId ?? (await taskIdOf(flags, id!));
  const config = dcsConfigFrom(flags);
  const client = new DcsClient({ config, userAgent: 'dcs-migrate-cli' });
  try {
    const read = await readTaskLogs((query) => client.listMigrationTaskLogs(taskId, query), {
      ...(last === undefined ? {} : { last }),
      ...(level === undefined ? {} : { level }),
      knownSecrets: client.credentialValues(),
    });
    if (flags.json) {
      printJson({ taskId, total: read.total, entries: read.entries });
      return;
    }
    printLines(...logTableLines(taskId, read, level));
  } catch (error) {
    throw toCliError(error);
  } finally {
    await client.close();
  }
}

/** The human form: a table of time, level, code and message, oldest first, and how many of the entries it shows. */
export function logTableLines(taskId: string, read: TaskLogRead, level?: string): string[] {
  if (read.entries.length === 0) return [`task ${taskId}: no log entries${level ? ` at level ${level}` : ''}`];
  const rows = read.entries.map((entry) => [entry.at, entry.level, entry.code, scrubSecrets(entry.message)]);
  const lines = [formatTable([['time', 'level', 'code', 'message'], ...rows])];
  if (read.entries.length < read.total) lines.push(`(last ${read.entries.length} of ${read.total} entries)`);
  return lines;
}

function levelOf(value: string | undefined): 'INFO' | 'ERROR' | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper === 'INFO' || upper === 'ERROR') return upper;
  throw new CliError(`--level: must be INFO or ERROR, not "${value}"`, EXIT.USAGE);
}

/** The migration's remote task, from its search attributes (no worker needed). */
async function taskIdOf(flags: TemporalFlags, workflowId: string): Promise<string> {
  const view = await withTemporal(flags, ({ client }) => readMigration(client, workflowId, { describeOnly: true }));
  if (!view.taskId)
    throw new CliError(`migration ${workflowId} has no remote task yet (phase ${view.phase ?? 'unknown'})`, EXIT.USAGE);
  return view.taskId;
}
