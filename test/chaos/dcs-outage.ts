/**
 * DCS out of reach while many migrations hold in the incremental state (issue 28), on one worker with production
 * settings (its DCS client throttle, `dcs/throttle.ts`; the workflow's outage tolerance, `steps/outage.ts`):
 *
 * - `dcs-down`: the endpoint resets every connection (`emu.endpoint.down('reset')`: to the client, no answer,
 *   like a refused connection; the emulator counts each attempt) for `faultMs`;
 * - `dcs-throttled`: the gateway answers every call HTTP 429 `APIGW.0308` ("…limit:1000,time:1 minute", the
 *   emulator's own per-tenant limit, which normal traffic stays well under) for `faultMs`.
 *
 * Then each migration is cut over (the `cutover` signal) once DCS has answered again for a while.
 * Invariants: every migration completes with one remote task; the calls that reach DCS during the fault are no
 * more per minute than before it (no retry storm); DCS answers again within a hold or two of the fault's end.
 * Figures: calls per minute before, during and after the fault, calls per migration (the emulator's count and the
 * workflows'), and how soon after the fault DCS was called again.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { cutoverSignal, statusQuery } from '../../common/workflow-contract.js';
import { THROTTLE_HOLD } from '../../dcs/throttle.js';
import type { RequestLogEntry } from '../../emulator/index.js';
import { percentile } from '../support/percentile.js';
import { chaosInput, sleep, startChaosStack, waitUntil, type ChaosStack } from './harness.js';
import { recoveriesAfter, recoveryPerFault, timelineOf } from './histories.js';
import { settleMigrations } from './outcomes.js';
import { formatSeconds, scenarioReport, type ScenarioReport } from './report.js';

export type OutageKind = 'down' | 'throttled';

export interface DcsOutageOptions {
  kind: OutageKind;
  migrations: number;
  /** How long DCS is out of reach. */
  faultMs: number;
  /** Normal operation measured before the fault, and after it before the cutover. */
  measureMs: number;
  /** The migrations' longest wait between reads (the quiet hold reads every 3 × this). */
  maxPollInterval: string;
  seed: number;
  workflowBundle: string;
  settleTimeoutMs: number;
}

/** The tenant's limit: the message of the injected 429s names it; normal traffic stays far below it. */
const TENANT_LIMIT = { limit: 1_000, windowMs: 60_000 };

