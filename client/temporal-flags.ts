/**
 * The Temporal connection flags as commands declare them. Apart from `temporal-config.ts` (which resolves them
 * with `@temporalio/envconfig`) so that defining the commands, which `--help` and every usage error do, loads no
 * Temporal package.
 */
import type { Command } from 'commander';

/** The connection flags every command that talks to Temporal accepts. */
export interface TemporalFlags {
  address?: string;
  namespace?: string;
  profile?: string;
}

/** Adds `--address`, `--namespace` and `--profile` to a command. */
export function addTemporalOptions(command: Command): Command {
  return command
    .option(
      '--address <host:port>',
      'Temporal frontend address (default: TEMPORAL_ADDRESS, the profile, or localhost:7233)',
    )
    .option('-n, --namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE, the profile, or "default")')
    .option(
      '--profile <name>',
      'profile of the Temporal config file (TEMPORAL_CONFIG_FILE; default: TEMPORAL_PROFILE or "default")',
    );
}
