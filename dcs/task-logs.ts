/**
 * Reading a task's log (ListMigrationTaskLogs), which the API pages oldest first: all of it, or only its end (what
 * a failure report needs), in as few calls as the page size allows. Entries come back in the workflow's shape
 * (`TaskLogEntry`) with every message passed through `scrub`, so callers cannot forget to remove secrets.
 */
import type { TaskLogEntry } from '../common/workflow-contract.js';
import { scrubSecrets } from './errors/scrub-secrets.js';
import type { ListMigrationTaskLogsQuery, ListMigrationTaskLogsResponse } from './schemas/index.js';
import { toNumber } from './schemas/primitives.js';

type LogPage = (query: ListMigrationTaskLogsQuery) => Promise<ListMigrationTaskLogsResponse>;

export interface TaskLogRead {
  entries: TaskLogEntry[];
  /** Entries the task has in all (`log_num`) at the given level. */
  total: number;
}

const PAGE_SIZE = 100;

function toEntries(page: ListMigrationTaskLogsResponse, knownSecrets: readonly string[]): TaskLogEntry[] {
  return page.migration_logs.map((line) => ({
    at: line.created_at ?? '',
    level: line.log_level ?? '',
    code: line.log_code ?? '',
    message: scrubSecrets(line.message ?? '', knownSecrets),
  }));
}

/**
 * The last `last` entries (all when omitted), oldest first, optionally of one level. One call when the log fits in
 * a page; otherwise the first page tells the total and the end is read from `total - last`.
 */
export async function readTaskLogs(
  listPage: LogPage,
  options: { last?: number; level?: 'INFO' | 'ERROR'; knownSecrets?: readonly string[] } = {},
): Promise<TaskLogRead> {
  const level = options.level === undefined ? {} : { log_level: options.level };
  const secrets = options.knownSecrets ?? [];
  const first = await listPage({ offset: 0, limit: PAGE_SIZE, ...level });
  const total = toNumber(first.log_num) ?? first.migration_logs.length;
  const wanted = Math.max(0, Math.min(options.last ?? total, total));
  if (wanted === 0) return { entries: [], total };
  const start = total - wanted;
  // The first page already holds the start of the tail, or the tail is read from where it starts.
  let offset = start < first.migration_logs.length ? first.migration_logs.length : start;
  const entries = start < first.migration_logs.length ? toEntries(first, secrets).slice(start) : [];
  while (entries.length < wanted && offset < total) {
    const page = await listPage({ offset, limit: PAGE_SIZE, ...level });
    // A server that ignores offset (or a log that shrank) must not loop forever.
    if (page.migration_logs.length === 0) break;
    entries.push(...toEntries(page, secrets));
    offset += page.migration_logs.length;
  }
  return { entries: entries.slice(-wanted), total };
}
