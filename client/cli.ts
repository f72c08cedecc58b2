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
  import('./commands/cancel.js'),
  import('./commands/list.js'),
  import('./commands/worker.js'),
  import('./commands/emulator.js'),
  import('./commands/api.js'),
  import('./commands/codec-server.js'),
  import('./commands/verify.js'),
];
for (const module of await Promise.all(commandModules)) module.register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with exit code 0; usage errors were already printed by commander.
    process.exit(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
  }
  printError(error);
  process.exit(exitCodeFor(error));
}
