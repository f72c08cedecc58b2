/** The worker's `workflowsPath`: every workflow dcs-migrate registers, and nothing else. */
export { dcsMigration } from './migration.js';
export { dcsPlan } from './plan/plan.js';
