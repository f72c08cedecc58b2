/**
 * How the CLI shows a plan (issue 26): its status or result (counts, waves, failures, budget, next step, and the
 * items when asked), and `plan check`'s item × check table of pre-flight outcomes.
 */
import type {
  PlanCutoverRecord,
  PlanEta,
  PlanItemStatus,
  PlanReport,
  PlanResult,
  PlanStatus,
} from '../common/plan-contract.js';
import type { PrecheckOutcome } from '../common/precheck.js';
import { formatDuration, formatTable } from './output.js';

export type PlanView = (PlanStatus | PlanResult) & { execution?: string };

function countsLine(report: PlanReport): string {
  const c = report.counts;
  const parts = [
    `${c.total} items`,
    `${c.pending} pending`,
    `${c.running} running (${c.inSync} in sync)`,
    `${c.succeeded} succeeded`,
    `${c.failed} failed`,
  ];
  if (c.cancelled > 0) parts.push(`${c.cancelled} cancelled`);
  if (c.notStarted > 0) parts.push(`${c.notStarted} not started`);
  return parts.join(' · ');
}

/** `operator at 2026-…`, or `auto deferred to 2026-…`. */
function cutoverText(cutover: PlanCutoverRecord): string {
  const when = cutover.signalledAt ? `at ${cutover.signalledAt}` : `deferred to ${cutover.deferredUntil ?? '?'}`;
  return `${cutover.by} ${when}`;
}

function wavesTable(report: PlanReport): string {
  const rows = report.waves.map((wave) => [
    wave.name,
    wave.state,
    String(wave.total),
    String(wave.running),
    String(wave.inSync),
    String(wave.succeeded),
    String(wave.failed),
    wave.cutover ? cutoverText(wave.cutover) : '-',
  ]);
  return formatTable([['WAVE', 'STATE', 'ITEMS', 'RUNNING', 'IN SYNC', 'SUCCEEDED', 'FAILED', 'CUTOVER'], ...rows]);
}

const MB = 1024 * 1024;

/** `12.0 MB, 30,000 keys`: a source's size as read before the start. */
function sizeText(item: PlanItemStatus): string {
  if (!item.size) return '-';
  const parts = [];
  if (item.size.usedMemoryBytes !== undefined) parts.push(`${(item.size.usedMemoryBytes / MB).toFixed(1)} MB`);
  if (item.size.keys !== undefined) parts.push(`${item.size.keys.toLocaleString('en-US')} keys`);
  return parts.join(', ');
}

/** The item's time to its goal: taken (once there), else estimated now; and what was first estimated. */
function etaCells(item: PlanItemStatus): string[] {
  if (!item.eta) return ['-', '-'];
  const now =
    item.eta.actualMs === undefined ? `~${formatDuration(item.eta.estimateMs)}` : formatDuration(item.eta.actualMs);
  return [now, formatDuration(item.eta.firstEstimateMs)];
}

export function itemsTable(items: PlanItemStatus[]): string {
  const rows = items.map((item) => [
    item.key,
    item.wave,
    item.outcome ?? item.state,
    item.phase ?? '-',
    String(item.attempt),
    sizeText(item),
    ...etaCells(item),
    item.workflowId,
    item.reason ?? '',
  ]);
  const header = ['ITEM', 'WAVE', 'STATE', 'PHASE', 'TRY', 'SOURCE', 'TIME', 'FIRST EST', 'WORKFLOW', 'REASON'];
  return formatTable([header, ...rows]);
}

/**
 * The ETA for people: the predicted end (when, and how long from now), the items left, the rate it rests on
 * (assumed, or learned from N full syncs), and how far the first estimates were off for the items done.
 */
