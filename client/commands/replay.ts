/**
 * `dcs-migrate replay`: the pre-deploy gate. Replays the histories of running migrations (a visibility query's
 * runs, among the workflow types this build registers), or exported JSON histories (`--histories <dir>`),
 * against this build's workflow code, and exits 7 naming every run whose history it cannot replay and the first
 * mismatch. The command is defined here; what it does is in `replay-run.ts`, loaded only when it runs.
 */
import type { Command } from 'commander';
import { addTemporalOptions } from '../temporal-flags.js';
import type { ReplayFlags } from './replay-run.js';

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('replay')
      .description("Replay migrations' histories on this build's workflow code: the deploy gate (docs/deploy-gate.md).")
      .option('--query <query>', 'visibility query of the runs to replay (default: running), within the workflow types')
      .option('--limit <n>', 'replay at most this many runs, newest first', '1000')
      .option('--histories <dir>', 'replay the exported JSON histories in this directory instead (no server needed)')
      .option('--workflows-path <file>', "replay against this workflows module instead of this build's (bundled now)")
      .option('--json', 'print the outcome of every history as JSON'),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 every history replayed (or none matched), 7 at least one did not, 2 bad arguments or\n' +
        "history files, 5 Temporal unreachable. Encrypted histories need the worker's DCS_MIGRATE_CODEC_* keys.",
    )
    .action(async (flags: ReplayFlags) => (await import('./replay-run.js')).runReplay(flags));
}
