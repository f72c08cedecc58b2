/**
 * ExchangeInstanceIp and RollbackExchangeInstanceIp for real: the two instances' service addresses swap, so a
 * client connected to the source's address reaches the target's server afterwards (and the source's again after a
 * rollback). A switch, as DCS does it (dcs-operations.md §3, docs/dcs-api.md §2): both instances are read-only for
 * the switch (`exchangingMs`; writes get `-NOREPLICAS`, see emulator/instances/service-addresses.ts), the copy
 * ends with a final sync (the migration stops during the switch), the addresses swap, and open connections are cut.
 * `task_status` is EXCHANGING until all of that is done, then EXCHANGE_SUCCESS (ROLLBACK_SUCCESS).
 */
import { Redis } from 'ioredis';
import { ExchangeInstanceIpBody } from '../../dcs/schemas/requests.js';
import { IpSwitchStatus, TaskStatus } from '../../common/dcs-status.js';
import type { EmulatorContext, OperationHandler } from '../context.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';
import { connectionOptions } from '../data-plane/redis-address.js';
import type { IpSwitchFaults } from '../faults/fault-rules.js';
import { apiErrors } from '../http/api-error.js';
import { parseJsonBody } from '../http/json-body.js';
import { appendLog } from '../tasks/task-store.js';
import { ipSwitchStatus, taskStatus, type IpSwitch, type MigrationTask } from '../tasks/task.js';
import { findTask } from './control-tasks.js';
import { stopRunQuietly } from './task-runs.js';

/**
 * Refuses a pair DCS cannot switch (dcs-operations.md §3), in the order a user fixes them: IP switching is only
 * between DCS instances, not Redis Cluster, with the same port and the same password on both sides. (Public access
 * is not modelled by the emulator's instances.)
 */
async function checkPair(ctx: EmulatorContext, task: MigrationTask): Promise<{ sourceId: string; targetId: string }> {
  const sourceId = task.source?.instanceId;
  const targetId = task.target?.instanceId;
  if (!sourceId || !targetId)
    throw apiErrors.ipSwitchNotAllowed(
      'IP switching is only supported between DCS instances (the source is a self-hosted Redis)',
    );
  const source = ctx.instances.get(sourceId);
  const target = ctx.instances.get(targetId);
  if (!source?.service || !target?.service)
    throw apiErrors.ipSwitchNotAllowed('IP switching needs both instances to have a service IP');
  // A Redis Cluster by what ShowInstance reports (cache_mode cluster) or by the server itself (cluster_enabled:1).
  for (const instance of [source, target]) {
    if (ctx.instances.attributesOf(instance.id)?.cacheMode === 'cluster' || (await isCluster(instance.endpoint))) {
      throw apiErrors.ipSwitchNotAllowed(`IP switching does not support Redis Cluster instances (${instance.id})`);
    }
  }
  if (source.service.port !== target.service.port) {
    throw apiErrors.ipSwitchNotAllowed(
      `IP switching needs the same port on both instances (${source.service.port} and ${target.service.port})`,
    );
  }
  if ((source.endpoint.password ?? '') !== (target.endpoint.password ?? '')) {
    throw apiErrors.ipSwitchNotAllowed('IP switching needs the same password on both instances');
  }
  return { sourceId, targetId };
}

