/**
 * The plan workflow's activities (issue 26): validating a plan outside the sandbox (a local activity, as the
 * migration input's), and finding out what became of items the plan did not see end — an item a resumed plan
 * found already started (`WorkflowExecutionAlreadyStarted`), or one started before a continue-as-new whose end
 * was not reported. They read the items' workflows through the worker's Temporal client.
 */
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { parseMigrationInput } from '../common/migration-input.js';
import type { ItemOutcome, PlanItemSize } from '../common/plan-contract.js';
import { PlanFailureType } from '../common/plan-contract.js';
import { InvalidPlanInputError, validatePlan, type PlanPolicy } from '../common/plan-input.js';
import { DcsPhase } from '../common/search-attributes.js';
import type { MigrationResult } from '../common/workflow-contract.js';
import type { DcsMigrationApi } from './dcs-api.js';
import { readSourceSize } from './prechecks/index.js';
import type { SecretResolver } from './secrets.js';

/** What an item's workflow is, as Temporal holds it. */
export interface ItemSighting {
  workflowId: string;
  /** `absent`: no workflow with that id (never started). */
  state: 'absent' | 'running' | 'done';
  /** Its `DcsPhase` search attribute (running items). */
  phase?: string;
  outcome?: ItemOutcome;
  reason?: string;
}

export interface PlanActivityDependencies {
  /** The worker's client; `describePlanItems` needs it. */
  client?: Pick<Client, 'workflow'>;
  /** DCS and the secrets, to read the items' sources for the ETA (`readPlanItemSizes`); sizes unknown without. */
  dcs?: Pick<DcsMigrationApi, 'showInstance'>;
  secrets?: SecretResolver;
}

/** Sources read at once: a plan of thousands of items reads them in batches. */
const SIZE_READS_AT_ONCE = 10;

/** Parses a plan or refuses it with a non-retryable `InvalidPlanInput` failure naming every problem. */
function parseOrFail(raw: unknown): PlanPolicy {
  try {
    const { defaults: _defaults, items: _items, ...policy } = validatePlan(raw).plan;
    return policy;
  } catch (error) {
    if (error instanceof InvalidPlanInputError) {
      throw ApplicationFailure.nonRetryable(error.message, PlanFailureType.InvalidInput, { problems: error.problems });
    }
    throw error;
  }
}

const CLOSED: Record<string, { outcome: ItemOutcome; reason?: string }> = {
  CANCELLED: { outcome: 'cancelled', reason: 'cancelled' },
  TERMINATED: { outcome: 'failed', reason: 'the workflow was terminated' },
  TIMED_OUT: { outcome: 'failed', reason: 'the workflow timed out' },
};

async function sight(client: Pick<Client, 'workflow'>, workflowId: string): Promise<ItemSighting> {
  const handle = client.workflow.getHandle(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { workflowId, state: 'absent' };
    throw error;
  }
  const status = description.status.name;
  if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') {
    const phase = description.typedSearchAttributes.get(DcsPhase);
    return { workflowId, state: 'running', ...(phase ? { phase } : {}) };
  }
  const closed = CLOSED[status];
  if (closed) return { workflowId, state: 'done', ...closed };
  try {
    const result = (await handle.result()) as MigrationResult;
    return { workflowId, state: 'done', outcome: result.outcome };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const reason = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
    return { workflowId, state: 'done', outcome: 'failed', reason };
  }
}

/** An item's source size, or null when it cannot be read (a bad input, no address, a refused password). */
async function sizeOf(
  raw: unknown,
  deps: Required<Pick<PlanActivityDependencies, 'dcs' | 'secrets'>>,
): Promise<PlanItemSize | null> {
  try {
    return (await readSourceSize(parseMigrationInput(raw), deps)) ?? null;
  } catch {
    // The ETA goes on without this size (the median of the others stands in): never a failure of the plan.
    return null;
  }
}

export function createPlanActivities({ client, dcs, secrets }: PlanActivityDependencies = {}) {
  return {
    /** The plan's policy (defaults applied), once the whole plan validated; refused naming every problem. */
    async validatePlanInput(raw: unknown): Promise<PlanPolicy> {
      return parseOrFail(raw);
    },

    /**
     * Each item's source size (INFO used memory and keys, as the pre-flight checks read the source), for the ETA;
     * null for an item whose source cannot be read, and for all of them on a worker without DCS.
     */
    async readPlanItemSizes(inputs: unknown[]): Promise<Array<PlanItemSize | null>> {
      if (!dcs || !secrets) return inputs.map(() => null);
      const sizes: Array<PlanItemSize | null> = [];
      for (let at = 0; at < inputs.length; at += SIZE_READS_AT_ONCE) {
        const batch = inputs.slice(at, at + SIZE_READS_AT_ONCE);
        sizes.push(...(await Promise.all(batch.map((raw) => sizeOf(raw, { dcs, secrets })))));
      }
      return sizes;
    },

    /** Whether each item's workflow exists, runs (and in which phase) or ended (and how). */
    async describePlanItems(workflowIds: string[]): Promise<ItemSighting[]> {
      if (!client)
        throw ApplicationFailure.nonRetryable(
          'this worker has no Temporal client to read plan items with',
          'PlanItemsUnreadable',
        );
      const sightings: ItemSighting[] = [];
      for (let at = 0; at < workflowIds.length; at += 20) {
        sightings.push(...(await Promise.all(workflowIds.slice(at, at + 20).map((id) => sight(client, id)))));
      }
      return sightings;
    },
  };
}

export type PlanActivities = ReturnType<typeof createPlanActivities>;
