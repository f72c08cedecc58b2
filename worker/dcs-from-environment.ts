/**
 * The DCS client a worker uses when none is injected: configured from the worker's environment (endpoint or
 * region, project id, AK/SK or IAM), so credentials never travel through Temporal.
 */
import type { DcsMigrationApi } from '../activities/index.js';
import { loadDcsConfig } from '../dcs/config.js';
import { DcsClient } from '../dcs/index.js';

export async function dcsClientFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): Promise<DcsMigrationApi> {
  return new DcsClient(loadDcsConfig(env));
}