export function etaLines(eta: PlanEta, nowMs: number): string[] {
  const rate = eta.learnedRate;
  const end =
    eta.predictedEnd === undefined
      ? 'no end predicted (nothing will start)'
      : eta.itemsLeft === 0
        ? `ended ${eta.predictedEnd}`
        : `end predicted ${eta.predictedEnd} (in ${formatDuration(Math.max(0, (eta.predictedEndMs ?? nowMs) - nowMs))})`;
  const basis =
    rate.samples === 0 ? 'assumed (no full sync measured yet)' : `learned from ${rate.samples} full sync(s)`;
  const lines = [
    `  eta: ${end}, ${eta.itemsLeft} item(s) left`,
    `  rate: ${(rate.bytesPerSecond / MB).toFixed(2)} MB/s + ${Math.round(rate.keysPerSecond).toLocaleString('en-US')} keys/s, ` +
      `${formatDuration(rate.fixedSyncMs)} fixed per sync, ${formatDuration(rate.overheadMs)} outside the sync; ${basis}` +
      (eta.sized === 0 ? '; no source size read' : ''),
  ];
  const off = eta.firstEstimateErrorPct;
  if (off)
    lines.push(
      `  first estimates off by ${off.medianPct}% (median), ${off.maxPct}% (max) over ${off.items} item(s) done; ` +
        `first predicted end ${eta.firstPredictedEnd ?? '-'}`,
    );
  return lines;
}

/** The plan's status (or result) for people. */
export function planLines(view: PlanView, withItems: boolean): string[] {
  const outcome = 'outcome' in view ? ` (${view.outcome})` : '';
  const phases = Object.entries(view.counts.byPhase)
    .map(([phase, count]) => `${phase} ${count}`)
    .join(', ');
  const lines = [
    `plan ${view.planId}: ${view.state}${outcome}${view.description ? ` — ${view.description}` : ''}`,
    `  ${countsLine(view)}`,
  ];
  if (phases) lines.push(`  running by phase: ${phases}`);
  const { failed, tolerated, left } = view.budget;
  lines.push(`  failure budget: ${failed} failed of ${tolerated} tolerated (${Math.max(0, left)} left)`);
  if (view.halted) lines.push(`  halted at ${view.halted.at}: ${view.halted.reason}`);
  if (view.paused) lines.push(`  paused at ${view.paused.at}: ${view.paused.reason}`);
  if (view.cancel)
    lines.push(`  cancel requested at ${view.cancel.at}: ${view.cancel.reason} (items: ${view.cancel.items})`);
  if (view.cutover) lines.push(`  cutover of the plan: ${cutoverText(view.cutover)}`);
  if (view.eta) lines.push(...etaLines(view.eta, 'finishedAt' in view ? Date.parse(view.finishedAt) : Date.now()));
  lines.push(`  next: ${view.next}`, '', wavesTable(view));
  if (view.failures.length > 0)
    lines.push('', 'failures:', ...view.failures.map((failure) => `  ${failure.key}: ${failure.reason}`));
  if (withItems && view.items) lines.push('', itemsTable(view.items));
  return lines;
}

/** Ended badly: halted, cancelled, or an item failed. */
export function planEndedBadly(view: PlanView): boolean {
  return 'outcome' in view
    ? view.outcome !== 'completed' || view.counts.failed > 0
    : view.execution !== undefined && view.execution !== 'RUNNING';
}

export interface ItemChecks {
  key: string;
  outcomes: PrecheckOutcome[];
  /** The checks could not run (DCS unreachable, a reference that does not resolve). */
  error?: string;
}

const CELL = { pass: 'ok', warn: 'WARN', fail: 'FAIL' } as const;

/** One row per item, one column per check that ran for any item; then each check that did not pass, explained. */
export function checkTable(results: ItemChecks[]): string[] {
  const ids = [...new Set(results.flatMap((result) => result.outcomes.map((outcome) => outcome.id)))];
  const rows = results.map((result) => [
    result.key,
    ...ids.map((id) => {
      const outcome = result.outcomes.find((candidate) => candidate.id === id);
      return result.error ? 'ERROR' : outcome ? CELL[outcome.verdict] : '-';
    }),
  ]);
  const notes = results.flatMap((result) => [
    ...(result.error ? [`  ${result.key}: checks could not run: ${result.error}`] : []),
    ...result.outcomes
      .filter((outcome) => outcome.verdict !== 'pass')
      .map((outcome) => {
        const remedy = outcome.remedy ? ` → ${outcome.remedy}` : '';
        return `  ${result.key} ${outcome.id} ${outcome.verdict.toUpperCase()}: ${outcome.evidence}${remedy}`;
      }),
  ]);
  return [formatTable([['ITEM', ...ids], ...rows]), ...(notes.length > 0 ? ['', ...notes] : [])];
}
