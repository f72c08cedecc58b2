/**
 * What `dcs-migrate verify` does once its flags are parsed: checks them (zod), compares the two servers and prints
 * the report. Loaded only when that command runs (see `verify.ts`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { compareRedis, type CompareOptions } from '../../verify/compare.js';
import { parseRedisUrl } from '../../redis/url.js';
import { renderReport } from '../../verify/render-report.js';
import { CliError, EXIT } from '../exit-codes.js';
import { intFlagSchema } from '../../common/int-flag-schema.js';
import { printJson, printLines } from '../output.js';

export interface VerifyFlags {
  source: string;
  target: string;
  reverse?: boolean;
  mode: string;
  sample: string;
  rate?: string;
  ttlTolerance: string;
  rounds: string;
  interval: string;
  maxListed: string;
  json?: boolean;
  sourceCa?: string;
  targetCa?: string;
  tlsInsecure?: boolean;
}

const settingsSchema = z.object({
  mode: z.enum(['outline', 'length', 'full'], { error: '--mode: expected outline, length or full' }),
  sample: z.coerce
    .number({ error: '--sample: expected a number' })
    .gt(0, '--sample: must be > 0')
    .max(1, '--sample: must be at most 1'),
  rate: intFlagSchema('--rate', 1, 10_000_000).optional(),
  ttlTolerance: intFlagSchema('--ttl-tolerance', 0, 86_400_000),
  rounds: intFlagSchema('--rounds', 0, 10),
  interval: intFlagSchema('--interval', 0, 600_000),
  maxListed: intFlagSchema('--max-listed', 0, 1_000_000),
});

export async function runVerify(flags: VerifyFlags): Promise<void> {
  const options = compareOptions(flags);
  const report = await compareRedis(options.source, options.target, options.compare).catch((error: unknown) => {
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.UNREACHABLE);
  });
  if (flags.json) printJson(report);
  else printLines(...renderReport(report));
  if (report.totalDifferences > 0) process.exitCode = EXIT.MIGRATION_FAILED;
}

function compareOptions(flags: VerifyFlags) {
  const parsed = settingsSchema.safeParse(flags);
  if (!parsed.success) throw new CliError(parsed.error.issues.map((issue) => issue.message).join('; '), EXIT.USAGE);
  const settings = parsed.data;
  try {
    const tls = (flag: string, file: string | undefined) => ({
      ...(file === undefined ? {} : { ca: readCa(flag, file) }),
      insecure: flags.tlsInsecure === true,
    });
    const source = parseRedisUrl(
      '--source',
      flags.source,
      process.env['DCS_MIGRATE_SOURCE_PASSWORD'],
      tls('--source-ca', flags.sourceCa),
    );
    const target = parseRedisUrl(
      '--target',
      flags.target,
      process.env['DCS_MIGRATE_TARGET_PASSWORD'],
      tls('--target-ca', flags.targetCa),
    );
    if (source.db !== target.db)
      throw new Error('--source and --target name different dbs; give the same /db on both, or none');
    const compare: CompareOptions = {
      mode: settings.mode,
      checkExtra: flags.reverse === true,
      sampleRatio: settings.sample,
      ttlToleranceMs: settings.ttlTolerance,
      maxDifferences: settings.maxListed,
      recheck: { rounds: settings.rounds, intervalMs: settings.interval },
      ...(settings.rate === undefined ? {} : { keysPerSecond: settings.rate }),
      ...(source.db === undefined ? {} : { dbs: [source.db] }),
    };
    return { source: source.endpoint, target: target.endpoint, compare };
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.USAGE);
  }
}

function readCa(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, {
      cause: error,
    });
  }
}
