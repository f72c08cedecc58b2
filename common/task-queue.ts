/** The task queue the worker polls and the CLI starts workflows on; overridable for tests and multi-tenant setups. */
export const DEFAULT_TASK_QUEUE = 'dcs-migrate';
