/**
 * The verify activity: compares the source and target Redis servers key by key from the worker (the engine in
 * `verify/`). It heartbeats a checkpoint (db, pass, SCAN cursor, counts so far) about once a second, and a retry
 * after a worker restart resumes from the last checkpoint instead of starting over. Passwords are resolved here
 * and go nowhere else: the result and errors name servers by address only.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { readFile } from 'node:fs/promises';
import type { VerifySettings } from '../common/migration-input.js';
import type { VerificationResult } from '../common/workflow-contract.js';
import { parseAddress } from '../redis/address.js';
import type { RedisEndpoint } from '../redis/endpoint.js';
import { compareRedis, type CompareCheckpoint, type CompareReport } from '../verify/compare.js';
import type { Attempted } from './results.js';
import { SecretUnavailableError, type SecretResolver } from './secrets.js';

/** Re-checked keys carried in a heartbeat at most (more are reported as found), keeping details small. */
const RECHECK_LIMIT = 1_000;

/** The verify activities over `secrets` (merged into `createActivities`). */
export function createVerifyActivities(secrets: SecretResolver) {
  async function endpointOf(side: 'source' | 'target', server: VerifySettings['source']): Promise<RedisEndpoint> {
    // The input schema checked the address with the same parser: this does not throw.
    const { host, port } = parseAddress(server.address, `verify.${side}.address`);
    const password = server.password ? await secrets.resolve(server.password, `verify.${side}.password`) : undefined;
    const tls = server.tls
      ? {
          insecure: server.tls.insecure,
          ...(server.tls.caFile ? { ca: await readCa(`verify.${side}.tls.caFile`, server.tls.caFile) } : {}),
        }
      : undefined;
    return { host, port, username: server.username, password, ...(tls ? { tls } : {}) };
  }

  return {
    /** Compares `settings.source` with `settings.target`; resumes from the last heartbeat when retried. */
    async verifyData(settings: VerifySettings): Promise<VerificationResult & Attempted> {
      const context = Context.current();
      const resumeFrom = checkpointOf(context.info.heartbeatDetails);
      try {
        const [source, target] = [
          await endpointOf('source', settings.source),
          await endpointOf('target', settings.target),
        ];
        if (resumeFrom)
          context.log.info('verification resumes from its last checkpoint', {
            db: resumeFrom.dbs[resumeFrom.dbIndex],
            pass: resumeFrom.pass,
            keysCompared: resumeFrom.report.keysCompared,
          });
        const report = await compareRedis(source, target, {
          mode: settings.mode,
          checkExtra: settings.reverse,
          sampleRatio: settings.sampleRatio,
          ttlToleranceMs: settings.ttlTolerance,
          maxDifferences: settings.maxListed,
          recheck: { rounds: settings.rounds, intervalMs: settings.roundInterval, recheckLimit: RECHECK_LIMIT },
          // Under a rate limit, batches of at most a second's worth of keys, so the pacer never outwaits the heartbeat timeout.
          ...(settings.keysPerSecond === undefined
            ? {}
            : { keysPerSecond: settings.keysPerSecond, batchSize: Math.min(500, settings.keysPerSecond) }),
          ...(resumeFrom ? { resumeFrom } : {}),
          onProgress: (checkpoint) => {
            context.heartbeat(checkpoint);
            // Cancellation reaches an activity through its heartbeats: stop at the next batch.
            if (context.cancellationSignal.aborted) throw new CancelledFailure('verification cancelled');
          },
        });
        return { ...summarize(report), attempts: context.info.attempt };
      } catch (error) {
        if (error instanceof CancelledFailure) throw error;
        if (error instanceof SecretUnavailableError)
          throw ApplicationFailure.nonRetryable(error.message, 'SecretUnavailable');
        // compare's errors name the side and address and never carry the password (nor a cause that could).
        throw ApplicationFailure.retryable(error instanceof Error ? error.message : String(error), 'VerificationError');
      }
    },
  };
}

/** A CA file missing on this worker is a configuration error: retrying on the same worker cannot help. */
async function readCa(field: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new SecretUnavailableError(
      `${field}: cannot read ${file} on the worker (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
}

/** The report in the workflow's terms: totals per kind over all dbs, and the capped list of differences. */
export function summarize(report: CompareReport): VerificationResult {
  const byKind: Record<string, number> = {};
  for (const db of Object.values(report.dbs)) {
    for (const [kind, count] of Object.entries(db.byKind))
      if (kind !== 'OK' && count > 0) byKind[kind] = (byKind[kind] ?? 0) + count;
  }
  return {
    outcome: report.totalDifferences === 0 ? 'clean' : 'differences',
    mode: report.mode,
    totalDifferences: report.totalDifferences,
    byKind,
    keysCompared: report.keysCompared,
    rounds: report.rounds,
    durationMs: report.durationMs,
    differences: report.differences,
  };
}

/** The heartbeat of an earlier attempt, if it looks like a checkpoint (anything else starts over). */
function checkpointOf(details: unknown): CompareCheckpoint | undefined {
  const candidate = details as Partial<CompareCheckpoint> | undefined;
  const valid =
    candidate &&
    Array.isArray(candidate.dbs) &&
    typeof candidate.dbIndex === 'number' &&
    typeof candidate.cursor === 'string' &&
    candidate.report &&
    Array.isArray(candidate.suspects);
  return valid ? (candidate as CompareCheckpoint) : undefined;
}
