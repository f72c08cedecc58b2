import { toNumber } from './schemas/primitives.js';
import type { ListMigrationTaskQuery, ListMigrationTaskResponse, MigrationTaskListItem } from './schemas/index.js';

type ListPage = (query: ListMigrationTaskQuery) => Promise<ListMigrationTaskResponse>;

/** Largest page the API accepts. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Every task, by item offset (`offset += page length`) until an empty page, as Terraform pages. Two early stops:
 * - a short page (fewer items than asked for) that reaches the `count` the API reports as the total: the list is
 *   complete, and the empty page Terraform would fetch next is a wasted call (it halves the cost of a lookup by name);
 * - a page that brings no task it has not seen: a server ignoring `offset` would otherwise loop forever.
 */
export async function listAllMigrationTasks(
  listPage: ListPage,
  options: { name?: string | undefined; pageSize?: number | undefined } = {},
): Promise<MigrationTaskListItem[]> {
  const pageSize = options.pageSize ?? 100;
  const seen = new Set<string>();
  const tasks: MigrationTaskListItem[] = [];
  for (let offset = 0; ;) {
    const page = await listPage({
      offset,
      limit: pageSize,
      ...(options.name === undefined ? {} : { name: options.name }),
    });
    const fresh = page.migration_tasks.filter((task) => !seen.has(task.task_id));
    if (fresh.length === 0) return tasks;
    for (const task of fresh) seen.add(task.task_id);
    tasks.push(...fresh);
    offset += page.migration_tasks.length;
    const total = toNumber(page.count);
    if (page.migration_tasks.length < pageSize && total !== undefined && offset >= total) return tasks;
  }
}

/** Tasks whose name is exactly `name`, in list order. */
export async function findTasksByName(listPage: ListPage, name: string): Promise<MigrationTaskListItem[]> {
  const tasks = await listAllMigrationTasks(listPage, { name });
  return tasks.filter((task) => task.task_name === name);
}
