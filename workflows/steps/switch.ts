/**
 * The client switch at the cutover (`cutover.switch: ip | domain`), while the incremental task still runs:
 * exchange-ip, wait for EXCHANGE_SUCCESS, check through the source's old address that the clients now reach the
 * target, then the rollback window (`dcs-migrate rollback`, or at once when the check failed): rollback-ip, wait
 * for ROLLBACK_SUCCESS, then back to the hold (the task restarted) or the end, as `cutover.afterRollback` says.
 * Eligibility (common/switch-eligibility.ts) is checked twice: from the input and the passwords before anything is
 * created, and from the task's addresses and the servers right before exchange-ip; a failed check refuses the
 * switch with no exchange-ip call. Every path keeps the one remote task; `state.switch` says which way it went.
 */
import { ApplicationFailure } from '@temporalio/common';
import { condition, isCancellation, log, patched, sleep } from '@temporalio/workflow';
import { IpSwitchStatus } from '../../common/dcs-status.js';
import type { PrecheckOutcome } from '../../common/precheck.js';
import { switchEligibility, switchRefusal, type SwitchPairFacts } from '../../common/switch-eligibility.js';
import { MigrationFailureType, type MigrationSwitch } from '../../common/workflow-contract.js';
import type { SwitchState } from '../../activities/switch.js';
import { parseAddress, type HostPort } from '../../redis/address.js';
import { callActivity } from '../api.js';
import { enterPhase, publish, type MigrationContext } from '../context.js';
import { Patch } from '../patches.js';
import { READ_OPTIONS, SINGLE_ATTEMPT_OPTIONS } from '../retry-policy.js';
import { recordError } from '../state.js';
import { workflowFailure } from './failures.js';
import { taskLabel } from './read-task.js';
import { afterRollback, planReverseSync, rollbackWindowWithReverseSync } from './reverse-sync.js';

/** How long DCS may take to report a switch or a rollback done (Terraform waits as long). */
const SWITCH_TIMEOUT_MS = 30 * 60_000;

/** The post-switch check: a few attempts (a write refused while still read-only, a connection cut by the switch). */
const CHECK_OPTIONS = {
  ...READ_OPTIONS,
  scheduleToCloseTimeout: '2m',
  retry: { ...READ_OPTIONS.retry, maximumAttempts: 3, initialInterval: '1s' },
};

export type SwitchOutcome = 'switched' | 'rolled-back' | 'hold-again';

/** The switch mode the input asks for, or undefined for none (or a kind without a cutover). */
export function switchModeOf(ctx: MigrationContext): 'ip' | 'domain' | undefined {
  const { input } = ctx;
  if (input.kind !== 'online') return undefined;
  const mode = input.cutover?.switch ?? 'none';
  return mode === 'none' ? undefined : mode;
}

function notPassed(outcomes: PrecheckOutcome[]): PrecheckOutcome[] {
  return outcomes.filter((outcome) => outcome.verdict !== 'pass');
}

/** Records the refusal and fails the migration with the failed checks (no exchange-ip call was made). */
function refuse(ctx: MigrationContext, mode: 'ip' | 'domain', outcomes: PrecheckOutcome[], message: string): never {
  ctx.state.switch = { ...ctx.state.switch, mode, state: 'refused', eligibility: notPassed(outcomes) };
  throw workflowFailure(message, MigrationFailureType.SwitchRefused);
}

/**
 * With `verify` in the file, the clients move only onto a target the verify step found equal to the source: a
 * target with differences (or one that could not be compared) is refused before any switch call, and the clients
 * stay on the source.
 */
function refuseUnverified(ctx: MigrationContext, mode: 'ip' | 'domain'): void {
  const verification = ctx.verification;
  if (!ctx.input.verify || !verification || verification.outcome === 'clean') return;
  const evidence =
    verification.outcome === 'differences'
      ? `the verify step found ${verification.totalDifferences ?? 'some'} difference(s)`
      : `the verify step could not compare the servers (${verification.error ?? 'error'})`;
  const outcome: PrecheckOutcome = {
    id: 'switch-verified',
    verdict: 'fail',
    title: 'the target was verified equal to the source',
    evidence,
    remedy:
      'find why the target differs (dcs-migrate status lists the keys), fix it, and start the migration again; the clients stayed on the source',
  };
  refuse(ctx, mode, [outcome], `the clients cannot be switched (cutover.switch): switch-verified: ${evidence}`);
}

