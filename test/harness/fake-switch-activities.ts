/**
 * The client switch's activities in the fake (see `fake-activities.ts`): the switch status, exchange-ip and
 * rollback-ip on the task's model, and the worker's look at the addresses answered from it — the post-switch check
 * passes only when the server at the source's old address is the one the workflow saw at the target's before.
 */
import { IpSwitchStatus } from '../../common/dcs-status.js';
import type { SecretRef } from '../../common/migration-input.js';
import type { Activities } from '../../activities/index.js';
import { toApplicationFailure } from '../../activities/to-application-failure.js';
import type { FakeCall, FakeTask } from './fake-task.js';
import type { SecretResolver } from '../../activities/secrets.js';

/** The DCS calls of the switch, and the worker's own look at passwords and servers. */
type SwitchCall = 'showSwitchState' | 'exchangeIp' | 'rollbackIp';
type SwitchProbe = 'comparePasswords' | 'identifyServers' | 'checkSwitched';
/** The keep-writes rollback's own deletes: the fake holds no keys, so the source never has one the target lacks. */
type RollbackPrune = 'listSourceOnlyKeys' | 'deleteSourceOnlyKeys';
type SwitchActivities = Pick<Activities, SwitchCall | SwitchProbe | RollbackPrune>;

export function fakeSwitchActivities(call: FakeCall, secretsOf: (task: FakeTask) => SecretResolver): SwitchActivities {
  /** A password as the worker resolves it; one that does not resolve fails as the activity fails. */
  async function resolve(secrets: SecretResolver, ref: SecretRef | undefined, field: string) {
    try {
      return ref === undefined ? undefined : await secrets.resolve(ref, field);
    } catch (error) {
      throw toApplicationFailure(error, 1);
    }
  }

  return {
    listSourceOnlyKeys: (request) =>
      call('listSourceOnlyKeys', [request], () => ({ keys: [], scanned: 0, truncated: false, attempts: 1 })),
    deleteSourceOnlyKeys: (request) => call('deleteSourceOnlyKeys', [request], () => ({ deleted: 0, attempts: 1 })),
    comparePasswords: (refs) =>
      call('comparePasswords', [refs], async (task) => {
        const secrets = secretsOf(task);
        const source = await resolve(secrets, refs.source, 'source.password');
        const target = await resolve(secrets, refs.target, 'target.password');
        return { samePassword: source === target, attempts: 1 };
      }),
    showSwitchState: (taskId) =>
      call('showSwitchState', [taskId], (task) => ({
        status: task.currentStatus(),
        ipSwitchStatus: task.readSwitchStatus(),
        ...task.addresses(),
        attempts: 1,
      })),
    exchangeIp: (taskId, request) =>
      call('exchangeIp', [taskId, request], (task) => {
        task.startSwitch(IpSwitchStatus.ExchangeSuccess);
        return { attempts: 1 };
      }),
    rollbackIp: (taskId) =>
      call('rollbackIp', [taskId], (task) => {
        task.startSwitch(IpSwitchStatus.RollbackSuccess);
        return { attempts: 1 };
      }),
    identifyServers: (request) =>
      call('identifyServers', [request], (task) => {
        const { source } = task.addresses();
        const cluster = task.script.switch?.cluster ?? {};
        const servers = request.addresses.map((address) => ({
          address,
          runId: task.runIdAt(address),
          cluster: (address === source ? cluster.source : cluster.target) ?? false,
        }));
        return { servers, attempts: 1 };
      }),
    checkSwitched: (request) =>
      call('checkSwitched', [request], (task) => {
        const { address, expectRunId, canaryKey } = request;
        const runId = task.runIdAt(address);
        if (runId !== expectRunId) {
          const evidence = `${address} is still answered by ${runId}, not ${expectRunId}`;
          return { outcome: 'failed' as const, reached: 'other' as const, evidence, attempts: 1 };
        }
        const canary = canaryKey === undefined ? '' : ` and took the canary ${canaryKey}`;
        const evidence = `${address} reaches the target's server (${runId})${canary}`;
        return { outcome: 'passed' as const, reached: 'target' as const, evidence, attempts: 1 };
      }),
  };
}
