/**
 * Where the CLI and the worker find Temporal. One rule for both: `@temporalio/envconfig` (the TOML profile named
 * by `--profile` / TEMPORAL_PROFILE, overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS*, …), then the command-line flags on top. The namespace is always resolved here and passed
 * explicitly, so nothing silently falls back to `default` in one place and not another.
 */
import type { NativeConnectionOptions } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { CliError, EXIT } from './exit-codes.js';
import type { TemporalFlags } from './temporal-flags.js';

export interface TemporalConfig {
  /** `host:port` of the frontend. */
  address: string;
  namespace: string;
  /** Ready for `Connection.connect` (client) and `NativeConnection.connect` (worker): TLS, API key, gRPC metadata. */
  connectionOptions: NativeConnectionOptions;
}

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/**
 * Resolves the Temporal connection from the environment, the config file and `flags` (flags win). A broken config
 * file is a usage error (exit 2), never a stack trace.
 */
export function resolveTemporalConfig(flags: TemporalFlags = {}, env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({
      ...(flags.profile ? { profile: flags.profile } : {}),
      overrideEnvVars: definedOnly(env),
    });
  } catch (error) {
    throw new CliError(`cannot read the Temporal client configuration: ${(error as Error).message}`, EXIT.USAGE);
  }
  const address = flags.address ?? loaded.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const namespace = flags.namespace ?? loaded.namespace ?? DEFAULT_TEMPORAL_NAMESPACE;
  return { address, namespace, connectionOptions: { ...loaded.connectionOptions, address } };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