async function isCluster(endpoint: RedisEndpoint): Promise<boolean> {
  // connectionOptions: the instance's ACL user and TLS apply here as in the data plane.
  const connection = new Redis({
    ...connectionOptions(endpoint, 0),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  try {
    await connection.connect();
    return /cluster_enabled:1/.test(await connection.info('cluster'));
  } finally {
    connection.disconnect();
  }
}

/** ExchangeInstanceIp: only during incremental migration, once (a switch in progress or done is refused). */
export const exchangeInstanceIp: OperationHandler = async ({ ctx, params, rawBody, ipSwitchFaults }) => {
  const task = findTask(ctx, params['task_id']);
  const body = parseJsonBody(rawBody, ExchangeInstanceIpBody);
  const now = ctx.now();
  const status = taskStatus(task, now);
  if (status !== TaskStatus.Incremental)
    throw apiErrors.wrongState(`task ${task.id} is ${status}; IPs can be switched only during incremental migration`);
  const switchStatus = ipSwitchStatus(task, now);
  if (switchStatus === IpSwitchStatus.Exchanging || switchStatus === IpSwitchStatus.ExchangeSuccess) {
    throw apiErrors.wrongState(`task ${task.id} IP switch is ${switchStatus}`);
  }
  const { sourceId, targetId } = await checkPair(ctx, task);
  const ipSwitch: IpSwitch = {
    settlesAt: ctx.now() + ctx.timings.exchangingMs + ctx.jitter(),
    settled: IpSwitchStatus.ExchangeSuccess,
    pending: true,
    domains: body.is_exchange_domain === true,
  };
  task.ipSwitch = ipSwitch;
  task.updatedAt = now;
  const what = body.is_exchange_domain ? 'IP addresses and domain names' : 'IP addresses';
  appendLog(task, 'INFO', 'migration.ip.exchange', `Switching the ${what} of instances ${sourceId} and ${targetId}.`, [
    'exchange',
  ]);
  void runSwitch(ctx, task, ipSwitch, [sourceId, targetId], ipSwitchFaults, async () => {
    // Writes to the source stop first, then the copy catches up and stops: the target then holds everything.
    await ctx.instances.services.setReadOnly(sourceId, true);
    await stopRunQuietly(task);
  });
  return { status: 204 };
};

/** RollbackExchangeInstanceIp: undoes a finished switch while the task has not been stopped. */
export const rollbackExchangeInstanceIp: OperationHandler = ({ ctx, params, ipSwitchFaults }) => {
  const task = findTask(ctx, params['task_id']);
  const now = ctx.now();
  const switchStatus = ipSwitchStatus(task, now);
  if (switchStatus !== IpSwitchStatus.ExchangeSuccess || task.stop) {
    throw apiErrors.wrongState(
      `task ${task.id} IP switch is ${task.stop ? 'over (the task was stopped)' : switchStatus || 'not done'}; only a finished switch of a running task can be rolled back`,
    );
  }
  const swapped = task.ipSwitch?.swapped === true;
  const settlesAt = now + ctx.timings.exchangingMs + ctx.jitter();
  // What the switch moved moves back: the addresses, and the domain names if they went along.
  const domains = task.ipSwitch?.domains;
  const ipSwitch: IpSwitch = { settlesAt, settled: IpSwitchStatus.RollbackSuccess, pending: true, domains };
  task.ipSwitch = ipSwitch;
  task.updatedAt = now;
  appendLog(task, 'INFO', 'migration.ip.rollback', 'Rolling back the IP switch.', ['rollback']);
  // A switch that never moved the addresses (fault) has nothing to move back; the rollback still reports success.
  void runSwitch(
    ctx,
    task,
    ipSwitch,
    [task.source!.instanceId!, task.target!.instanceId!],
    swapped ? ipSwitchFaults : { swap: false },
  );
  return { status: 204 };
};

/**
 * A switch that was under way when the emulator stopped or crashed (emulator/state), done again from where the
 * addresses are: an exchange makes the source read-only and ends the copy (its run was resumed) if that was not
 * done yet, each swaps the addresses unless they already are where the switch puts them, and it settles as before.
 */
export function resumeSwitch(ctx: EmulatorContext, task: MigrationTask): void {
  const ipSwitch = task.ipSwitch;
  const pair: [string, string] = [task.source?.instanceId ?? '', task.target?.instanceId ?? ''];
  if (!ipSwitch?.pending) return;
  const exchange = ipSwitch.settled === IpSwitchStatus.ExchangeSuccess;
  const moved = ctx.instances.services.swapped(...pair);
  const message = 'The emulator restarted: the IP switch resumes.';
  appendLog(task, 'INFO', 'migration.ip.resumed', message, [exchange ? 'exchange' : 'rollback']);
  const before = async () => {
    await ctx.instances.services.setReadOnly(pair[0], true);
    await stopRunQuietly(task);
  };
  // Addresses already where the switch puts them are left there.
  const faults = moved === exchange ? { swap: false } : undefined;
  void runSwitch(ctx, task, ipSwitch, pair, faults, exchange ? before : undefined);
}

/**
 * The switch itself, after the call was answered: `before` (the exchange's source read-only and final sync), both
 * instances read-only, the swap and the cut connections, then read-only until the switch settles. A failure is logged on the task and
 * still settles (the failure values of `task_status` are undocumented).
 */
async function runSwitch(
  ctx: EmulatorContext,
  task: MigrationTask,
  ipSwitch: IpSwitch,
  [a, b]: [string, string],
  faults: IpSwitchFaults | undefined,
  before?: () => Promise<void>,
): Promise<void> {
  const services = ctx.instances.services;
  try {
    // The final sync (exchange) writes to the target: only then does the target turn read-only too.
    await before?.();
    await Promise.all([services.setReadOnly(a, true), services.setReadOnly(b, true)]);
    if (faults?.swap !== false) {
      const cut = services.exchange(a, b, { domains: ipSwitch.domains === true });
      ipSwitch.swapped = true;
      appendLog(
        task,
        'INFO',
        'migration.ip.swapped',
        `Addresses of ${a} and ${b} swapped; ${cut} client connections were closed.`,
        ['exchange'],
      );
    }
    const wait = ipSwitch.settlesAt - ctx.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
  } catch (error) {
    appendLog(
      task,
      'ERROR',
      'migration.ip.failed',
      `IP switch failed: ${error instanceof Error ? error.message : String(error)}.`,
      ['exchange'],
    );
  } finally {
    await Promise.all([services.setReadOnly(a, false), services.setReadOnly(b, false)]).catch(() => undefined);
    ipSwitch.pending = false;
  }
}
