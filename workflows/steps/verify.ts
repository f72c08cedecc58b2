/**
 * The optional verify step: when the input has a `verify` block, the worker compares source and target key by
 * key (a heartbeating activity that resumes from its checkpoint after a worker restart). The result goes to the
 * workflow result, the `status` query and the current details. A comparison that cannot finish is recorded as
 * an `error` outcome rather than failing the migration: the data were already copied by then.
 */
import { isCancellation, log, patched } from '@temporalio/workflow';
import type { VerificationResult } from '../../common/workflow-contract.js';
import { callActivity } from '../api.js';
import { publish, type MigrationContext } from '../context.js';
import { Patch } from '../patches.js';
import { VERIFY_OPTIONS } from '../retry-policy.js';
import { recordError } from '../state.js';

export async function verifyIfRequested(ctx: MigrationContext): Promise<void> {
  const settings = ctx.input.verify;
  // Histories recorded before this step never have `verify`; the marker keeps that explicit for replays.
  if (!settings || !patched(Patch.VerifyStep)) return;
  ctx.verification = { outcome: 'clean', mode: settings.mode };
  ctx.verifying = true;
  publish(ctx);
  let result: VerificationResult;
  try {
    const { attempts: _attempts, ...found } = await callActivity(
      ctx.state,
      'verifyData',
      VERIFY_OPTIONS,
      `Verify ${settings.source.address} against ${settings.target.address} (${settings.mode})`,
      settings,
    );
    result = found;
    log.info('verification ended', {
      outcome: result.outcome,
      totalDifferences: result.totalDifferences,
      keysCompared: result.keysCompared,
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    recordError(ctx.state, error, new Date());
    result = { outcome: 'error', mode: settings.mode, error: ctx.state.lastError?.message ?? String(error) };
    log.warn('verification could not finish', { error: result.error });
  }
  ctx.verification = result;
  ctx.verifying = false;
  publish(ctx);
}