/** Before any DCS call: the input's own rules and the passwords (compared on the worker). */
export async function checkSwitchBeforeCreate(ctx: MigrationContext, mode: 'ip' | 'domain'): Promise<void> {
  const { input, state } = ctx;
  if (input.kind !== 'online') return;
  const early = switchEligibility(input);
  const earlyRefusal = switchRefusal(early);
  if (earlyRefusal) refuse(ctx, mode, early, earlyRefusal);
  const { samePassword } = await callActivity(
    state,
    'comparePasswords',
    READ_OPTIONS,
    'Compare the source and target passwords (on the worker)',
    {
      source: input.source.password,
      target: input.target.password,
    },
  );
  const outcomes = switchEligibility(input, { samePassword });
  const refusal = switchRefusal(outcomes);
  if (refusal) refuse(ctx, mode, outcomes, refusal);
}

/** A side's address as the task shows it, or undefined when it shows none or no valid one (no port to compare). */
function hostPortOf(address: string | undefined): HostPort | undefined {
  try {
    return address === undefined ? undefined : parseAddress(address, 'the address DCS shows');
  } catch {
    return undefined;
  }
}

async function readSwitch(ctx: MigrationContext): Promise<SwitchState> {
  return callActivity(
    ctx.state,
    'showSwitchState',
    READ_OPTIONS,
    `Read the IP switch status of ${taskLabel(ctx)}`,
    ctx.state.taskId!,
  );
}

/** Polls `task_status` until it is `wanted`; fails the migration after {@link SWITCH_TIMEOUT_MS}. */
async function waitForSwitchStatus(ctx: MigrationContext, wanted: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    const read = await readSwitch(ctx);
    ctx.state.remoteStatus = read.status;
    if (read.ipSwitchStatus === wanted) return;
    if (Date.now() - started > SWITCH_TIMEOUT_MS) {
      throw workflowFailure(
        `DCS did not report ${wanted} for ${taskLabel(ctx)} (task_status ${read.ipSwitchStatus || 'empty'})`,
        MigrationFailureType.SwitchFailed,
      );
    }
    await sleep(ctx.input.polling.initialInterval);
  }
}

/**
 * A single-attempt switch call; when its answer is lost, a read tells whether DCS took it (`took` statuses), and
 * the call is not repeated if so.
 */
async function switchCall(ctx: MigrationContext, call: () => Promise<unknown>, took: string[]): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (isCancellation(error)) throw error;
    recordError(ctx.state, error, new Date());
    const read = await readSwitch(ctx);
    if (!took.includes(read.ipSwitchStatus)) throw error;
    log.warn('the switch call failed, but DCS shows it accepted', { taskStatus: read.ipSwitchStatus });
  }
}

