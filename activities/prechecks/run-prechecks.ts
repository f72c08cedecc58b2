/**
 * The pre-flight checks: reads the instances from DCS (ShowInstance), probes the Redis servers when asked, and
 * returns every check's outcome (`evaluate.ts` decides them). Used by the `runPrechecks` activity, `dcs-migrate
 * check` and `start --dry-run` alike. Sends nothing that changes anything: DCS reads and read-only Redis commands.
 *
 * A DCS error other than "no such instance" does not stop the checks: it is a `warn` (the migration's next call
 * would meet the same error and report it the usual way), after a few tries for a retryable one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MigrationInput, SecretRef } from '../../common/migration-input.js';
import type { PrecheckOutcome } from '../../common/precheck.js';
import { DcsError, DcsNotFoundError, isRetryable } from '../../dcs/index.js';
import type { InstanceDetail } from '../../dcs/schemas/index.js';
import { parseAddress, parseAddressList, type HostPort } from '../../redis/address.js';
import type { SecretResolver } from '../secrets.js';
import { evaluatePrechecks, type InstanceRead, type PrecheckFacts, type RedisRead } from './evaluate.js';
import { probeRedis } from './redis-probe.js';

export interface PrecheckDependencies {
  dcs: { showInstance(instanceId: string, options?: { signal?: AbortSignal }): Promise<InstanceDetail> };
  secrets: SecretResolver;
  signal?: AbortSignal;
}

export interface PrecheckRunOptions {
  /** Overrides `input.prechecks.redis` (the CLI runs the Redis checks unless told not to). */
  redis?: boolean;
  /** Tries of a DCS read that fails with a retryable error (default 3). */
  dcsTries?: number;
}

export async function runPrechecks(
  input: MigrationInput,
  deps: PrecheckDependencies,
  options: PrecheckRunOptions = {},
): Promise<PrecheckOutcome[]> {
  const tries = options.dcsTries ?? 3;
  const sourceId = input.kind === 'online' ? input.source.instanceId : undefined;
  const [target, source] = await Promise.all([
    readInstance(deps, input.target.instanceId, tries),
    sourceId === undefined ? Promise.resolve(undefined) : readInstance(deps, sourceId, tries),
  ]);
  const facts: PrecheckFacts = { input, target, ...(source ? { source } : {}) };
  if (options.redis ?? input.prechecks.redis) {
    const probe = { sampleKeys: input.prechecks.sampleKeys, bigKeyBytes: input.prechecks.bigKeyBytes };
    const sides = redisSides(input, target, source);
    const [sourceRead, targetRead] = await Promise.all([
      sides.source ? probeSide(deps.secrets, sides.source, probe) : Promise.resolve(undefined),
      probeSide(deps.secrets, sides.target, probe),
    ]);
    facts.redis = { target: targetRead, ...(sourceRead ? { source: sourceRead } : {}) };
  }
  return evaluatePrechecks(facts);
}

/**
 * What an online migration's source holds, for a plan's ETA: INFO `used_memory` and the keys of every database, read
 * as the Redis checks read the source (same address, same password); ShowInstance's `used_memory` (MB) when the
 * server cannot be reached. Undefined for a backup import, or when nothing could be read.
 */
export async function readSourceSize(
  input: MigrationInput,
  deps: PrecheckDependencies,
): Promise<{ usedMemoryBytes?: number; keys?: number } | undefined> {
  if (input.kind === 'backup_import') return undefined;
  const instanceId = 'instanceId' in input.source ? input.source.instanceId : undefined;
  const shown = instanceId === undefined ? undefined : await readInstance(deps, instanceId, 1);
  const read = await probeSide(deps.secrets, sourceSideOf(input, fromDcs(shown)), { sampleKeys: 0, bigKeyBytes: 0 });
  if (read.probed && read.facts.connection.ok) {
    const keys = Object.values(read.facts.keysPerDb ?? {}).reduce((sum, count) => sum + count, 0);
    return {
      ...(read.facts.usedMemoryBytes === undefined ? {} : { usedMemoryBytes: read.facts.usedMemoryBytes }),
      keys,
    };
  }
  const usedMb = shown?.ok ? shown.detail.used_memory : undefined;
  return typeof usedMb === 'number' ? { usedMemoryBytes: usedMb * 1024 * 1024 } : undefined;
}

