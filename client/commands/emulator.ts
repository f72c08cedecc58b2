/**
 * `dcs-migrate emulator`: runs the local DCS emulator in the foreground until Ctrl+C / SIGTERM. AK/SK and project
 * id come from the same environment variables the DCS client reads; when they are unset they are generated and
 * printed as `export` lines to paste into the shell that runs dcs-migrate. That is the one place a generated
 * secret is shown: the user needs it to talk to the emulator.
 */
import type { Command } from 'commander';
import type { EmulatorFlags } from './emulator-run.js';

/** The data dir keeps the emulator's state: started again on it, the emulator carries on (emulator/README). */
const DATA_DIR_HELP = 'state kept across restarts (tasks, instances, data), OBS buckets <dir>/buckets/<bucket>/<file>';

export function register(program: Command): void {
  program
    .command('emulator')
    .description('Run the local DCS emulator (DCS migration API + real redis-servers) in the foreground.')
    .option('--port <port>', 'TCP port (default: a free port)')
    .option('--host <address>', 'address to listen on; 0.0.0.0 exposes the unauthenticated admin API too', '127.0.0.1')
    .option('--data-dir <dir>', DATA_DIR_HELP, '.dcs-migrate/emulator')
    .option(
      '--instance <id[:type[:shape]][@password]>',
      'start DCS instance <id> (repeatable): type single (default), ha[:N] (master + N standbys, default 1) or ' +
        'cluster[:M[xR]] (M masters, default 3, R replicas each, default 0); e.g. dst:cluster:3x1@secret. ' +
        'The older <id>:<password> still works unless the password starts with a type word',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--creating-ms <ms>', 'how long an online task stays CREATING', '2000')
    .option('--terminating-ms <ms>', 'how long a stopped task stays TERMINATING', '1000')
    .option('--seed <n>', 'seed of probabilistic faults', '1')
    .option(
      '--rate-limit <calls/window>',
      "per-tenant API rate limit, as Huawei's gateway throttles (429 APIGW.0308), e.g. 200/5m",
    )
    .action(async (flags: EmulatorFlags) => (await import('./emulator-run.js')).runEmulator(flags));
}
