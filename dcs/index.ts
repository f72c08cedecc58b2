/**
 * Public surface of the typed DCS client. Import from here (or the sub-barrels `dcs/signing`, `dcs/schemas`,
 * `dcs/errors`); files under `dcs/request/` are internal.
 */
export {
  DcsClient,
  type CallOptions,
  type DcsClientOptions,
  type OperationInput,
  type OperationResult,
} from './client.js';
export {
  credentialValues,
  DCS_ENV,
  DEFAULT_TIMEOUTS,
  loadDcsConfig,
  type DcsConfig,
  type DcsConfigOverrides,
  type DcsCredentials,
  type DcsTimeouts,
} from './config.js';
export * from './errors/index.js';
export { IamTokenProvider } from './iam-token.js';
export {
  findOperation,
  kebabToOperationName,
  OPERATION_NAMES,
  OPERATIONS,
  operationNameToKebab,
  type HttpMethod,
  type OperationName,
  type OperationSpec,
  type PathParamName,
} from './operations.js';
export { findTasksByName, listAllMigrationTasks, MAX_PAGE_SIZE } from './pagination.js';
export { isRetryable, retryDelayHint } from './retry.js';
export { readTaskLogs, type TaskLogRead } from './task-logs.js';
export { Secret } from './secret.js';
