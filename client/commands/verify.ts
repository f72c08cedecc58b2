/**
 * `dcs-migrate verify --source URL --target URL`: compares two Redis servers key by key (the engine in `verify/`)
 * and names every key that differs. Exit 0 only for "0 differences", 4 when differences were found, 2 for bad
 * arguments, 5 when a server cannot be reached. Passwords come from the URL or DCS_MIGRATE_SOURCE_PASSWORD / DCS_MIGRATE_TARGET_PASSWORD and are
 * never printed. The command is defined here; what it does
 * is in `verify-run.ts`, loaded only when it runs.
 */
import type { Command } from 'commander';
import type { VerifyFlags } from './verify-run.js';

export function register(program: Command): void {
  program
    .command('verify')
    .description('Compare two Redis servers key by key (like redis-full-check) and name every key that differs.')
    .requiredOption(
      '--source <url>',
      'source Redis, any node of a cluster: redis[s]://[user][:password@]host[:port][/db] (or the password in DCS_MIGRATE_SOURCE_PASSWORD)',
    )
    .requiredOption(
      '--target <url>',
      'target Redis, any node of a cluster: redis[s]://[user][:password@]host[:port][/db] (or the password in DCS_MIGRATE_TARGET_PASSWORD)',
    )
    .option('--source-ca <file>', 'rediss:// source: PEM CA certificate(s) to trust instead of the system ones')
    .option('--target-ca <file>', 'rediss:// target: PEM CA certificate(s) to trust instead of the system ones')
    .option('--tls-insecure', "rediss://: do not verify the servers' certificates")
    .option('--reverse', 'also scan the target for keys the source does not have (EXTRA)')
    .option('--mode <mode>', 'outline (existence, type), length (+ length, TTL) or full (+ value)', 'full')
    .option('--sample <ratio>', 'compare only this fraction of the keys (0 < ratio <= 1), chosen by key name', '1')
    .option('--rate <keys>', 'compare at most this many keys per second')
    .option('--ttl-tolerance <ms>', 'TTLs may differ by this many milliseconds', '1000')
    .option(
      '--rounds <n>',
      're-check differences this many times; those that resolve (writes in flight) are dropped',
      '2',
    )
    .option('--interval <ms>', 'wait between re-check rounds', '2000')
    .option('--max-listed <n>', 'differences listed (all are counted)', '10000')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExit code 0 when there are 0 differences, 4 when differences were found, 2 for bad arguments, 5 when a server\n' +
        'cannot be reached or refuses the password. Passwords are never printed.',
    )
    .action(async (flags: VerifyFlags) => (await import('./verify-run.js')).runVerify(flags));
}
