/**
 * The soak (issue 28): everything the chaos scenarios do one at a time, together and for long. Over `durationMs`
 * migrations of mixed kinds start one by one (full; incremental ended by its hold deadline; incremental cut over by
 * signal; incremental cancelled in its hold) and one plan; meanwhile a worker is killed with SIGKILL every
 * `killEveryMs` and restarted, the Temporal server is restarted every `serverRestartEveryMs` (SIGTERM and SIGKILL
 * by turns), a share of the DCS calls is answered HTTP 500 throughout, the DCS endpoint goes down once, and the
 * emulator itself is restarted once (on its data dir). Then every migration is waited for.
 *
 * Two workers share the task queue: `victim` is the one killed; `stable` lives through the whole run, so its RSS
 * over time says whether the worker leaks.
 *
 * Invariants: every migration ends as its kind expects (succeeded, cut over, cancelled) with exactly one remote
 * task; the plan completes with every item succeeded; every target equals the source; the stable worker survived.
 * Figures: recovery per kill, per server restart and after the outage and the emulator restart; API calls per
 * migration; worker RSS over time and its growth after the warm-up; notice lag p50/p99 of the full migrations.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { InvalidMigrationInputError, type MigrationInputFile } from '../../common/migration-input.js';
import { PLAN_WORKFLOW_TYPE, type PlanResult } from '../../common/plan-contract.js';
import { validatePlan } from '../../common/plan-input.js';
import { buildPlanStartOptions } from '../../common/plan-start-options.js';
import { DcsPhase } from '../../common/search-attributes.js';
import { seededRandom } from '../../common/seeded-random.js';
import { cancelSignal, cutoverSignal } from '../../common/workflow-contract.js';
import type { RequestLogEntry } from '../../emulator/index.js';
import { compareRedis } from '../../verify/compare.js';
import { noticedAt } from '../support/notice-lag.js';
import { percentile } from '../support/percentile.js';
import { processUsage } from '../support/process-usage.js';
import { chaosInput, sleep, startChaosStack, type ChaosStack } from './harness.js';
import { recoveryPerFault, timelineOf } from './histories.js';
import { settleMigrations, type MigrationOutcome, type TrackedMigration } from './outcomes.js';
import { formatSeconds, scenarioReport, type ScenarioReport } from './report.js';

export interface SoakOptions {
  /** How long migrations keep starting and faults keep coming; the settling comes after. */
  durationMs: number;
  migrations: number;
  killEveryMs: number;
  serverRestartEveryMs: number;
  /** Share of DCS calls answered HTTP 500, the whole run (0.1: 10 %). */
  apiFaultRate: number;
  /** The one DCS outage (every connection reset). */
  outageMs: number;
  /** Items of the plan (each into its own target instance). */
  planItems: number;
  /** How often the stable worker's RSS is sampled and a progress line printed. */
  sampleEveryMs: number;
  /** RSS growth is measured from this moment on. */
  warmupMs: number;
  seed: number;
  workflowBundle: string;
  settleTimeoutMs: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

type Kind = 'full' | 'hold-deadline' | 'cutover' | 'cancel';

/** Of every ten migrations: four full, two ended by their hold deadline, three cut over, one cancelled. */
const KIND_PATTERN: Kind[] = [
  'full',
  'cutover',
  'full',
  'hold-deadline',
  'full',
  'cutover',
  'full',
  'cancel',
  'hold-deadline',
  'cutover',
];

interface Soaked {
  handle: WorkflowHandle;
  kind: Kind;
  /** When the cutover or cancel is due (once the migration holds). */
  actionAt?: number;
  actionDone?: boolean;
}

interface FaultLog {
  kills: number[];
  serverStops: number[];
  outageEnd?: number;
  emulatorBack?: number;
  /** Request logs of the emulator incarnations that were stopped. */
  earlierRequests: RequestLogEntry[];
  problems: string[];
}

