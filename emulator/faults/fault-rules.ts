import { z } from 'zod';
import type { DataPlaneFaults } from '../data-plane/contract.js';
import {
  EMULATED_OPERATIONS,
  IP_SWITCH_OPERATIONS,
  RUN_STARTING_OPERATIONS,
  type EmulatedOperation,
} from '../emulated-operations.js';
import type { RateLimit } from '../../common/rate-limit.js';
import { seededRandom } from '../../common/seeded-random.js';
import { THROTTLED_ERROR_CODE, throttlingMessage } from '../../dcs/errors/throttling.js';

/**
 * A fault rule as the admin API and `emu.faults.add()` take it. A rule applies to one operation (or every one with
 * `'*'` / omitted); it fires with `probability` (seeded, default 1) at most `count` times (default unlimited).
 */
export const faultRuleInputSchema = z.strictObject({
  operation: z.enum([...EMULATED_OPERATIONS, '*']).optional(),
  probability: z.number().min(0).max(1).optional(),
  count: z.number().int().positive().optional(),
  /** HTTP status of the injected error; 500 when a rule has no other effect. */
  status: z.number().int().min(400).max(599).optional(),
  /** Huawei error code of the injected error; derived from `status` when omitted. */
  errorCode: z.string().min(1).max(32).optional(),
  errorMessage: z.string().min(1).max(1024).optional(),
  /** `Retry-After` of the injected error, in ms (sent in whole seconds, rounded up); Huawei's gateway sends none. */
  retryAfterMs: z.number().int().min(0).max(86_400_000).optional(),
  /** Extra time before the request is handled (adds up over rules that fire). */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  /** Destroy the connection without an answer, before the operation runs. */
  drop: z.boolean().optional(),
  /** Run the operation (its change is committed), then destroy the connection instead of answering. */
  commitThenDrop: z.boolean().optional(),
  /** Faults handed to the data plane of the run the operation starts (create, configure, restart). */
  dataPlane: z
    .strictObject({
      failAt: z.number().min(0).max(100).optional(),
      /**
       * The failure message of `failAt` (default `injected data-plane fault`): what the task's error and log say,
       * e.g. to check that a client scrubs a secret a server put in its message.
       */
      failMessage: z.string().min(1).max(500).optional(),
      dropSourceAt: z.number().min(0).max(100).optional(),
    })
    .optional(),
  /**
   * Faults of the IP switch an exchange-ip or rollback-ip starts: `swap: false` reports the switch as done
   * (EXCHANGE_SUCCESS / ROLLBACK_SUCCESS) without moving the addresses — clients keep reaching the old server,
   * which only a check through the address itself notices.
   */
  ipSwitch: z.strictObject({ swap: z.boolean() }).optional(),
});

/** What an IP-switch fault asks of the switch (see `ipSwitch` above). */
export interface IpSwitchFaults {
  swap: boolean;
}

export type FaultRuleInput = z.input<typeof faultRuleInputSchema>;

export interface FaultRule extends z.output<typeof faultRuleInputSchema> {
  id: string;
  /** How many times the rule has fired. */
  fired: number;
}

/** What the rules that fired for one request ask for. */
export interface FaultDecision {
  latencyMs: number;
  /** The first firing rule with an error, drop or commit-then-drop effect decides the outcome. */
  outcome?:
    | { kind: 'error'; status: number; errorCode: string; errorMessage: string; retryAfterMs?: number; ruleId: string }
    | { kind: 'drop'; ruleId: string }
    | { kind: 'commitThenDrop'; ruleId: string };
  dataPlane?: DataPlaneFaults;
  ipSwitch?: IpSwitchFaults;
  firedRuleIds: string[];
}

/**
 * The limit an injected 429 names when the emulator has none of its own (`--rate-limit`): the one of a real answer
 * (`limit:200,time:5 minute`, fleet-and-long-life.md §4).
 */
export const DEFAULT_REPORTED_RATE_LIMIT: RateLimit = { limit: 200, windowMs: 300_000 };

/**
 * Default Huawei error code for an injected status, so a rule can say just `{ status: 503 }`; a 429 is the API
 * gateway's, with its message naming `rate`.
 */
