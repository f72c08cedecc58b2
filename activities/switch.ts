/**
 * The activities of the client switch (`cutover.switch`): the DCS calls (exchange-ip, rollback-ip, the switch
 * status; the restart after a rollback is the task's own `restartTask`), and the worker's own look at the two
 * instances' addresses — which server answers there (Redis `run_id`), whether it is a cluster, and the canary write. Passwords are resolved here and go nowhere else: the
 * results say "same" or "different", and name servers by address only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Redis } from 'ioredis';
import type { SecretRef } from '../common/migration-input.js';
import { formatAddress, parseAddress } from '../redis/address.js';
import { redisOptions } from '../redis/connection-options.js';
import type { DcsMigrationApi } from './dcs-api.js';
import type { Attempted } from './results.js';
import { resolveOptional, SecretUnavailableError, type SecretResolver } from './secrets.js';

/** `host:port` of each side as the task shows them (the instances' service addresses), and the switch status. */
export interface SwitchState {
  status: string;
  /** `task_status`: `EXCHANGING`, `EXCHANGE_SUCCESS`, `ROLLBACK_SUCCESS`, or '' before any switch. */
  ipSwitchStatus: string;
  source?: string | undefined;
  target?: string | undefined;
}

/**
 * The post-switch check's answer. `reached`: which server answered at the source's old address — the target's
 * (the clients write there now), another one (the switch did not move the address: writes still reach the source),
 * or unknown (no answer). Absent in answers recorded before it.
 */
export interface SwitchCheck {
  outcome: 'passed' | 'failed';
  evidence: string;
  reached?: 'target' | 'other' | 'unknown';
}

/** What answers at one address. */
export interface ServerIdentity {
  address: string;
  runId: string;
  cluster: boolean;
}

/** The post-switch check's request: through `address` (the source's old one) the target's server must answer. */
export interface SwitchCheckRequest {
  address: string;
  password?: SecretRef | undefined;
  /** The `run_id` seen at the target's address before the switch. */
  expectRunId: string;
  canaryKey?: string | undefined;
  /** Written as the canary's value (the workflow id and switch number: no secret). */
  canaryValue: string;
}

function addressOf(
  side: { ip?: string | null | undefined; port?: string | number | null | undefined } | null | undefined,
): string | undefined {
  if (!side?.ip || side.port === undefined || side.port === null || side.port === '') return undefined;
  return formatAddress({ host: side.ip, port: Number(side.port) });
}

/** A client for `address` (as `addressOf` wrote it); not connected yet. Commands fail at once when it is not. */
function connect(address: string, password: string | undefined): Redis {
  const { host, port } = parseAddress(address, 'the address DCS shows');
  return new Redis(redisOptions({ host, port, password }, { connectTimeout: 5_000, enableOfflineQueue: false }));
}

function runIdOf(info: string): string {
  return /^run_id:(\S+)/m.exec(info)?.[1] ?? '';
}

function digest(value: string | undefined): Buffer {
  return createHash('sha256')
    .update(value ?? '\u0000none')
    .digest();
}

