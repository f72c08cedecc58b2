/**
 * Settings of `dcs-migrate up` (Quickstart command one): flags, then environment, then defaults. A bad value is a
 * usage error naming the flag.
 */
import { z } from 'zod';
import { intFlagSchema } from '../common/int-flag-schema.js';

export const STACK_ENV = {
  /** `1`/`true`: run the migration, print the result and stop everything instead of staying up. */
  exit: 'DCS_MIGRATE_EXIT',
  keys: 'DCS_MIGRATE_SAMPLE_KEYS',
} as const;

export interface StackFlags {
  keys?: string;
  exit?: boolean;
  uiPort?: string;
  port?: string;
  trafficSeconds?: string;
  trafficRate?: string;
}

const schema = z.object({
  keys: intFlagSchema('--keys', 0, 5_000_000),
  exit: z.boolean(),
  uiPort: intFlagSchema('--ui-port', 1, 65_535).optional(),
  port: intFlagSchema('--port', 1, 65_535).optional(),
  trafficSeconds: intFlagSchema('--traffic-seconds', 0, 600),
  trafficRate: intFlagSchema('--traffic-rate', 1, 50_000),
});

export type StackOptions = z.output<typeof schema>;

export class InvalidStackOptionsError extends Error {
  override name = 'InvalidStackOptionsError';
}

export function resolveStackOptions(flags: StackFlags, env: NodeJS.ProcessEnv = process.env): StackOptions {
  const exitEnv = env[STACK_ENV.exit]?.trim().toLowerCase();
  const result = schema.safeParse({
    keys: flags.keys ?? (env[STACK_ENV.keys]?.trim() || '100000'),
    exit: flags.exit === true || exitEnv === '1' || exitEnv === 'true' || exitEnv === 'yes',
    uiPort: flags.uiPort,
    port: flags.port,
    trafficSeconds: flags.trafficSeconds ?? '5',
    trafficRate: flags.trafficRate ?? '500',
  });
  if (!result.success) throw new InvalidStackOptionsError(result.error.issues.map((issue) => issue.message).join('; '));
  return result.data;
}
