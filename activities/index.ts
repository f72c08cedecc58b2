/** Public surface of the activities: the factory and the types workflows and the worker use. */
export { createActivities, type Activities, type ActivityDependencies } from './create-activities.js';
export { createSecretResolver, SecretUnavailableError, type SecretResolver } from './secrets.js';
export type { DcsMigrationApi } from './dcs-api.js';
export {
  SharedStatusWatcher,
  statusWatcherOver,
  type StatusWatcherOptions,
  type StatusWatcherStats,
} from './status-watcher.js';
export { createPlanActivities, type PlanActivities, type ItemSighting } from './plan-items.js';
export { mergeActivities } from './merge-activities.js';
