/**
 * Names a client reaches a migration by, as plain strings: the `status` query and the search attributes. The
 * SDK-typed definitions (`common/workflow-contract.ts`, `common/search-attributes.ts`) are built from these; the
 * CLI's HTTP read path (`client/read-migration-http.ts`) uses them without loading the Temporal SDK.
 */
export const STATUS_QUERY_NAME = 'status';

export const SEARCH_ATTRIBUTE_NAMES = {
  taskId: 'DcsTaskId',
  remoteStatus: 'DcsRemoteStatus',
  migrationType: 'DcsMigrationType',
  phase: 'DcsPhase',
  plan: 'DcsPlan',
} as const;
