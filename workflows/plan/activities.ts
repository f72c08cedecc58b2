/**
 * The plan's activities, as the workflow calls them: the plan's validation (a local activity: the schema library
 * stays out of the sandbox, as for the migration input) and the read of its items' workflows.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { CancellationScope, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { PlanActivities } from '../../activities/plan-items.js';
import { PlanFailureType } from '../../common/plan-contract.js';
import type { PlanPolicy } from '../../common/plan-input.js';

const local = proxyLocalActivities<PlanActivities>({
  // A plan of thousands of items is validated item by item: seconds, not milliseconds.
  startToCloseTimeout: '2m',
  // Only a crash of the worker mid-call retries; a refusal is non-retryable.
  retry: { maximumAttempts: 3 },
  summary: 'Validate the plan',
});

export const { describePlanItems } = proxyActivities<PlanActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 10 },
  summary: "Read the plan items' workflows",
});

/** The plan's policy, or a non-retryable `InvalidPlanInput` failure naming every problem. */
export async function validatePlan(raw: unknown): Promise<PlanPolicy> {
  try {
    return await CancellationScope.nonCancellable(() => local.validatePlanInput(raw));
  } catch (error) {
    const cause = error instanceof ActivityFailure ? error.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === PlanFailureType.InvalidInput) {
      throw ApplicationFailure.nonRetryable(cause.message, PlanFailureType.InvalidInput, ...(cause.details ?? []));
    }
    throw error;
  }
}

export const { readPlanItemSizes } = proxyActivities<PlanActivities>({
  // Thousands of sources are read ten at a time.
  startToCloseTimeout: '10m',
  retry: { initialInterval: '5s', maximumAttempts: 3 },
  summary: "Read the plan items' source sizes (the ETA)",
});
