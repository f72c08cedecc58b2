/** zod schemas of every DCS migration request and response (docs/dcs-api.md §1.2–1.3), plus field-path error rendering. */
export * from './enums.js';
export * from './requests.js';
export * from './responses.js';
export { fieldIssues, fieldPath, formatIssues, type FieldIssue } from './issues.js';
export { looseNumeric, toNumber } from './primitives.js';