async function readInstance(deps: PrecheckDependencies, instanceId: string, tries: number): Promise<InstanceRead> {
  for (let attempt = 1; ; attempt++) {
    try {
      return {
        ok: true,
        detail: await deps.dcs.showInstance(instanceId, deps.signal ? { signal: deps.signal } : undefined),
      };
    } catch (error) {
      // DCS.3022 (111404022 in the long form) is "no such instance"; another 404 (an unknown route) says nothing about it.
      if (error instanceof DcsNotFoundError && /^(DCS\.3022|111404022)$/.test(error.errorCode ?? '')) {
        return { ok: false, missing: true, reason: error.message };
      }
      if (attempt < tries && isRetryable(error) && !deps.signal?.aborted) {
        await sleep(250 * 2 ** (attempt - 1));
        continue;
      }
      // The class (and HTTP status) only: the migration's next call meets the same error and reports it in full.
      const reason =
        error instanceof DcsError
          ? `${error.name}${error.httpStatus === undefined ? '' : `, HTTP ${error.httpStatus}`}`
          : 'unexpected error';
      return { ok: false, missing: false, reason };
    }
  }
}

/** A server to probe: where the worker reaches it, and its password reference (the field named in errors). */
interface Side {
  role: 'source' | 'target';
  /** Where the worker reaches it, or undefined and `why`. */
  address: HostPort | undefined;
  why?: string;
  password?: { ref: SecretRef; field: string } | undefined;
}

/** ShowInstance's address of an instance (its first IP). */
function fromDcs(read: InstanceRead | undefined): HostPort | undefined {
  if (!read?.ok || !read.detail.ip) return undefined;
  const ip = read.detail.ip.split(',')[0]!.trim();
  return ip ? { host: ip, port: Number(read.detail.port ?? 6379) } : undefined;
}

/**
 * Where the worker reaches each server: the verify block's address when there is one (it is written as the
 * worker reaches it), else a self-hosted source's first `addrs` entry, else what ShowInstance says (`ip:port`).
 */
function redisSides(
  input: MigrationInput,
  target: InstanceRead,
  source: InstanceRead | undefined,
): { source?: Side; target: Side } {
  // The input schema checked these addresses with the same parser: parsing them here does not throw.
  const verifyAddress = (role: 'source' | 'target', server: { address: string }) =>
    parseAddress(server.address, `verify.${role}.address`);
  const passwordOf = (ref: SecretRef | undefined, field: string) => (ref ? { ref, field } : undefined);
  const targetSide: Side = input.verify
    ? {
        role: 'target',
        address: verifyAddress('target', input.verify.target),
        password: passwordOf(input.verify.target.password, 'verify.target.password'),
      }
    : {
        role: 'target',
        address: fromDcs(target),
        why: 'ShowInstance gave no address',
        password: passwordOf(input.target.password, 'target.password'),
      };
  if (input.kind === 'backup_import') return { target: targetSide };
  return { source: sourceSideOf(input, fromDcs(source)), target: targetSide };
}

/** Where the worker reaches the source: see {@link redisSides}; `shown` is ShowInstance's address. */
function sourceSideOf(input: Exclude<MigrationInput, { kind: 'backup_import' }>, shown: HostPort | undefined): Side {
  const verifyAddress = (server: { address: string }) => parseAddress(server.address, 'verify.source.address');
  const passwordOf = (ref: SecretRef | undefined, field: string) => (ref ? { ref, field } : undefined);
  return input.verify
    ? {
        role: 'source',
        address: verifyAddress(input.verify.source),
        password: passwordOf(input.verify.source.password, 'verify.source.password'),
      }
    : {
        role: 'source',
        address: input.source.addrs ? parseAddressList(input.source.addrs, 'source.addrs')[0] : shown,
        why: 'ShowInstance gave no address',
        password: passwordOf(input.source.password, 'source.password'),
      };
}

async function probeSide(
  secrets: SecretResolver,
  side: Side,
  probe: { sampleKeys: number; bigKeyBytes: number },
): Promise<RedisRead> {
  if (!side.address)
    return { probed: false, reason: `no address to reach the ${side.role} (${side.why ?? 'unknown'})` };
  let password: string | undefined;
  if (side.password) {
    try {
      password = await secrets.resolve(side.password.ref, side.password.field);
    } catch (error) {
      // The resolver's messages name the field and the reference, never a value.
      return {
        probed: false,
        secret: true,
        reason: error instanceof Error ? error.message : `${side.password.field}: cannot be resolved`,
      };
    }
  }
  // Only the source is sampled for big keys.
  const facts = await probeRedis(
    { ...side.address, password },
    { ...probe, sampleKeys: side.role === 'source' ? probe.sampleKeys : 0 },
  );
  return { probed: true, facts };
}