export async function soakScenario(options: SoakOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const planTargets = Array.from({ length: options.planItems }, (_, index) => `plan-${index}`);
  const stack = await startChaosStack({
    name: 'soak',
    workflowBundle: options.workflowBundle,
    persistent: true,
    persistentEmulator: true,
    extraTargets: planTargets,
    sourceKeys: 300,
    seed: options.seed,
    requestLogCapacity: 2_000_000,
  });
  const faults: FaultLog = { kills: [], serverStops: [], earlierRequests: [], problems: [] };
  try {
    const stable = await stack.startWorker('stable');
    let victim = await stack.startWorker('victim');
    stack.emu.faults.add({ operation: '*', probability: options.apiFaultRate, status: 500 });
    const migrations: Soaked[] = [];
    const closed = new Set<string>();
    const rss: Array<{ atMs: number; bytes: number }> = [];
    let plan: WorkflowHandle | undefined;

    const at = (fraction: number) => started + fraction * options.durationMs;
    const events: Array<{ at: number; run: () => Promise<void> }> = [];
    for (let index = 0; index < options.migrations; index++) {
      const kind = KIND_PATTERN[index % KIND_PATTERN.length]!;
      const startAt = at((0.8 * (index + random())) / options.migrations);
      events.push({
        at: startAt,
        run: async () => {
          const handle = await startRetrying(
            stack,
            inputOf(kind, options.durationMs, random),
            `soak-${options.seed}-${index}`,
          );
          const soaked: Soaked = { handle, kind };
          if (kind === 'cutover' || kind === 'cancel')
            soaked.actionAt = Date.now() + (0.03 + 0.1 * random()) * options.durationMs;
          migrations.push(soaked);
          void handle.result().then(
            () => closed.add(handle.workflowId),
            () => closed.add(handle.workflowId),
          );
        },
      });
    }
    events.push({
      at: at(0.2),
      run: async () => {
        plan = await startPlan(stack, `soak-plan-${options.seed}`, planTargets);
        log(`plan ${plan.workflowId} started (${planTargets.length} items)`);
      },
    });
    for (let kill = options.killEveryMs; kill < options.durationMs; kill += options.killEveryMs) {
      events.push({
        at: started + kill,
        run: async () => {
          faults.kills.push(Date.now());
          await victim.process.kill();
          victim = await stack.startWorker('victim');
          log(`worker killed (kill ${faults.kills.length}), a new one started`);
        },
      });
    }
    let restarts = 0;
    for (
      let restart = options.serverRestartEveryMs;
      restart < options.durationMs;
      restart += options.serverRestartEveryMs
    ) {
      events.push({
        at: started + restart,
        run: async () => {
          const how = restarts++ % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
          faults.serverStops.push(Date.now());
          const { restartMs } = await stack.restartServer(how, 3_000);
          log(`Temporal server stopped (${how}), down 3 s, back in ${formatSeconds(restartMs)}`);
        },
      });
    }
    events.push({ at: at(0.4), run: () => dcsOutage(stack, options.outageMs, faults, log) });
    events.push({ at: at(0.55), run: () => restartEmulator(stack, options.apiFaultRate, faults, log) });
    events.sort((a, b) => a.at - b.at);

    const stopLoops = new AbortController();
    const sampler = sampleLoop(options.sampleEveryMs, stopLoops.signal, async () => {
      const usage = await processUsage(stable.process.pid).catch(() => undefined);
      if (usage) rss.push({ atMs: Date.now() - started, bytes: usage.rssBytes });
      log(
        `[${minutes(Date.now() - started)}] started ${migrations.length}/${options.migrations}, ended ${closed.size}, ` +
          `kills ${faults.kills.length}, server restarts ${faults.serverStops.length}, stable worker RSS ${mb(usage?.rssBytes ?? 0)} MB`,
      );
    });
    const actions = sampleLoop(2_000, stopLoops.signal, () => runDueActions(migrations, closed));
    for (const event of events) {
      await sleep(Math.max(0, event.at - Date.now()));
      await event.run().catch((error: unknown) => {
        faults.problems.push(`an event failed: ${String(error)}`);
        log(`an event failed: ${String(error)}`);
      });
    }
    await sleep(Math.max(0, started + options.durationMs - Date.now()));
    log(`[${minutes(Date.now() - started)}] faults over; waiting for the migrations to end`);

    const tracked: TrackedMigration[] = migrations.map(({ handle, kind }) => ({
      handle,
      expect: kind === 'cancel' ? { failureType: 'CancelledFailure' } : 'complete',
    }));
    const outcomes = await settleMigrations(stack, tracked, options.settleTimeoutMs);
    const planOutcomes = await settlePlan(stack, plan, planTargets.length, options.settleTimeoutMs, faults.problems);
    stopLoops.abort();
    await Promise.all([sampler, actions]);
    const samplesDone = rss.length;
    if (stable.process.child.exitCode !== null || stable.process.child.signalCode !== null)
      faults.problems.push(`the stable worker exited (code ${stable.process.child.exitCode}); see ${stable.logFile}`);
    const unacted = migrations.filter((m) => m.actionAt !== undefined && !m.actionDone).length;
    if (unacted > 0) faults.problems.push(`${unacted} cutovers or cancels were never sent`);
    return await summarize(stack, {
      migrations,
      outcomes,
      planOutcomes,
      faults,
      rss: rss.slice(0, samplesDone),
      options,
      started,
    });
  } finally {
    await stack.teardown();
  }
}

