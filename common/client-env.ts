/**
 * Environment variables that the local stack writes (stack/stack-env.ts) and the CLI reads (client/), defined
 * below both layers.
 */

/** Temporal's HTTP API, e.g. `http://127.0.0.1:7243`: `dcs-migrate status` reads through it without the SDK. */
export const TEMPORAL_HTTP_VAR = 'DCS_MIGRATE_TEMPORAL_HTTP';
