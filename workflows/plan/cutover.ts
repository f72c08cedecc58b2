/**
 * Cutovers through the plan. `together`: a group (a wave, or the whole plan) is told to cut over at once, when an
 * operator asks (`plan cutover`, refused while an item of the group is not in sync, naming each) or by itself
 * (`trigger: auto`) once every item holds in sync; inside the plan's window, else deferred to its opening. `each`:
 * `plan cutover` tells the items in sync (of a wave, or all) to cut over now. Each item's own policy (gate, window)
 * still decides when its hold ends.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  PlanFailureType,
  type PlanCutoverAccepted,
  type PlanCutoverRecord,
  type PlanCutoverRequest,
} from '../../common/plan-contract.js';
import { cutOverItems, type PlanContext } from './items.js';
import { groupKeys, groupNames, holdingKeys, isReady, notReady, windowOpensAt } from './together.js';

const reject = (message: string) => ApplicationFailure.nonRetryable(message, PlanFailureType.CutoverRejected);

function listed(items: string[]): string {
  return items.length <= 20 ? items.join(', ') : `${items.slice(0, 20).join(', ')} and ${items.length - 20} more`;
}

/** The group a request is about: `plan`, the named wave, or (together, by wave) the first wave not cut over yet. */
function groupOf(ctx: PlanContext, request: PlanCutoverRequest): string {
  const { policy, state } = ctx;
  if (request.wave !== undefined && !state.waves.some((wave) => wave.name === request.wave))
    throw reject(`no wave is named "${request.wave}"`);
  if (policy.cutover.mode === 'each') return request.wave ?? 'plan';
  if (policy.cutover.scope === 'plan') {
    if (request.wave !== undefined)
      throw reject('cutover.scope is "plan": the whole plan cuts over together; leave the wave out');
    return 'plan';
  }
  if (request.wave !== undefined) return request.wave;
  const open = groupNames(policy.cutover, state).find(
    (group) => !state.cutovers[group] && groupKeys(state, group).some((key) => state.items[key]?.state !== 'done'),
  );
  if (!open) throw reject('every wave was cut over or has ended');
  return open;
}

/** The group and the items it would tell; throws the refusal (nothing recorded) when it cannot. */
export function checkCutover(ctx: PlanContext, request: PlanCutoverRequest): { group: string; items: string[] } {
  const { state, policy } = ctx;
  if (state.cancel) throw reject('the plan is cancelled');
  const group = groupOf(ctx, request);
  const keys = group === 'plan' ? state.order : groupKeys(state, group);
  const holding = holdingKeys(state, keys);
  if (policy.cutover.mode === 'together') {
    const record = state.cutovers[group];
    if (record) {
      const when = record.signalledAt
        ? `at ${record.signalledAt}`
        : `deferred to ${record.deferredUntil ?? 'the window'}`;
      throw reject(`${group} was already told to cut over (${when})`);
    }
    const missing = notReady(state, keys);
    if (missing.length > 0)
      throw reject(`${group} cannot cut over together: ${missing.length} item(s) not in sync: ${listed(missing)}`);
  }
  if (holding.length === 0) throw reject(`no item of ${group} holds in sync for its cutover`);
  return { group, items: holding };
}

/** Tells the group's items to cut over now, or defers to the window's opening. Returns when to look again (ms). */
async function signalGroup(ctx: PlanContext, group: string, record: PlanCutoverRecord): Promise<number | undefined> {
  const opensAt = windowOpensAt(ctx.policy.cutover, Date.now());
  if (ctx.policy.cutover.mode === 'together' && opensAt !== undefined) {
    record.deferredUntil = new Date(opensAt).toISOString();
    return opensAt;
  }
  const keys = group === 'plan' ? ctx.state.order : groupKeys(ctx.state, group);
  record.items = holdingKeys(ctx.state, keys);
  record.signalledAt = new Date().toISOString();
  delete record.deferredUntil;
  const by = record.by === 'auto' ? 'automatically' : 'by an operator';
  await cutOverItems(
    ctx,
    record.items,
    `plan ${ctx.planId}: ${group} cut over ${by}${record.note ? ` (${record.note})` : ''}`,
  );
  ctx.touch();
  return undefined;
}

/** The update: records the request and tells the items (or defers to the window). */
export async function acceptCutover(ctx: PlanContext, request: PlanCutoverRequest): Promise<PlanCutoverAccepted> {
  const { group, items } = checkCutover(ctx, request);
  const note = typeof request.note === 'string' ? request.note.slice(0, 500) : undefined;
  const record: PlanCutoverRecord = {
    by: 'operator',
    requestedAt: new Date().toISOString(),
    items,
    ...(note ? { note } : {}),
  };
  ctx.state.cutovers[group] = record;
  await signalGroup(ctx, group, record);
  return {
    acceptedAt: record.requestedAt,
    items: record.items,
    ...(record.deferredUntil ? { deferredUntil: record.deferredUntil } : {}),
  };
}

/**
 * The main loop's part (`together` only): a group with `trigger: auto` that is ready gets its cutover, and a
 * deferred one is signalled once the window opens. Returns the earliest time to look again (ms), if any.
 */
export async function driveCutovers(ctx: PlanContext): Promise<number | undefined> {
  const { policy, state } = ctx;
  if (policy.cutover.mode !== 'together') return undefined;
  let wakeAt: number | undefined;
  for (const group of groupNames(policy.cutover, state)) {
    const keys = groupKeys(state, group);
    if (!state.cutovers[group] && policy.cutover.trigger === 'auto' && isReady(state, keys))
      state.cutovers[group] = { by: 'auto', requestedAt: new Date().toISOString(), items: holdingKeys(state, keys) };
    const record = state.cutovers[group];
    if (!record || record.signalledAt) continue;
    const next = await signalGroup(ctx, group, record);
    if (next !== undefined) wakeAt = Math.min(wakeAt ?? next, next);
  }
  return wakeAt;
}
