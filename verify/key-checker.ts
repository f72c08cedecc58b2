import type { Redis } from 'ioredis';
import type { RedisSide } from './redis-side.js';
import { describeValueDifference } from './value-equality.js';

/** How a key differs: missing on the target, extra on the target, another type, another TTL, another value. */
export type DifferenceKind = 'MISSING' | 'EXTRA' | 'TYPE' | 'TTL' | 'VALUE';
export type KeyStatus = 'OK' | DifferenceKind;

/** One key's verdict. */
export interface Outcome {
  db: number;
  key: Buffer;
  status: KeyStatus;
  detail: string;
}

interface KeyState {
  type: string;
  pttl: number;
  /** SHA-1 of the DUMP payload. */
  digest: string | null;
}

/** Decides the status of keys; keys that turn out to need no verdict (gone from both sides) get none. */
export class KeyChecker {
  constructor(
    readonly source: RedisSide,
    readonly target: RedisSide,
    readonly tolerance: number,
  ) {}

  /** MISSING, TYPE, VALUE, TTL or OK for keys scanned on the source. */
  async checkSourceKeys(db: number, keys: Buffer[]): Promise<Outcome[]> {
    const [sourceDb, targetDb] = await Promise.all([this.source.db(db), this.target.db(db)]);
    const [before, after] = await Promise.all([this.source.run(db, () => readStates(sourceDb, keys)), this.target.run(db, () => readStates(targetDb, keys))]);
    const outcomes: Outcome[] = [];
    for (const [index, key] of keys.entries()) {
      const left = before[index] as KeyState;
      const right = after[index] as KeyState;
      const verdict = (status: KeyStatus, detail = '') => outcomes.push({ db, key, status, detail });
      if (left.type === 'none') continue; // deleted or expired on the source since the scan: nothing to compare
      if (right.type === 'none') {
        if (left.pttl >= 0 && left.pttl <= this.tolerance) continue; // expiring: the target may have expired it first
        if ((await this.source.run(db, () => sourceDb.exists(key))) === 0) continue;
        verdict('MISSING', `${left.type} missing on the target`);
        continue;
      }
      if (left.type !== right.type) {
        verdict('TYPE', `source ${left.type}, target ${right.type}`);
        continue;
      }
      const sameDump = left.digest !== null && left.digest === right.digest;
      const valueDifference = sameDump ? undefined : await this.source.run(db, () => describeValueDifference(left.type, key, sourceDb, targetDb));
      if (valueDifference) {
        verdict('VALUE', valueDifference);
        continue;
      }
      const ttlDifference = describeTtlDifference(left.pttl, right.pttl, this.tolerance);
      verdict(ttlDifference ? 'TTL' : 'OK', ttlDifference);
    }
    return outcomes;
  }

  /** EXTRA for keys scanned on the target that the source does not have; nothing for the others. */
  async findExtraKeys(db: number, keys: Buffer[]): Promise<Outcome[]> {
    const [sourceDb, targetDb] = await Promise.all([this.source.db(db), this.target.db(db)]);
    const exists = (await this.source.run(db, () => sourceDb.callBuffer('EVAL', existsScript, keys.length, ...keys))) as number[];
    const candidates = keys.filter((_, index) => exists[index] === 0);
    if (candidates.length === 0) return [];
    const states = await this.target.run(db, () => readStates(targetDb, candidates));
    const outcomes: Outcome[] = [];
    for (const [index, key] of candidates.entries()) {
      const state = states[index] as KeyState;
      if (state.type === 'none' || (state.pttl >= 0 && state.pttl <= this.tolerance)) continue;
      outcomes.push({ db, key, status: 'EXTRA', detail: `${state.type} exists only on the target` });
    }
    return outcomes;
  }

  /**
   * Checks earlier differences again: an EXTRA key may now exist on the source too, and any key may have
   * become equal. Keys that vanished from both sides get no verdict. Returns the new verdicts.
   */
  async recheck(previous: Outcome[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const byDb = new Map<number, Buffer[]>();
    for (const { db, key } of previous) byDb.set(db, [...(byDb.get(db) ?? []), key]);
    for (const [db, keys] of byDb) {
      const fromSource = await this.checkSourceKeys(db, keys);
      const seen = new Set(fromSource.map(({ key }) => key.toString('latin1')));
      const rest = keys.filter((key) => !seen.has(key.toString('latin1')));
      outcomes.push(...fromSource, ...(rest.length > 0 ? await this.findExtraKeys(db, rest) : []));
    }
    return outcomes;
  }
}

function describeTtlDifference(source: number, target: number, tolerance: number): string | undefined {
  if (source < 0 && target < 0) return undefined;
  if (source < 0) return `source has no TTL, target expires in ${target} ms`;
  if (target < 0) return `source expires in ${source} ms, target has no TTL`;
  const difference = Math.abs(source - target);
  return difference > tolerance ? `TTLs differ by ${difference} ms (source ${source} ms, target ${target} ms)` : undefined;
}

/**
 * TYPE, PTTL and a SHA-1 of the DUMP payload of a batch of keys in one script call: one round trip and a small
 * reply per batch (big keys never travel), instead of three commands per key.
 */
const readStatesScript = `
local reply = {}
for i, key in ipairs(KEYS) do
  reply[3 * i - 2] = redis.call('TYPE', key)['ok']
  reply[3 * i - 1] = redis.call('PTTL', key)
  local payload = redis.call('DUMP', key)
  reply[3 * i] = payload and redis.sha1hex(payload) or false
end
return reply
`;

const existsScript = `
local reply = {}
for i, key in ipairs(KEYS) do reply[i] = redis.call('EXISTS', key) end
return reply
`;

async function readStates(redis: Redis, keys: Buffer[]): Promise<KeyState[]> {
  const replies = (await redis.call('EVAL', readStatesScript, keys.length, ...keys)) as Array<string | number | null>;
  return keys.map((_, index) => ({
    type: String(replies[3 * index]),
    pttl: Number(replies[3 * index + 1]),
    digest: (replies[3 * index + 2] as string | null) ?? null,
  }));
}

