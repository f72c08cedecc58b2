/**
 * `dcs-migrate check --file migration.yaml`: the pre-flight checks of a migration file, without starting it. Prints
 * a table (id, verdict, evidence, remedy) or JSON; exit 6 when a check fails, 0 otherwise (warnings included).
 * Password references are resolved from this shell's environment; the Redis checks connect from this host.
 */
import type { Command } from 'commander';
import { failingChecks } from '../../common/precheck.js';
import { EXIT } from '../exit-codes.js';
import type { CheckJson } from '../json-output.js';
import { printJson, printLines } from '../output.js';

interface CheckFlags {
  file: string;
  json?: boolean;
  redis: boolean;
}

export function register(program: Command): void {
  program
    .command('check')
    .description(
      "Run a migration file's pre-flight checks (DCS instance reads, then the Redis servers) without starting it.",
    )
    .requiredOption('-f, --file <path>', 'migration input file (YAML or JSON)')
    .option('--json', 'print the outcomes as JSON: {"ok": bool, "outcomes": [{id, verdict, title, evidence, remedy?}]}')
    .option('--no-redis', 'skip the checks that connect to the Redis servers (DCS reads only)')
    .addHelpText(
      'after',
      '\nExit codes: 0 no check failed (warnings allowed), 2 bad file or DCS settings, 6 a check failed.',
    )
    .action(async (flags: CheckFlags) => {
      // Loaded here, not at the top: every CLI start would otherwise load the file parsers and the activities' modules.
      const { loadMigrationFile } = await import('../migration-file.js');
      const input = await loadMigrationFile(flags.file);
      const { precheckSummary, precheckTable, runCliPrechecks } = await import('../prechecks.js');
      const outcomes = await runCliPrechecks(input, { redis: flags.redis });
      const failing = failingChecks(outcomes);
      if (flags.json) printJson({ ok: failing.length === 0, outcomes } satisfies CheckJson);
      else printLines(precheckTable(outcomes), '', precheckSummary(outcomes));
      if (failing.length > 0) process.exitCode = EXIT.PRECHECK_FAILED;
    });
}
