/**
 * The DCS client a worker uses when none is injected: configured from the worker's environment (endpoint or
 * region, project id, AK/SK or IAM), so credentials never travel through Temporal.
 */
import type { DcsMigrationApi } from '../activities/index.js';
import { DcsClient } from '../dcs/client.js';

/** Throws `DcsConfigurationError` naming the variables to set when the environment is incomplete. */
export function dcsClientFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): DcsMigrationApi {
  return DcsClient.fromEnv(env);
}
