/**
 * A scripted fault (`task-script.ts`) turned into what the workflow sees: the DCS client's own mapping makes the
 * error (an HTTP answer through `errorFromHttpAnswer`, a dropped connection through `errorFromTransportFailure`),
 * and the activities' own conversion makes the failure, so the failure type, retryability and retry delay (the
 * production backoff: free with time skipping) are the production ones.
 */
import type { Activities } from '../../activities/index.js';
import { toApplicationFailure } from '../../activities/to-application-failure.js';
import {
  DcsNetworkError,
  DcsRateLimitedError,
  errorFromHttpAnswer,
  errorFromTransportFailure,
} from '../../dcs/errors/index.js';
import type { Fault, FaultRule, OutageScript } from './task-script.js';

/** The DCS operation behind each activity that calls DCS (what a `*` fault hits, and error messages name). */
export const DCS_OPERATIONS: Partial<Record<keyof Activities, string>> = {
  findTaskByName: 'ListMigrationTask',
  showTask: 'ShowMigrationTask',
  createBackupImportTask: 'CreateMigrationTask',
  createLegacyOnlineTask: 'CreateMigrationTask',
  createOnlineTask: 'CreateOnlineMigrationTask',
  showJob: 'ShowJobInfo',
  configureOnlineTask: 'SetOnlineMigrationTask',
  showTaskStats: 'ShowMigrationTaskStats',
  stopTask: 'StopMigrationTask',
  deleteTask: 'DeleteMigrationTask',
  readTaskLog: 'ListMigrationTaskLogs',
  restartTask: 'BatchRestartOnlineMigrationTasks',
  showSwitchState: 'ShowMigrationTask',
  exchangeIp: 'ExchangeInstanceIp',
  rollbackIp: 'RollbackExchangeInstanceIp',
};

/** The fault of call number `call` (1-based) of `name`, if a rule hits it. */
export function faultFor(rules: readonly FaultRule[] = [], name: keyof Activities, call: number): Fault | undefined {
  const isDcsCall = DCS_OPERATIONS[name] !== undefined;
  const hits = (rule: FaultRule) => rule.activity === name || (rule.activity === '*' && isDcsCall);
  return rules.find((rule) => hits(rule) && (rule.calls?.includes(call) ?? true));
}

/** Whether the fault makes the call fail (before or after it took effect), besides any latency. */
export function fails(fault: Fault | undefined): boolean {
  return fault !== undefined && (fault.status !== undefined || fault.drop === true || fault.commitThenDrop === true);
}

/** The failure the activity throws for `fault` in attempt `attempt`. */
export function faultFailure(fault: Fault, name: keyof Activities, attempt: number): unknown {
  const operation = DCS_OPERATIONS[name] ?? name;
  if (fault.status === undefined) {
    const socketClosed = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    return toApplicationFailure(errorFromTransportFailure(socketClosed, { operation }), attempt);
  }
  const body = { error_code: fault.errorCode, error_msg: fault.errorMessage };
  const headers = fault.retryAfterMs !== undefined ? { 'retry-after': String(fault.retryAfterMs / 1_000) } : {};
  const error = errorFromHttpAnswer({ operation, status: fault.status, headers, bodyText: JSON.stringify(body) });
  return toApplicationFailure(error, attempt);
}

/**
 * The failure of a DCS call at workflow time `at` during the script's outage (`firstCallAt`: the workflow's first
 * DCS call), as the worker's throttle refuses it; undefined outside the outage or for a call that is not DCS's.
 */
export function outageFailure(
  outage: OutageScript | undefined,
  name: keyof Activities,
  firstCallAt: number,
  at: number,
  attempt: number,
): unknown {
  const operation = DCS_OPERATIONS[name];
  if (!outage || operation === undefined) return undefined;
  const since = at - firstCallAt - outage.fromMs;
  if (since < 0 || since >= outage.forMs) return undefined;
  const context = { operation: name, local: true, retryAfterMs: 60_000 };
  const error =
    outage.kind === 'refused'
      ? new DcsNetworkError(`${name} not sent: DCS did not answer the last 3 calls (ECONNREFUSED)`, context)
      : new DcsRateLimitedError(`${name} not sent: DCS is throttling this client (APIGW.0308)`, 60_000, {
          ...context,
          errorCode: 'APIGW.0308',
        });
  return toApplicationFailure(error, attempt);
}