function defaultErrorCode(status: number, rate: RateLimit): { code: string; message: string } {
  if (status === 429) return { code: THROTTLED_ERROR_CODE, message: throttlingMessage(rate) };
  if (status >= 500) return { code: 'DCS.5000', message: 'Internal service error.' };
  return { code: 'DCS.4017', message: 'This DCS instance job task is still running.' };
}

/** The fault rules of one emulator, evaluated in the order they were added. */
export class FaultRules {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(private readonly seed: number) {
    this.random = seededRandom(seed);
  }

  /** Validates and appends a rule; returns its id. Throws a ZodError naming the bad field. */
  add(input: FaultRuleInput): string {
    const parsed = faultRuleInputSchema.parse(input);
    const id = `fault-${this.nextId++}`;
    this.rules.push({ ...parsed, id, fired: 0 });
    return id;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule and restarts the random sequence from the seed. */
  clear(): void {
    this.rules = [];
    this.random = seededRandom(this.seed);
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /**
   * Decides the faults for one request to `operation`, counting the rules that fire. An injected 429 names
   * `throttleRate` (the emulator's own rate limit, when it has one).
   */
  evaluate(operation: EmulatedOperation, throttleRate: RateLimit = DEFAULT_REPORTED_RATE_LIMIT): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, firedRuleIds: [] };
    for (const rule of this.rules) {
      if (!this.applies(rule, operation)) continue;
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      // Only rules that apply draw a number, so adding a rule for another operation does not shift this sequence.
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.fired++;
      decision.firedRuleIds.push(rule.id);
      decision.latencyMs += rule.latencyMs ?? 0;
      if (rule.dataPlane) decision.dataPlane = { ...decision.dataPlane, ...toDataPlaneFaults(rule.dataPlane) };
      if (rule.ipSwitch) decision.ipSwitch = { ...rule.ipSwitch };
      if (decision.outcome) continue;
      if (rule.drop) decision.outcome = { kind: 'drop', ruleId: rule.id };
      else if (rule.commitThenDrop) decision.outcome = { kind: 'commitThenDrop', ruleId: rule.id };
      else if (rule.status !== undefined || rule.errorCode !== undefined || !hasOtherEffect(rule)) {
        const status = rule.status ?? 500;
        const fallback = defaultErrorCode(status, throttleRate);
        decision.outcome = {
          kind: 'error',
          status,
          errorCode: rule.errorCode ?? fallback.code,
          errorMessage: rule.errorMessage ?? fallback.message,
          ...(rule.retryAfterMs !== undefined ? { retryAfterMs: rule.retryAfterMs } : {}),
          ruleId: rule.id,
        };
      }
    }
    return decision;
  }

  private applies(rule: FaultRule, operation: EmulatedOperation): boolean {
    if (rule.operation !== undefined && rule.operation !== '*' && rule.operation !== operation) return false;
    // A data-plane-only rule waits for an operation that starts a run instead of being used up by a GET.
    if (rule.dataPlane && !hasHttpEffect(rule)) return RUN_STARTING_OPERATIONS.has(operation);
    // Likewise an IP-switch-only rule waits for the call that starts a switch.
    if (rule.ipSwitch && !hasHttpEffect(rule)) return IP_SWITCH_OPERATIONS.has(operation);
    return true;
  }
}

function hasHttpEffect(rule: FaultRule): boolean {
  return (
    rule.status !== undefined ||
    rule.errorCode !== undefined ||
    rule.retryAfterMs !== undefined ||
    rule.latencyMs !== undefined ||
    rule.drop === true ||
    rule.commitThenDrop === true
  );
}

function hasOtherEffect(rule: FaultRule): boolean {
  return (
    rule.latencyMs !== undefined ||
    rule.drop === true ||
    rule.commitThenDrop === true ||
    rule.dataPlane !== undefined ||
    rule.ipSwitch !== undefined
  );
}

function toDataPlaneFaults(input: NonNullable<FaultRule['dataPlane']>): DataPlaneFaults {
  const faults: DataPlaneFaults = {};
  if (input.failAt !== undefined)
    faults.failAt = { atProgress: input.failAt, message: input.failMessage ?? 'injected data-plane fault' };
  if (input.dropSourceAt !== undefined) faults.dropSourceAtProgress = input.dropSourceAt;
  return faults;
}
