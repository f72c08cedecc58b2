/**
 * What a migration's Temporal history says about a crash, read after the scenario: when the workflow was open, when
 * a worker completed each of its workflow tasks (which worker, by identity), and how many activity attempts were
 * lost in flight. Event times are the server's clock, the same machine's as the scenario's kill times.
 */
import type { WorkflowHandle } from '@temporalio/client';

export interface MigrationTimeline {
  workflowId: string;
  startedAt: number;
  closedAt: number;
  /** Times of WorkflowTaskCompleted events: the workflow moved on, on some worker. */
  progressAt: number[];
  /** Times of ActivityTaskCompleted events: an activity (a DCS call, a copy step…) got through. */
  activityCompletedAt: number[];
  /** Identities of the workers that started workflow and activity tasks, in event order. */
  workerIdentities: string[];
  /**
   * Activity attempts that never answered: a retried attempt (attempt > 1 on a started event) or a timed-out
   * single-attempt write. Without faults injected, each one is an attempt lost with a killed worker.
   */
  lostActivityAttempts: number;
  /** Activity types of the attempts that timed out without a retry (the single-attempt writes: create, configure, stop). */
  timedOutActivities: string[];
}

function eventMs(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
}

export async function timelineOf(handle: WorkflowHandle): Promise<MigrationTimeline> {
  const events = (await handle.fetchHistory()).events ?? [];
  const timeline: MigrationTimeline = {
    workflowId: handle.workflowId,
    startedAt: eventMs(events[0]?.eventTime),
    closedAt: eventMs(events.at(-1)?.eventTime),
    progressAt: [],
    activityCompletedAt: [],
    workerIdentities: [],
    lostActivityAttempts: 0,
    timedOutActivities: [],
  };
  const activityTypes = new Map<string, string>();
  for (const event of events) {
    if (event.workflowTaskCompletedEventAttributes) timeline.progressAt.push(eventMs(event.eventTime));
    if (event.activityTaskCompletedEventAttributes) timeline.activityCompletedAt.push(eventMs(event.eventTime));
    const started = event.workflowTaskStartedEventAttributes ?? event.activityTaskStartedEventAttributes;
    if (started?.identity) timeline.workerIdentities.push(started.identity);
    if ((event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)
      timeline.lostActivityAttempts += event.activityTaskStartedEventAttributes!.attempt! - 1;
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) activityTypes.set(String(event.eventId), scheduled.activityType?.name ?? '?');
    const timedOut = event.activityTaskTimedOutEventAttributes;
    if (timedOut) {
      timeline.lostActivityAttempts++;
      timeline.timedOutActivities.push(activityTypes.get(String(timedOut.scheduledEventId)) ?? '?');
    }
  }
  return timeline;
}

/**
 * What counts as a migration moving on after a fault: its next completed workflow task (the right test after a
 * worker or server crash: nothing moves until a worker picks it up again), or its next completed activity (after a
 * DCS outage, where the workflow keeps running on timers but its reads only get through again once DCS answers).
 */
export type ProgressKind = 'workflow-task' | 'activity';

/**
 * For a fault at `faultAt` (a kill, or the end of an outage): how long each migration open at that moment took to
 * move on, in ms. A migration whose activity was lost with a killed worker moves on only after that attempt's
 * heartbeat timeout. A migration that closed without moving on counts from its close.
 */
export function recoveriesAfter(
  faultAt: number,
  timelines: MigrationTimeline[],
  progress: ProgressKind = 'workflow-task',
): number[] {
  const recoveries: number[] = [];
  for (const timeline of timelines) {
    if (!(timeline.startedAt < faultAt && timeline.closedAt > faultAt)) continue;
    const times = progress === 'workflow-task' ? timeline.progressAt : timeline.activityCompletedAt;
    const next = times.find((at) => at > faultAt) ?? timeline.closedAt;
    recoveries.push(next - faultAt);
  }
  return recoveries;
}

/**
 * Recovery per fault, the chaos table's figure: for each fault, the slowest of the migrations open at that moment
 * (from the fault to its moving on again); faults that found no migration open are left out. Sorted ascending.
 */
export function recoveryPerFault(
  faultTimes: number[],
  timelines: MigrationTimeline[],
  progress: ProgressKind = 'workflow-task',
): number[] {
  return faultTimes
    .map((at) => recoveriesAfter(at, timelines, progress))
    .filter((recoveries) => recoveries.length > 0)
    .map((recoveries) => Math.max(...recoveries))
    .sort((a, b) => a - b);
}
