/**
 * Settings of `dcs-migrate up` (Quickstart command one): flags, then environment, then defaults. A bad value is a
 * usage error naming the flag.
 */
import { z } from 'zod';
import { intFlagSchema } from '../common/int-flag-schema.js';
import { DEFAULT_TOPOLOGY, InstanceSpecError, parseTopology, type InstanceTopology } from '../emulator/index.js';

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
  /** The source and target instance types, spelt as `--instance` spells them: `single`, `ha[:N]`, `cluster[:M[xR]]`. */
  sourceType?: string;
  targetType?: string;
}

const schema = z.object({
  keys: intFlagSchema('--keys', 0, 5_000_000),
  exit: z.boolean(),
  uiPort: intFlagSchema('--ui-port', 1, 65_535).optional(),
  port: intFlagSchema('--port', 1, 65_535).optional(),
  trafficSeconds: intFlagSchema('--traffic-seconds', 0, 600),
  trafficRate: intFlagSchema('--traffic-rate', 1, 50_000),
});

export type StackOptions = z.output<typeof schema> & {
  topologies: { source: InstanceTopology; target: InstanceTopology };
};

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
  const problems = result.success ? [] : result.error.issues.map((issue) => issue.message);
  const source = instanceType('--source-type', flags.sourceType, problems);
  const target = instanceType('--target-type', flags.targetType, problems);
  if (!result.success || problems.length > 0) throw new InvalidStackOptionsError(problems.join('; '));
  return { ...result.data, topologies: { source, target } };
}

/**
 * A side's instance type. A Redis Cluster on either side is fine: the demo then seeds db 0 only and cuts over
 * without an IP switch (DCS switches no IPs of a Redis Cluster), see stack/demo-input.ts.
 */
function instanceType(flag: string, text: string | undefined, problems: string[]): InstanceTopology {
  if (text === undefined) return DEFAULT_TOPOLOGY;
  try {
    return parseTopology(text.trim());
  } catch (error) {
    if (error instanceof InstanceSpecError) {
      problems.push(`${flag}: ${error.field}: ${error.message}`);
      return DEFAULT_TOPOLOGY;
    }
    throw error;
  }
}