/** The switch, the check, the rollback window and a rollback if asked for; see the file comment. */
export async function switchClients(ctx: MigrationContext, mode: 'ip' | 'domain'): Promise<SwitchOutcome> {
  const { state, input } = ctx;
  if (input.kind !== 'online') return 'switched';
  const cutover = input.cutover!;
  const taskId = state.taskId!;
  if (patched(Patch.SwitchAfterCleanVerify)) refuseUnverified(ctx, mode);
  const before = await readSwitch(ctx);
  const facts: SwitchPairFacts = {
    ports: { source: hostPortOf(before.source)?.port, target: hostPortOf(before.target)?.port },
  };
  let targetRunId = '';
  if (before.source && before.target) {
    const { servers } = await callActivity(
      state,
      'identifyServers',
      READ_OPTIONS,
      'See which servers answer at the source and target addresses',
      {
        addresses: [before.source, before.target],
        password: input.source.password,
      },
    );
    facts.cluster = { source: servers[0]!.cluster, target: servers[1]!.cluster };
    targetRunId = servers[1]!.runId;
  }
  const outcomes = switchEligibility(input, facts);
  const refusal =
    switchRefusal(outcomes) ??
    (before.source
      ? undefined
      : `the clients cannot be switched: DCS shows no address for the source of ${taskLabel(ctx)}`);
  if (refusal) refuse(ctx, mode, outcomes, refusal);
  const sourceAddress = before.source!;

  const record: MigrationSwitch = {
    mode,
    state: 'switching',
    requestedAt: new Date().toISOString(),
    switches: (state.switch?.switches ?? 0) + 1,
    ...(notPassed(outcomes).length > 0 ? { eligibility: notPassed(outcomes) } : {}),
  };
  state.switch = record;
  enterPhase(ctx, 'switching');
  await switchCall(
    ctx,
    () =>
      callActivity(state, 'exchangeIp', SINGLE_ATTEMPT_OPTIONS, `Switch the clients to the target (${mode})`, taskId, {
        // The same-port check passed, so the source's address parsed.
        exchangedIp: [hostPortOf(sourceAddress)!.host],
        domain: mode === 'domain',
      }),
    [IpSwitchStatus.Exchanging, IpSwitchStatus.ExchangeSuccess],
  );
  await waitForSwitchStatus(ctx, IpSwitchStatus.ExchangeSuccess);
  record.switchedAt = new Date().toISOString();
  const check = await callActivity(
    state,
    'checkSwitched',
    CHECK_OPTIONS,
    "Check that the source's address now reaches the target",
    {
      address: sourceAddress,
      password: input.source.password,
      expectRunId: targetRunId,
      canaryKey: cutover.canaryKey,
      canaryValue: `dcs-migrate switch ${record.switches} of ${ctx.taskName}`,
    },
  );
  record.check = { outcome: check.outcome, evidence: check.evidence };
  record.state = 'switched';
  enterPhase(ctx, 'switched');
  if (check.outcome === 'failed') {
    log.warn('post-switch check failed: rolling back', { evidence: check.evidence });
    record.rollback = { by: 'check', requestedAt: new Date().toISOString(), reason: check.evidence };
  }
  // `cutover.rollback: keep-writes`: a reverse task keeps the source following the target (steps/reverse-sync.ts).
  if (planReverseSync(ctx, record, check)) {
    if ((await rollbackWindowWithReverseSync(ctx, record)) === 'commit') return 'switched';
  } else if (check.outcome !== 'failed' && cutover.rollbackWindow > 0) {
    await condition(() => record.rollback !== undefined, cutover.rollbackWindow);
  }
  if (!record.rollback) return 'switched';

  record.state = 'rolling-back';
  enterPhase(ctx, 'rolling-back');
  await switchCall(
    ctx,
    () => callActivity(state, 'rollbackIp', SINGLE_ATTEMPT_OPTIONS, 'Switch the clients back to the source', taskId),
    [IpSwitchStatus.RollbackSuccess],
  );
  await waitForSwitchStatus(ctx, IpSwitchStatus.RollbackSuccess);
  record.rollback.finishedAt = new Date().toISOString();
  record.state = 'rolled-back';
  publish(ctx);
  await afterRollback(ctx, record);
  if (cutover.afterRollback === 'end') return 'rolled-back';
  // Back to the hold: the task copies again from the source, and a later cutover switches again.
  const restart = await callActivity(
    state,
    'restartTask',
    SINGLE_ATTEMPT_OPTIONS,
    `Restart ${taskLabel(ctx)} after the rollback`,
    taskId,
  );
  // Single attempt: a refusal is DCS's answer to this call, not an earlier attempt's success, so it ends the migration.
  if (!restart.delivered && patched(Patch.FailOnRefusedRestartAfterRollback)) {
    throw workflowFailure(
      `DCS refused to restart ${taskLabel(ctx)} after the rollback: ${restart.errorCode ? `${restart.errorCode} ` : ''}${restart.errorMessage ?? ''}`,
      MigrationFailureType.RestartFailed,
      { taskId, errorCode: restart.errorCode },
    );
  }
  state.cutover = undefined;
  state.timings.holdStartedAt = undefined;
  return 'hold-again';
}

/** The `rollback` update's validator: only in the rollback window, once. */
export function checkRollbackAllowed(ctx: { state: MigrationContext['state'] }): void {
  const { state } = ctx;
  if (state.phase !== 'switched' || !state.switch) {
    throw ApplicationFailure.nonRetryable(
      `rollback is only possible after a client switch, in its rollback window; the migration is ${state.phase}`,
      MigrationFailureType.RollbackRejected,
    );
  }
  if (state.switch.rollback)
    throw ApplicationFailure.nonRetryable('rollback already requested', MigrationFailureType.RollbackRejected);
}
