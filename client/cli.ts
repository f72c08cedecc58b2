/**
 * `dcs-migrate`: one command with a subcommand per job. Each subcommand lives in `client/commands/<name>.ts`
 * and exports `register(program)`; this file only wires them together and maps failures to exit codes.
 * `bin/dcs-migrate.js` runs it prebuilt (`tools/build-cli.ts`) when the build is current.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, exitCodeFor, printError } from './exit-codes.js';
import * as up from './commands/up.js';
import * as start from './commands/start.js';
import * as check from './commands/check.js';
import * as watch from './commands/watch.js';
import * as status from './commands/status.js';
import * as cutover from './commands/cutover.js';
import * as rollback from './commands/rollback.js';
import * as restart from './commands/restart.js';
import * as logs from './commands/logs.js';
import * as cancel from './commands/cancel.js';
import * as list from './commands/list.js';
import * as worker from './commands/worker.js';
import * as emulator from './commands/emulator.js';
import * as api from './commands/api.js';
import * as codecServer from './commands/codec-server.js';
import * as verify from './commands/verify.js';
import * as replay from './commands/replay.js';
import * as plan from './commands/plan.js';

const program = new Command()
  .name('dcs-migrate')
  .description('Durable Redis data migrations on Huawei Cloud DCS, orchestrated by Temporal.')
  .showHelpAfterError()
  .exitOverride();

// One line per subcommand, in the order `--help` lists them. Each module only defines its command (cheap: no
// Temporal SDK, no Redis or HTTP client); its action imports what it needs when it runs.
const commands = [up, start, check, watch, status, cutover, rollback, restart, logs, cancel, list, plan];
commands.push(worker, emulator, api, codecServer, verify, replay);
for (const module of commands) module.register(program);

/**
 * Commander answers help before it looks for the command: `dcs-migrate fleet --help` printed the root help and exited
 * 0, and `dcs-migrate help fleet` printed it as an error without naming the problem. When the command named does not
 * exist, drop the help request so commander reports it: `unknown command 'fleet'`, with a suggestion when a command
 * is close (`(Did you mean start?)`), exit 2. The root takes no options of its own, so the first word that is not
 * an option is the command.
 */
function reportUnknownCommandBeforeHelp(argv: string[]): string[] {
  const args = argv.slice(2);
  const known = (name: string) =>
    program.commands.some((command) => command.name() === name || command.aliases().includes(name));
  const words = args.flatMap((arg, index) => (arg.startsWith('-') ? [] : [index]));
  let at = words[0];
  if (at === undefined) return argv;
  if (args[at] === 'help') {
    const named = words[1];
    if (named === undefined || known(args[named] as string)) return argv;
    args.splice(at, 1);
    at = named - 1;
  }
  if (known(args[at] as string)) return argv;
  return [...argv.slice(0, 2), ...args.filter((arg) => arg !== '--help' && arg !== '-h')];
}

try {
  const words = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  if ((words[0] === 'help' ? words[1] : words[0]) === 'api') await api.loadHelpText();
  await program.parseAsync(reportUnknownCommandBeforeHelp(process.argv));
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with exit code 0; usage errors were already printed by commander.
    process.exit(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
  }
  printError(error);
  process.exit(exitCodeFor(error));
}