export async function dcsOutageScenario(options: DcsOutageOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const name = options.kind === 'down' ? 'dcs-down' : 'dcs-throttled';
  const stack = await startChaosStack({
    name,
    workflowBundle: options.workflowBundle,
    sourceKeys: 200,
    seed: options.seed,
    rateLimit: TENANT_LIMIT,
    requestLogCapacity: 200_000,
  });
  let faultActive = false;
  try {
    await stack.startWorker('w');
    const handles: WorkflowHandle[] = [];
    for (let index = 0; index < options.migrations; index++) {
      // Reads every few seconds while the status changes, then a quiet hold; no deadline: cut over by signal.
      const input = chaosInput('incremental', {
        polling: {
          initialInterval: '1s',
          maxInterval: options.maxPollInterval,
          backoffFactor: 1.5,
          pollsPerRun: 2_000,
        },
        hold: { maxDuration: '2h' },
      });
      handles.push(await stack.start(input, `chaos-${name}-${options.seed}-${index}`));
    }
    // Generous: 50 migrations on a loaded 2-core machine take minutes to get there.
    const inHold = await waitUntil(() => allHolding(stack, handles), 300_000, 500);
    if (!inHold) throw new Error('the migrations did not all reach the incremental hold within 5 minutes');
    const beforeFrom = Date.now();
    await sleep(options.measureMs);

    const faultFrom = Date.now();
    faultActive = true;
    if (options.kind === 'down') await stack.emu.endpoint.down('reset');
    else stack.emu.faults.add({ operation: '*', status: 429 });
    await sleep(options.faultMs);
    if (options.kind === 'down') await stack.emu.endpoint.up();
    else stack.emu.faults.clear();
    faultActive = false;
    const faultTo = Date.now();
    await sleep(options.measureMs);
    const afterTo = Date.now();

    for (const handle of handles) await handle.signal(cutoverSignal, { note: `chaos ${name}: after the fault` });
    const outcomes = await settleMigrations(
      stack,
      handles.map((handle) => ({ handle, expect: 'complete' as const })),
      options.settleTimeoutMs,
    );
    const cutoverMs = Date.now() - afterTo;

    const requests = stack.emu.requests().filter((entry) => entry.operation !== undefined);
    const resets = stack.emu.endpoint.resetConnections();
    const at = (entry: RequestLogEntry) => Date.parse(entry.time);
    const inWindow = (from: number, to: number) => requests.filter((entry) => at(entry) >= from && at(entry) < to);
    const duringCalls =
      inWindow(faultFrom, faultTo).length + resets.filter((time) => time >= faultFrom && time < faultTo).length;
    const before = perMinute(inWindow(beforeFrom, faultFrom).length, faultFrom - beforeFrom);
    const during = perMinute(duringCalls, faultTo - faultFrom);
    const after = perMinute(inWindow(faultTo, afterTo).length, afterTo - faultTo);
    const firstAnswer = inWindow(faultTo, Infinity).find((entry) => entry.status !== 429 && entry.status !== 0);
    const answeredAgainMs = firstAnswer ? at(firstAnswer) - faultTo : undefined;
    const workflowCalls = outcomes.map((o) =>
      Object.values(o.result?.apiCalls ?? {}).reduce((sum, calls) => sum + calls, 0),
    );
    const attempts = outcomes.map((o) => o.result?.activityAttempts ?? 0);
    // Recovery from the fault's end (its length is not recovery) to each migration's next read that got through.
    const timelines = await Promise.all(handles.map((handle) => timelineOf(handle)));
    const perMigration = recoveriesAfter(faultTo, timelines, 'activity').sort((a, b) => a - b);
    const faultCalls =
      options.kind === 'down' ? resets.length : requests.filter((entry) => entry.status === 429).length;

    const problems: string[] = [];
    if (faultCalls === 0) problems.push('no call met the fault: the scenario did not test it');
    // Bounded: the calls in flight when the fault began (about one per migration), the few that tell the worker
    // DCS is down, then one probe per hold, however many migrations wait.
    const bound = options.migrations + 3 + holdsWithin(options.faultMs);
    if (duringCalls > bound)
      problems.push(`retry storm: ${duringCalls} calls reached DCS during the fault (bound ${bound})`);
    if (during > before)
      problems.push(`retry storm: ${fmt(during)} calls/min during the fault against ${fmt(before)} before`);
    if (answeredAgainMs === undefined || answeredAgainMs > 75_000) {
      problems.push(
        `DCS was not called successfully within 75 s of the fault's end (${answeredAgainMs ?? 'never'} ms)`,
      );
    }
    return scenarioReport(
      options.kind === 'down'
        ? `DCS endpoint down ${formatSeconds(options.faultMs)}`
        : `DCS throttling (429) ${formatSeconds(options.faultMs)}`,
      outcomes,
      Date.now() - started,
      {
        'calls/min before': fmt(before),
        'calls/min during': fmt(during),
        'calls/min after': fmt(after),
        [options.kind === 'down' ? 'connections reset' : 'answered 429']: faultCalls,
        'calls during / bound': `${duringCalls} / ${options.migrations + 3 + holdsWithin(options.faultMs)}`,
        'per migration per min during': fmt(during / options.migrations),
        'answered again after': answeredAgainMs === undefined ? 'never' : formatSeconds(answeredAgainMs),
        'recovery per migration p50': formatSeconds(percentile(perMigration, 50)),
        'cutover → all done': formatSeconds(cutoverMs),
        'DCS requests per migration': fmt(requests.length / options.migrations),
        'workflow calls / attempts per migration': `${fmt(mean(workflowCalls))} / ${fmt(mean(attempts))}`,
      },
      problems,
      recoveryPerFault([faultTo], timelines, 'activity'),
    );
  } finally {
    if (faultActive) await stack.emu.endpoint.up().catch(() => undefined);
    await stack.teardown();
  }
}

/** Every migration's remote task is in the incremental state, and its workflow has seen it. */
async function allHolding(stack: ChaosStack, handles: WorkflowHandle[]): Promise<boolean> {
  const phases = await Promise.all(
    handles.map((handle) =>
      handle.query(statusQuery).then(
        (status) => status.phase,
        () => 'unknown',
      ),
    ),
  );
  return phases.every((phase) => phase === 'incremental-hold') && stack.emu.tasks().length >= handles.length;
}

/** Holds of the worker's throttle that fit in `ms` at their shortest (jitter halves a step): probes at most. */
function holdsWithin(ms: number): number {
  let holds = 0;
  for (let elapsed = 0, attempt = 1; elapsed < ms; attempt++, holds++) {
    elapsed += Math.min(THROTTLE_HOLD.maxMs, THROTTLE_HOLD.initialMs * THROTTLE_HOLD.factor ** (attempt - 1)) / 2;
  }
  return holds + 1;
}

function perMinute(count: number, ms: number): number {
  return ms > 0 ? (count * 60_000) / ms : 0;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function fmt(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
