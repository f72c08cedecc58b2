/**
 * `dcs-migrate`: one command with a subcommand per job. Each subcommand lives in `client/commands/<name>.ts`
 * and exports `register(program)`; this file only wires them together and maps failures to exit codes.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, exitCodeFor, printError } from './exit-codes.js';

const program = new Command()
  .name('dcs-migrate')
  .description('Durable Redis data migrations on Huawei Cloud DCS, orchestrated by Temporal.')
  .showHelpAfterError()
  .exitOverride();

interface CommandModule {
  register(program: Command): void;
}

// One line per subcommand, in the order `--help` lists them.
const commandModules: Array<Promise<CommandModule>> = [
  import('./commands/up.js'),
  import('./commands/start.js'),
  import('./commands/watch.js'),
  import('./commands/status.js'),
  import('./commands/cutover.js'),
  import('./commands/restart.js'),
  import('./commands/logs.js'),
  import('./commands/cancel.js'),
  import('./commands/list.js'),
  import('./commands/worker.js'),
  import('./commands/emulator.js'),
  import('./commands/api.js'),
  import('./commands/codec-server.js'),
  import('./commands/verify.js'),
];
for (const module of await Promise.all(commandModules)) module.register(program);

/**
 * Commander answers help before it looks for the command: `dcs-migrate plan --help` printed the root help and exited
 * 0, and `dcs-migrate help plan` printed it as an error without naming the problem. When the command named does not
 * exist, drop the help request so commander reports it: `unknown command 'plan'`, with a suggestion when a command
 * is close (`(Did you mean start?)`), exit 2. The root takes no options of its own, so the first word that is not
 * an option is the command.
 */
function reportUnknownCommandBeforeHelp(argv: string[]): string[] {
  const args = argv.slice(2);
  const known = (name: string) => program.commands.some((command) => command.name() === name || command.aliases().includes(name));
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
  await program.parseAsync(reportUnknownCommandBeforeHelp(process.argv));
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with exit code 0; usage errors were already printed by commander.
    process.exit(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
  }
  printError(error);
  process.exit(exitCodeFor(error));
}
