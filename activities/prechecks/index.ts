/**
 * The `runPrechecks` activity (merged into `createActivities`): the pre-flight checks before anything is created.
 * It returns the outcomes whatever they are; the workflow decides (input `prechecks.mode`) whether failing ones
 * stop the migration. Outcomes carry no secret: passwords are resolved to connect and dropped.
 */
import { activityInfo, Context } from '@temporalio/activity';
import type { MigrationInput } from '../../common/migration-input.js';
import type { PrecheckOutcome } from '../../common/precheck.js';
import type { DcsMigrationApi } from '../dcs-api.js';
import type { Attempted } from '../results.js';
import type { SecretResolver } from '../secrets.js';
import { runPrechecks } from './run-prechecks.js';

export { readSourceSize, runPrechecks, type PrecheckDependencies, type PrecheckRunOptions } from './run-prechecks.js';
export { evaluatePrechecks } from './evaluate.js';
export { MIN_REPL_TIMEOUT_SECONDS, REPLICA_BUFFER_SHARE } from './server-verdicts.js';

export interface PrecheckResult extends Attempted {
  outcomes: PrecheckOutcome[];
}

export function createPrecheckActivities(dcs: DcsMigrationApi, secrets: SecretResolver) {
  return {
    /** ShowInstance of target (and a DCS source), and with `prechecks.redis` the servers themselves: every check's outcome. */
    async runPrechecks(input: MigrationInput): Promise<PrecheckResult> {
      const outcomes = await runPrechecks(input, { dcs, secrets, signal: Context.current().cancellationSignal });
      return { outcomes, attempts: activityInfo().attempt };
    },
  };
}