function inputOf(kind: Kind, durationMs: number, random: () => number): MigrationInputFile {
  // Reads back off to 10 s (a production-like pace, so an hour's calls mean something); one run per history, so
  // the recovery analysis sees the whole migration.
  const polling = { initialInterval: '1s', maxInterval: '10s', backoffFactor: 1.5, pollsPerRun: 2_000 };
  if (kind === 'full') return chaosInput('full', { polling });
  const holdMs = Math.round((0.01 + 0.04 * random()) * durationMs);
  return chaosInput('incremental', {
    polling,
    hold: kind === 'hold-deadline' ? { maxDuration: `${holdMs}ms` } : { maxDuration: '24h' },
    deleteOnCancel: false,
  });
}

/** Starts a migration, riding out a server restart (a start already recorded is found, not repeated). */
async function startRetrying(
  stack: ChaosStack,
  input: MigrationInputFile,
  workflowId: string,
): Promise<WorkflowHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await stack.start(input, workflowId);
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return stack.client.workflow.getHandle(workflowId);
      if (error instanceof InvalidMigrationInputError || attempt >= 30) throw error;
      await sleep(2_000);
    }
  }
}

async function startPlan(
  stack: ChaosStack,
  planId: string,
  targets: string[],
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const { target: _target, ...defaults } = chaosInput('full', {
    polling: { initialInterval: '1s', maxInterval: '10s', pollsPerRun: 2_000 },
  }) as MigrationInputFile & { target: unknown };
  const { plan } = validatePlan({
    id: planId,
    defaults: { ...defaults, target: { password: { env: 'TARGET_REDIS_PASSWORD' } } },
    items: targets.map((instanceId, index) => ({ key: `item-${index}`, target: { instanceId } })),
  });
  for (let attempt = 1; ; attempt++) {
    try {
      return await stack.client.workflow.start(
        PLAN_WORKFLOW_TYPE,
        buildPlanStartOptions({ plan, planId, taskQueue: stack.taskQueue }),
      );
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(2_000);
    }
  }
}

/** The plan's own result, then its items' migrations as outcomes (their remote tasks counted like the others'). */
async function settlePlan(
  stack: ChaosStack,
  plan: WorkflowHandle | undefined,
  items: number,
  timeoutMs: number,
  problems: string[],
): Promise<MigrationOutcome[]> {
  if (!plan) {
    problems.push('the plan was never started');
    return [];
  }
  const result = (await Promise.race([plan.result(), sleep(timeoutMs).then(() => undefined)]).catch(
    (error: unknown) => {
      problems.push(`the plan failed: ${String(error)}`);
      return undefined;
    },
  )) as PlanResult | undefined;
  if (!result) {
    problems.push('the plan did not end in time');
    return [];
  }
  if (result.outcome !== 'completed') problems.push(`the plan ended ${result.outcome}`);
  if (result.items.length !== items) problems.push(`the plan has ${result.items.length} items, not ${items}`);
  const tracked = result.items.map((item) => ({
    handle: stack.client.workflow.getHandle(item.workflowId),
    expect: 'complete' as const,
  }));
  return settleMigrations(stack, tracked, 60_000);
}

