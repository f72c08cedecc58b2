/**
 * The DCS client a worker uses when none is injected: configured from the worker's environment (endpoint or
 * region, project id, AK/SK or IAM), so credentials never travel through Temporal. It carries the worker's one
 * throttle (`dcs/throttle.ts`): every migration of the worker backs off together while DCS throttles or does not
 * answer, and calls are paced under `DCS_RATE_LIMIT` or the limit a 429 names.
 */
import type { DcsMigrationApi } from '../activities/index.js';
import { DcsClient } from '../dcs/client.js';
import { loadDcsConfig } from '../dcs/config.js';
import { DcsThrottle, type ThrottleChange } from '../dcs/throttle.js';

/** Throws `DcsConfigurationError` naming the variables to set when the environment is incomplete. */
export function dcsClientFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
  onThrottleChange?: (change: ThrottleChange) => void,
): DcsMigrationApi {
  const config = loadDcsConfig(env);
  const throttle = new DcsThrottle({
    rateLimit: config.rateLimit,
    ...(onThrottleChange ? { onChange: onThrottleChange } : {}),
  });
  return new DcsClient({ config, throttle });
}
