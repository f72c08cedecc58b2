/**
 * Before its first item starts, the plan reads each item's source size (used memory, keys) for the ETA (`eta.ts`).
 * A read that fails leaves the sizes unknown, never the plan: the ETA then learns from durations alone.
 */
import { log, patched } from '@temporalio/workflow';
import { mergeItem } from '../../common/plan-merge.js';
import { Patch } from '../patches.js';
import { readPlanItemSizes } from './activities.js';
import type { PlanContext } from './items.js';

export async function readItemSizes(ctx: PlanContext): Promise<void> {
  if (!patched(Patch.PlanEtaSizes)) return;
  const { plan } = ctx.input;
  try {
    const sizes = await readPlanItemSizes(plan.items.map((item) => mergeItem(plan.defaults, item)));
    plan.items.forEach((file, index) => {
      const size = sizes[index];
      const item = ctx.state.items[file.key];
      if (size && item) item.size = size;
    });
  } catch (error) {
    log.warn('plan item sizes not read: the ETA learns from durations alone', { error: String(error) });
  }
}