async function dcsOutage(stack: ChaosStack, outageMs: number, faults: FaultLog, log: (line: string) => void) {
  await stack.emu.endpoint.down('reset');
  log(`DCS endpoint down (every connection reset) for ${formatSeconds(outageMs)}`);
  try {
    await sleep(outageMs);
  } finally {
    await stack.emu.endpoint.up();
  }
  faults.outageEnd = Date.now();
  log(`DCS endpoint up again (${stack.emu.endpoint.resetConnections().length} connections reset)`);
}

async function restartEmulator(stack: ChaosStack, apiFaultRate: number, faults: FaultLog, log: (line: string) => void) {
  const { restartMs, requests } = await stack.restartEmulator(2_000);
  faults.earlierRequests.push(...requests);
  // Faults are not part of the emulator's saved state: the new one gets the same rule.
  stack.emu.faults.add({ operation: '*', probability: apiFaultRate, status: 500 });
  faults.emulatorBack = Date.now();
  log(`emulator stopped, down 2 s, back in ${formatSeconds(restartMs)} with ${stack.emu.tasks().length} tasks`);
}

/** Cutovers and cancels that are due, sent once the migration holds (a describe: no worker needed). */
async function runDueActions(migrations: Soaked[], closed: Set<string>): Promise<void> {
  const due = migrations.filter((m) => m.actionAt !== undefined && !m.actionDone && m.actionAt <= Date.now());
  for (const migration of due) {
    if (closed.has(migration.handle.workflowId)) {
      migration.actionDone = true;
      continue;
    }
    const description = await migration.handle.describe().catch(() => undefined);
    if (description?.typedSearchAttributes.get(DcsPhase) !== 'incremental-hold') continue;
    const sent =
      migration.kind === 'cancel'
        ? migration.handle.signal(cancelSignal, { reason: 'soak: cancelled in its hold', delete: false })
        : migration.handle.signal(cutoverSignal, { note: 'soak: cutover' });
    migration.actionDone = await sent.then(
      () => true,
      () => false,
    );
  }
}

