/**
 * How a client starts a plan: `client.workflow.start(PLAN_WORKFLOW_TYPE, buildPlanStartOptions(…))`, from a plan
 * already validated (`validatePlan`), so nothing starts on a bad file. The plan id is the workflow id and the
 * prefix of its items' ids; starting again with the id of a plan that failed, was terminated or cancelled resumes
 * it (the items already started are found, never started twice), while a running or completed plan is refused.
 */
import { randomUUID } from 'node:crypto';
import type { SearchAttributePair } from '@temporalio/common';
import type { PlanWorkflowInput } from './plan-contract.js';
import type { PlanInput } from './plan-input.js';
import { wavesOf } from './plan-policy.js';
import { DcsPlan } from './search-attributes.js';
import { DEFAULT_TASK_QUEUE } from './task-queue.js';

export interface PlanStartRequest {
  plan: PlanInput;
  /** Overrides the file's `id`; generated when neither is given. */
  planId?: string;
  taskQueue?: string;
  /** Internal knobs of the plan workflow (`PlanWorkflowInput`); tests lower them. */
  historyLimit?: number;
  startsPerTask?: number;
}

export interface PlanStartOptions {
  taskQueue: string;
  workflowId: string;
  args: [PlanWorkflowInput];
  typedSearchAttributes: SearchAttributePair[];
  staticSummary: string;
  staticDetails: string;
  workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY';
  workflowIdConflictPolicy: 'FAIL';
}

export function planIdOf(request: Pick<PlanStartRequest, 'plan' | 'planId'>): string {
  return request.planId ?? request.plan.id ?? `plan-${randomUUID().slice(0, 8)}`;
}

export function buildPlanStartOptions(request: PlanStartRequest): PlanStartOptions {
  const { plan } = request;
  const planId = planIdOf(request);
  const waves = wavesOf(plan);
  const together = plan.cutover.mode === 'together' ? ` per ${plan.cutover.scope}, ${plan.cutover.trigger}` : '';
  const order = plan.waves
    ? `${waves.length} wave(s)`
    : plan.ramp
      ? `a canary of ${plan.ramp.canary}, then a ramp`
      : 'one wave';
  const details = [
    `**Items:** ${plan.items.length} in ${order}, at most ${plan.maxConcurrency} at once`,
    `**Failure tolerance:** ${String(plan.failureTolerance)} (on halt: ${plan.onHalt})`,
    `**Cutover:** ${plan.cutover.mode}${together}`,
  ];
  if (plan.description) details.push(`**Description:** ${plan.description}`);
  return {
    taskQueue: request.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: planId,
    args: [{ plan, ...knobsOf(request) }],
    typedSearchAttributes: [{ key: DcsPlan, value: planId }],
    staticSummary: `Plan: ${plan.items.length} migrations${plan.description ? ` — ${plan.description}` : ''}`.slice(
      0,
      200,
    ),
    staticDetails: details.join('\n'),
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    workflowIdConflictPolicy: 'FAIL',
  };
}

/** The knobs a request sets, and only those (an unset one is left out of the input, not sent as undefined). */
function knobsOf(request: PlanStartRequest): Pick<PlanWorkflowInput, 'historyLimit' | 'startsPerTask'> {
  const { historyLimit, startsPerTask } = request;
  return {
    ...(historyLimit !== undefined ? { historyLimit } : {}),
    ...(startsPerTask !== undefined ? { startsPerTask } : {}),
  };
}
