/**
 * What a Redis server says about itself, read for the pre-flight checks: read-only commands only (PING, INFO,
 * CONFIG GET, SCAN, MEMORY USAGE). The password is used to connect and goes nowhere else: errors name the
 * server by address, with the password scrubbed.
 */
import type { Redis } from 'ioredis';
import { formatAddress } from '../../redis/address.js';
import { connectRedis } from '../../redis/connect.js';
import { redisOptions } from '../../redis/connection-options.js';
import type { RedisEndpoint } from '../../redis/endpoint.js';

/** What could be read; a field is absent when the server did not say (e.g. CONFIG renamed away, as on DCS). */
export interface RedisFacts {
  address: string;
  /** `unreachable`: no TCP connection (or a timeout); `auth`: the password was refused or is missing. */
  connection: { ok: true } | { ok: false; kind: 'unreachable' | 'auth' | 'other'; reason: string };
  version?: string;
  usedMemoryBytes?: number;
  maxMemoryBytes?: number;
  /** Keys per non-empty database (INFO keyspace). */
  keysPerDb?: Record<number, number>;
  replTimeoutSeconds?: number;
  /** Hard limit of the replica class of `client-output-buffer-limit`, in bytes (0 = unlimited). */
  replicaBufferHardBytes?: number;
  notifyKeyspaceEvents?: string;
  maxMemoryPolicy?: string;
  bigKeys?: { sampled: number; over: number; largest?: { db: number; key: string; bytes: number } };
}

/** A Redis side as probed, or why it was not (`secret`: its password reference does not resolve). */
export type RedisRead = { probed: true; facts: RedisFacts } | { probed: false; reason: string; secret?: boolean };

export interface ProbeOptions {
  /** Keys to sample for big keys (0: no sampling). */
  sampleKeys: number;
  bigKeyBytes: number;
  connectTimeoutMs?: number;
}

export async function probeRedis(target: RedisEndpoint, options: ProbeOptions): Promise<RedisFacts> {
  const address = formatAddress(target);
  let redis: Redis;
  try {
    redis = await connectRedis(
      redisOptions(target, { connectTimeout: options.connectTimeoutMs ?? 3_000, commandTimeout: 5_000 }),
    );
    await redis.ping();
  } catch (error) {
    return { address, connection: classify(error, target.password) };
  }
  try {
    const facts: RedisFacts = { address, connection: { ok: true } };
    const info = await redis.info().catch(() => '');
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const version = field('redis_version');
    if (version) facts.version = version;
    const used = numberOf(field('used_memory'));
    if (used !== undefined) facts.usedMemoryBytes = used;
    const max = numberOf(field('maxmemory'));
    if (max !== undefined) facts.maxMemoryBytes = max;
    if (/^# Keyspace/m.test(info)) {
      facts.keysPerDb = Object.fromEntries(
        [...info.matchAll(/^db(\d+):keys=(\d+)/gm)].map((match) => [Number(match[1]), Number(match[2])]),
      );
    }
    const policy = field('maxmemory_policy');
    if (policy) facts.maxMemoryPolicy = policy;
    const config = await configGet(redis, [
      'repl-timeout',
      'client-output-buffer-limit',
      'notify-keyspace-events',
      'maxmemory-policy',
    ]);
    const replTimeout = numberOf(config['repl-timeout']);
    if (replTimeout !== undefined) facts.replTimeoutSeconds = replTimeout;
    const replicaHard = replicaHardLimit(config['client-output-buffer-limit']);
    if (replicaHard !== undefined) facts.replicaBufferHardBytes = replicaHard;
    if (config['notify-keyspace-events'] !== undefined) facts.notifyKeyspaceEvents = config['notify-keyspace-events'];
    if (config['maxmemory-policy'] !== undefined) facts.maxMemoryPolicy = config['maxmemory-policy'];
    if (options.sampleKeys > 0 && facts.keysPerDb) facts.bigKeys = await sampleBigKeys(redis, facts.keysPerDb, options);
    return facts;
  } finally {
    redis.disconnect();
  }
}

/** CONFIG GET of each parameter; a refused CONFIG (renamed, ACL) leaves them all out. */
async function configGet(redis: Redis, names: string[]): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of names) {
    try {
      const reply = (await redis.config('GET', name)) as string[];
      if (reply[1] !== undefined) values[name] = reply[1];
    } catch {
      return values;
    }
  }
  return values;
}

/** The replica (or pre-5.0 `slave`) class's hard limit of `client-output-buffer-limit`: `normal 0 0 0 replica 256mb 64mb 60 …`. */
export function replicaHardLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parts = value.trim().split(/\s+/);
  for (let index = 0; index + 3 < parts.length; index += 4) {
    if (parts[index] === 'replica' || parts[index] === 'slave') return bytesOf(parts[index + 1]!);
  }
  return undefined;
}

function bytesOf(value: string): number | undefined {
  const match = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(value);
  if (!match) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = { b: 1, k: 1000, kb: 1024, m: 1_000_000, mb: 1024 ** 2, g: 1_000_000_000, gb: 1024 ** 3 }[unit] ?? 1;
  return Number(match[1]) * factor;
}

/** SCAN the non-empty databases for up to `sampleKeys` keys in all, with MEMORY USAGE of each. */
async function sampleBigKeys(
  redis: Redis,
  keysPerDb: Record<number, number>,
  options: ProbeOptions,
): Promise<RedisFacts['bigKeys']> {
  const result: NonNullable<RedisFacts['bigKeys']> = { sampled: 0, over: 0 };
  for (const db of Object.keys(keysPerDb).map(Number)) {
    if (result.sampled >= options.sampleKeys) break;
    try {
      await redis.select(db);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scanBuffer(cursor, 'COUNT', 100);
        cursor = String(next);
        for (const key of keys.slice(0, options.sampleKeys - result.sampled)) {
          const bytes = Number((await redis.call('MEMORY', 'USAGE', key)) ?? 0);
          result.sampled += 1;
          if (bytes >= options.bigKeyBytes) result.over += 1;
          if (bytes >= options.bigKeyBytes && (!result.largest || bytes > result.largest.bytes)) {
            result.largest = { db, key: printable(key), bytes };
          }
        }
      } while (cursor !== '0' && result.sampled < options.sampleKeys);
    } catch {
      // SELECT refused (a cluster has only db 0) or MEMORY renamed: report what was sampled so far.
      break;
    }
  }
  return result;
}

/** A key name fit for a report line: printable ASCII, other bytes as \xNN, cut at 80 characters. */
function printable(key: Buffer): string {
  const text = [...key]
    .map((byte) =>
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function classify(error: unknown, password: string | undefined): Exclude<RedisFacts['connection'], { ok: true }> {
  let reason = error instanceof Error ? error.message : String(error);
  if (password) reason = reason.split(password).join('***');
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password|without any password configured/i.test(reason)) {
    return { ok: false, kind: 'auth', reason: 'authentication failed (wrong or missing password)' };
  }
  if (/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|timeout|Connection is closed/i.test(reason))
    return { ok: false, kind: 'unreachable', reason };
  return { ok: false, kind: 'other', reason };
}
