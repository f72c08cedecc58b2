/**
 * The migration's metrics, emitted from workflow code through the workflow's `metricMeter` (names and meanings:
 * `common/migration-metrics.ts`). The SDK drops metric calls made while a workflow replays and they add no
 * commands to history, so none of this changes what replays, and a replay (a restart, a cache eviction) counts
 * nothing twice: no `patched()` needed.
 *
 * Gauges are set from the state, which is carried across restarts and continue-as-new, so after a replay the
 * first new workflow task re-emits every one of them on the worker now running the migration.
 */
import type { MetricMeter } from '@temporalio/common';
import { metricMeter, workflowInfo } from '@temporalio/workflow';
import { classifyStatus, TASK_STATUSES } from '../common/dcs-status.js';
import {
  METRIC_PHASES,
  MIGRATION_METRICS as M,
  type MetricSpec,
  type MigrationLabels,
} from '../common/migration-metrics.js';
import type { MigrationInput } from '../common/migration-input.js';
import { migrationTypeOf } from './migration-type.js';
import type { MigrationState } from './state.js';

/** The part of the migration's context the metrics read (`MigrationContext` has it; importing that would be a cycle). */
export interface MeteredRun {
  readonly input: MigrationInput;
  readonly state: MigrationState;
  readonly taskName: string;
}

/** What this run has emitted on this worker: the state sets are re-sent only when their value changes. */
interface Emitted {
  phase?: string;
  remoteStatus?: string;
}

/** Keyed by the run's state object: one per run, replaced by continue-as-new. */
const emittedByRun = new WeakMap<MigrationState, Emitted>();

function replaying(): boolean {
  return workflowInfo().unsafe.isReplaying;
}

function labelsOf(ctx: MeteredRun): MigrationLabels {
  return { migration_id: workflowInfo().workflowId, task_name: ctx.taskName, kind: migrationTypeOf(ctx.input) };
}

function meterOf(ctx: MeteredRun): MetricMeter {
  return metricMeter.withTags({ ...labelsOf(ctx) });
}

function gauge(meter: MetricMeter, spec: MetricSpec, valueType: 'int' | 'float' = 'float') {
  return meter.createGauge(spec.name, valueType, spec.unit, spec.help);
}

const seconds = (iso: string | undefined): number | undefined =>
  iso === undefined ? undefined : Date.parse(iso) / 1000;

/** Sets every gauge from the state (called by `publish()`, so on every change the UI sees too). */
export function emitMigrationMetrics(ctx: MeteredRun): void {
  if (replaying()) return;
  const { state } = ctx;
  const meter = meterOf(ctx);
  let emitted = emittedByRun.get(state);
  if (!emitted) emittedByRun.set(state, (emitted = {}));

  // State sets: every phase (status) has a series, 1 for the current one, so `== 1` selects it and a phase left
  // on this worker reads 0, not a stale 1.
  if (emitted.phase !== state.phase) {
    const phases = gauge(meter, M.phase, 'int');
    for (const phase of METRIC_PHASES) phases.set(phase === state.phase ? 1 : 0, { phase });
    emitted.phase = state.phase;
  }
  if (state.remoteStatus !== undefined && emitted.remoteStatus !== state.remoteStatus) {
    const statuses = gauge(meter, M.remoteStatus, 'int');
    for (const status of new Set<string>([
      ...TASK_STATUSES,
      state.remoteStatus,
      ...(emitted.remoteStatus ? [emitted.remoteStatus] : []),
    ])) {
      statuses.set(status === state.remoteStatus ? 1 : 0, { status, status_class: classifyStatus(status) });
    }
    emitted.remoteStatus = state.remoteStatus;
  }

  const progress = state.progress;
  const set = (spec: MetricSpec, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) gauge(meter, spec).set(value);
  };
  set(M.fullSyncProgress, progress?.fullMigrationProgress);
  set(M.syncOffset, progress?.offset);
  set(M.sourceKeys, progress?.sourceDbSize);
  set(M.targetKeys, progress?.targetDbSize);
  set(M.lastStatusRead, seconds(state.statusReadAt));
  set(M.phaseEntered, seconds(state.phaseSince ?? state.timings.startedAt));
  set(M.fullSyncEta, fullSyncEta(ctx));
  // The rollback window's reverse task (steps/reverse-sync.ts): its lag, and whether a rollback now keeps writes.
  const reverse = state.switch?.reverse;
  if (reverse) {
    const inWindow = state.phase === 'switched' || state.phase === 'rolling-back';
    set(M.reverseSyncOffset, inWindow ? reverse.offset : undefined);
    gauge(meter, M.rollbackKeepsWrites, 'int').set(inWindow && reverse.keepsWrites ? 1 : 0);
  }
}

/** At the average pace since the copy began: elapsed × (100 − p) / p from now; none before the first percent. */
function fullSyncEta({ state }: MeteredRun): number | undefined {
  const percent = state.progress?.fullMigrationProgress;
  const began = seconds(state.timings.migratingAt);
  if (state.phase !== 'migrating' || percent === undefined || percent <= 0 || percent >= 100 || began === undefined)
    return undefined;
  const now = Date.now() / 1000;
  return now + ((now - began) * (100 - percent)) / percent;
}

/** A poll whose reads all failed: counted, and the gauges re-sent (a restarted worker has none until then). */
export function countFailedPoll(ctx: MeteredRun): void {
  if (replaying()) return;
  meterOf(ctx).createCounter(M.failedPolls.name, M.failedPolls.unit, M.failedPolls.help).add(1);
  emitMigrationMetrics(ctx);
}

/**
 * Called by `enterPhase()` on a change: records how long the phase just left lasted (a fleet-wide histogram by
 * phase and kind) and remembers when the new one began.
 */
export function notePhaseChange(ctx: MeteredRun, left: string): void {
  const { state } = ctx;
  const now = Date.now();
  const since = Date.parse(state.phaseSince ?? state.timings.startedAt);
  state.phaseSince = new Date(now).toISOString();
  if (replaying() || !Number.isFinite(since)) return;
  metricMeter
    .createHistogram(M.phaseDuration.name, 'float', M.phaseDuration.unit, M.phaseDuration.help)
    .record(Math.max(0, now - since) / 1000, { phase: left, kind: migrationTypeOf(ctx.input) });
}

/**
 * For the cutover-window step: publishes when the window the migration must cut over in closes (epoch ms), so
 * the `DcsMigrationCutoverWindowMissed` rule can compare it with the phase.
 */
export function emitCutoverWindowEnd(ctx: MeteredRun, closesAtMs: number): void {
  if (replaying()) return;
  gauge(meterOf(ctx), M.cutoverWindowEnd).set(closesAtMs / 1000);
}
