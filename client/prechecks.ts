/**
 * The pre-flight checks as the CLI runs them (`check`, `start --dry-run`): the DCS client from the environment
 * (as the worker builds it), the password references resolved from this shell's environment, the Redis probes
 * on unless `--no-redis`. The same checks as the workflow's `runPrechecks` activity (`activities/prechecks/`).
 */
import { createSecretResolver } from '../activities/index.js';
import { runPrechecks } from '../activities/prechecks/index.js';
import type { MigrationInput } from '../common/migration-input.js';
import type { PrecheckOutcome } from '../common/precheck.js';
import { DcsClient, DcsConfigurationError } from '../dcs/index.js';
import { CliError, EXIT } from './exit-codes.js';
import { formatTable } from './output.js';

export async function runCliPrechecks(input: MigrationInput, options: { redis: boolean }): Promise<PrecheckOutcome[]> {
  let client: DcsClient;
  try {
    client = DcsClient.fromEnv(process.env);
  } catch (error) {
    if (error instanceof DcsConfigurationError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
  try {
    return await runPrechecks(input, { dcs: client, secrets: createSecretResolver() }, { redis: options.redis });
  } finally {
    await client.close();
  }
}

/** One row per check: id, verdict, evidence, remedy. */
export function precheckTable(outcomes: readonly PrecheckOutcome[]): string {
  const rows = outcomes.map((outcome) => [
    outcome.id,
    outcome.verdict.toUpperCase(),
    outcome.evidence,
    outcome.remedy ?? '',
  ]);
  return formatTable([['CHECK', 'VERDICT', 'EVIDENCE', 'REMEDY'], ...rows]);
}

/** `17 checks: 14 pass, 2 warn, 1 fail`. */
export function precheckSummary(outcomes: readonly PrecheckOutcome[]): string {
  const count = (verdict: PrecheckOutcome['verdict']) =>
    outcomes.filter((outcome) => outcome.verdict === verdict).length;
  return `${outcomes.length} checks: ${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail`;
}