/** Runs `tick` every `everyMs` until `signal` aborts; a tick's failure is ignored (the next one tries again). */
async function sampleLoop(everyMs: number, signal: AbortSignal, tick: () => Promise<void>): Promise<void> {
  while (!signal.aborted) {
    await tick().catch(() => undefined);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, everyMs);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

interface SummaryInput {
  migrations: Soaked[];
  outcomes: MigrationOutcome[];
  planOutcomes: MigrationOutcome[];
  faults: FaultLog;
  rss: Array<{ atMs: number; bytes: number }>;
  options: SoakOptions;
  started: number;
}

async function summarize(stack: ChaosStack, input: SummaryInput): Promise<ScenarioReport> {
  const { migrations, outcomes, planOutcomes, faults, rss, options } = input;
  const all = [...outcomes, ...planOutcomes];
  const handles = [
    ...migrations.map((m) => m.handle),
    ...planOutcomes.map((o) => stack.client.workflow.getHandle(o.workflowId)),
  ];
  const timelines = await Promise.all(handles.map((handle) => timelineOf(handle).catch(() => undefined)));
  const known = timelines.filter((t) => t !== undefined);
  const perKill = recoveryPerFault(faults.kills, known);
  const perServerRestart = recoveryPerFault(faults.serverStops, known);
  const afterOutage = faults.outageEnd ? recoveryPerFault([faults.outageEnd], known, 'activity') : [];
  const afterEmulator = faults.emulatorBack ? recoveryPerFault([faults.emulatorBack], known, 'activity') : [];

  let differences = 0;
  const source = stack.emu.instance('source').endpoint;
  for (const target of ['target', ...Array.from({ length: options.planItems }, (_, i) => `plan-${i}`)])
    differences += (await compareRedis(source, stack.emu.instance(target).endpoint)).totalDifferences;
  if (differences > 0) faults.problems.push(`targets differ from the source: ${differences} differences`);

  const requests = [...faults.earlierRequests, ...stack.emu.requests()].filter((r) => r.operation !== undefined);
  const lags = await noticeLags(stack, all);
  const warm = rss.find((sample) => sample.atMs >= options.warmupMs);
  const afterWarm = rss.filter((sample) => sample.atMs >= options.warmupMs).map((sample) => sample.bytes);
  const growth = warm && afterWarm.length > 0 ? (Math.max(...afterWarm) - warm.bytes) / warm.bytes : NaN;
  const byKind = (kind: Kind) => migrations.filter((m) => m.kind === kind).length;
  return scenarioReport(
    `soak ${minutes(options.durationMs)}`,
    all,
    Date.now() - input.started,
    {
      'kinds (full / hold deadline / cutover / cancel / plan items)': `${byKind('full')} / ${byKind('hold-deadline')} / ${byKind('cutover')} / ${byKind('cancel')} / ${planOutcomes.length}`,
      'worker kills': faults.kills.length,
      'server restarts': faults.serverStops.length,
      'recovery per server restart p50 / max': pair(perServerRestart),
      'DCS outage': formatSeconds(options.outageMs),
      'recovery after the outage': pair(afterOutage),
      'recovery after the emulator restart': pair(afterEmulator),
      'API faults': `${Math.round(options.apiFaultRate * 100)} % answered 500: ${requests.filter((r) => r.status === 500).length}`,
      'API calls per migration': (requests.length / Math.max(1, all.length)).toFixed(1),
      'key differences': differences,
      'notice lag p50 / p99 (full, SUCCESS)':
        lags.length > 0 ? `${formatSeconds(percentile(lags, 50))} / ${formatSeconds(percentile(lags, 99))}` : '—',
      'stable worker RSS (MB) over time': rssLine(rss),
      'RSS growth after warm-up': Number.isNaN(growth)
        ? '—'
        : `${(growth * 100).toFixed(1)} % (from ${minutes(options.warmupMs)})`,
    },
    faults.problems,
    perKill,
  );
}

/** Remote SUCCESS (the task's last change in the emulator) → the workflow's record of it, for full migrations. */
async function noticeLags(stack: ChaosStack, outcomes: MigrationOutcome[]): Promise<number[]> {
  const lags: number[] = [];
  for (const outcome of outcomes) {
    if (outcome.result?.remoteStatus !== 'SUCCESS') continue;
    const task = stack.remoteTasksOf(outcome.workflowId)[0];
    const noticed = await noticedAt(stack.client.workflow.getHandle(outcome.workflowId), 'SUCCESS').catch(
      () => undefined,
    );
    if (task && noticed !== undefined) lags.push(Math.max(0, noticed - Date.parse(task.updatedAt)));
  }
  return lags.sort((a, b) => a - b);
}

/** At most a dozen samples, evenly spread: `0m 96, 5m 131, …`. */
function rssLine(rss: Array<{ atMs: number; bytes: number }>): string {
  if (rss.length === 0) return '—';
  const step = Math.max(1, Math.ceil(rss.length / 12));
  const picked = rss.filter((_, index) => index % step === 0 || index === rss.length - 1);
  return picked.map((sample) => `${minutes(sample.atMs)} ${mb(sample.bytes)}`).join(', ');
}

function pair(values: number[]): string {
  if (values.length === 0) return '—';
  const sorted = [...values].sort((a, b) => a - b);
  return `${formatSeconds(percentile(sorted, 50))} / ${formatSeconds(percentile(sorted, 100))}`;
}

function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(ms < 600_000 ? 1 : 0)}m`;
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}