export function createSwitchActivities(
  dcs: DcsMigrationApi,
  secrets: SecretResolver,
  call: <T extends object>(operation: () => Promise<T>) => Promise<T & Attempted>,
) {
  async function password(ref: SecretRef | undefined, field: string): Promise<string | undefined> {
    try {
      return await resolveOptional(secrets, ref, field);
    } catch (error) {
      if (error instanceof SecretUnavailableError)
        throw ApplicationFailure.nonRetryable(error.message, 'SecretUnavailable');
      throw error;
    }
  }

  /** A Redis error in words, naming the address and never the password. */
  function redisFailure(address: string, error: unknown): ApplicationFailure {
    return ApplicationFailure.retryable(
      `${address}: ${error instanceof Error ? error.message : String(error)}`,
      'SwitchProbeError',
    );
  }

  return {
    /** Not a DCS call: whether the two password references resolve to the same value (compared by digest). */
    async comparePasswords(refs: {
      source?: SecretRef | undefined;
      target?: SecretRef | undefined;
    }): Promise<Attempted & { samePassword: boolean }> {
      const [source, target] = [
        await password(refs.source, 'source.password'),
        await password(refs.target, 'target.password'),
      ];
      return { samePassword: timingSafeEqual(digest(source), digest(target)), attempts: activityInfo().attempt };
    },

    /** ShowMigrationTask, narrowed to the switch: statuses and the sides' addresses. */
    async showSwitchState(taskId: string): Promise<SwitchState & Attempted> {
      return call(async () => {
        const detail = await dcs.showMigrationTask(taskId);
        return {
          status: detail.status,
          ipSwitchStatus: detail.task_status ?? '',
          source: addressOf(detail.source_instance),
          target: addressOf(detail.target_instance),
        };
      });
    },

    /** ExchangeInstanceIp (204): `is_exchange_domain` for `switch: domain`. */
    async exchangeIp(taskId: string, request: { exchangedIp: string[]; domain: boolean }): Promise<Attempted> {
      return call(async () => {
        await dcs.exchangeInstanceIp(taskId, { exchanged_ip: request.exchangedIp, is_exchange_domain: request.domain });
        return {};
      });
    },

    /** RollbackExchangeInstanceIp (204). */
    async rollbackIp(taskId: string): Promise<Attempted> {
      return call(async () => {
        await dcs.rollbackExchangeInstanceIp(taskId);
        return {};
      });
    },

    /** Not a DCS call: which server answers at each address (`run_id`) and whether it runs cluster mode. */
    async identifyServers(request: {
      addresses: string[];
      password?: SecretRef | undefined;
    }): Promise<Attempted & { servers: ServerIdentity[] }> {
      const secret = await password(request.password, 'source.password');
      const servers: ServerIdentity[] = [];
      for (const address of request.addresses) {
        const connection = connect(address, secret);
        try {
          await connection.connect();
          const [server, cluster] = [await connection.info('server'), await connection.info('cluster')];
          servers.push({ address, runId: runIdOf(server), cluster: /cluster_enabled:1/.test(cluster) });
        } catch (error) {
          throw redisFailure(address, error);
        } finally {
          connection.disconnect();
        }
      }
      return { servers, attempts: activityInfo().attempt };
    },

    /**
     * Not a DCS call: the post-switch check. Passes when the server answering at the source's old address is the
     * one that answered at the target's address before the switch, and (with a canary key) a write there is
     * accepted and read back. A mismatch is an answer (`failed`), not an error: the workflow rolls back on it.
     */
    async checkSwitched(request: SwitchCheckRequest): Promise<Attempted & SwitchCheck> {
      const secret = await password(request.password, 'source.password');
      const connection = connect(request.address, secret);
      const attempts = activityInfo().attempt;
      try {
        await connection.connect();
        const runId = runIdOf(await connection.info('server'));
        if (runId !== request.expectRunId) {
          return {
            outcome: 'failed',
            reached: 'other',
            evidence: `${request.address} is still answered by the server it reached before the switch (run_id ${runId.slice(0, 8)}…, expected the target's ${request.expectRunId.slice(0, 8)}…)`,
            attempts,
          };
        }
        const reaches = `${request.address} reaches the target's server`;
        const server = `${reaches} (run_id ${runId.slice(0, 8)}…)`;
        if (request.canaryKey === undefined) {
          return { outcome: 'passed', reached: 'target', evidence: server, attempts };
        }
        await connection.set(request.canaryKey, request.canaryValue, 'EX', 60);
        const read = await connection.get(request.canaryKey);
        if (read !== request.canaryValue)
          return {
            outcome: 'failed',
            reached: 'target',
            evidence: `canary ${request.canaryKey} read back ${read === null ? 'nothing' : 'another value'} at ${request.address}`,
            attempts,
          };
        return {
          outcome: 'passed',
          reached: 'target',
          evidence: `${request.address} reaches the target's server (run_id ${runId.slice(0, 8)}…) and took the canary ${request.canaryKey}`,
          attempts,
        };
      } catch (error) {
        // A refused write (still read-only) or a cut connection: worth another attempt, then a failed check.
        const evidence = `${request.address}: ${error instanceof Error ? error.message : String(error)}`;
        if (attempts >= 3) return { outcome: 'failed', reached: 'unknown', evidence, attempts };
        throw redisFailure(request.address, error);
      } finally {
        connection.disconnect();
      }
    },
  };
}
