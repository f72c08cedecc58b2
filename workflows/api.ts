/**
 * How workflow code calls activities: with the options from `retry-policy.ts`, a summary shown in the UI next to
 * each call (no secrets), and counting, so the `status` query and the result report API calls and attempts.
 */
import { ActivityFailure, ApplicationFailure, type ActivityOptions } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { Attempted } from '../activities/results.js';
import { READ_OPTIONS } from './retry-policy.js';
import type { MigrationState } from './state.js';

const activities = proxyActivities<Activities>(READ_OPTIONS);

export type ActivityName = keyof Activities;

export async function callActivity<K extends ActivityName>(
  state: MigrationState,
  name: K,
  options: ActivityOptions,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  try {
    const result = await runActivity(name, options, summary, ...args);
    state.apiCalls[name] = (state.apiCalls[name] ?? 0) + 1;
    state.activityAttempts += (result as Attempted).attempts;
    return result;
  } catch (error) {
    state.apiCalls[name] = (state.apiCalls[name] ?? 0) + 1;
    // A failed activity does not report how many attempts it took; count at least the one we know of.
    state.activityAttempts += 1;
    throw error;
  }
}

/** Runs an activity with `options` and a UI summary, without counting it as an API call (`callActivity` counts). */
export function runActivity<K extends ActivityName>(
  name: K,
  options: ActivityOptions,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const activity = activities[name] as unknown as {
    executeWithOptions(options: ActivityOptions, args: unknown[]): Promise<Awaited<ReturnType<Activities[K]>>>;
  };
  return activity.executeWithOptions({ ...options, summary }, args);
}

/** True when the failure will not go away by trying again (a 4xx, bad input, a refused secret). */
export function isPermanentFailure(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

/** The failure type of an activity error (`DcsNotFoundError`, …), or undefined for timeouts and cancellations. */
export function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}
