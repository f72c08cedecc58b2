import type { Redis } from 'ioredis';
import { describeChunkedDifference } from './chunked-equality.js';
import type { RedisSide } from './redis-side.js';
import { describeValueDifference } from './value-equality.js';

/** How a key differs: missing on the target, extra on the target, another type, another TTL, another value. */
export type DifferenceKind = 'MISSING' | 'EXTRA' | 'TYPE' | 'TTL' | 'VALUE';
export type KeyStatus = 'OK' | DifferenceKind;

/**
 * How deep a key is compared (redis-full-check's comparison modes):
 * - `outline`: existence and type only;
 * - `length`: also the length (STRLEN, HLEN, LLEN, SCARD, ZCARD, XLEN) and the TTL;
 * - `full`: also the value (DUMP digests, else a typed comparison, in chunks for big keys).
 */
export type CompareMode = 'outline' | 'length' | 'full';

/** One key's verdict. */
export interface Outcome {
  db: number;
  key: Buffer;
  status: KeyStatus;
  /** The key's type on the source (on the target for EXTRA). */
  type: string;
  detail: string;
}

/** How the checker decides; see `CompareOptions` for the meaning and defaults. */
export interface CheckSettings {
  tolerance: number;
  mode: CompareMode;
  /** Collections with more elements than this are compared in chunks of `chunkSize` (no DUMP of the whole key). */
  bigKeyThreshold: number;
  /** Collections with more elements than this are compared by length only. */
  lengthOnlyAbove: number;
  chunkSize: number;
}

interface KeyState {
  type: string;
  pttl: number;
  /** Bytes of a string, elements of a collection; 0 in outline mode. */
  length: number;
  /** SHA-1 of the DUMP payload; null in outline and length modes, and for big collections. */
  digest: string | null;
}

/** Decides the status of keys; keys that turn out to need no verdict (gone from both sides) get none. */
export class KeyChecker {
  constructor(
    readonly source: RedisSide,
    readonly target: RedisSide,
    readonly settings: CheckSettings,
  ) {}

  get tolerance(): number {
    return this.settings.tolerance;
  }

  /** MISSING, TYPE, VALUE, TTL or OK for keys scanned on the source. */
  async checkSourceKeys(db: number, keys: Buffer[]): Promise<Outcome[]> {
    const [sourceDb, targetDb] = await Promise.all([this.source.db(db), this.target.db(db)]);
    const [before, after] = await Promise.all([
      readStates(this.source, db, keys, this.settings),
      readStates(this.target, db, keys, this.settings),
    ]);
    const outcomes: Outcome[] = [];
    for (const [index, key] of keys.entries()) {
      const left = before[index] as KeyState;
      const right = after[index] as KeyState;
      const verdict = (status: KeyStatus, detail = '') => outcomes.push({ db, key, status, type: left.type, detail });
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
      if (this.settings.mode === 'outline') {
        verdict('OK');
        continue;
      }
      const valueDifference = await this.source.run(db, () => this.describeValue(key, left, right, sourceDb, targetDb));
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
    const exists = (await this.source.evalKeys(db, existsScript, keys, [])) as number[];
    const candidates = keys.filter((_, index) => exists[index] === 0);
    if (candidates.length === 0) return [];
    const states = await readStates(this.target, db, candidates, { ...this.settings, mode: 'outline' });
    const outcomes: Outcome[] = [];
    for (const [index, key] of candidates.entries()) {
      const state = states[index] as KeyState;
      if (state.type === 'none' || (state.pttl >= 0 && state.pttl <= this.tolerance)) continue;
      outcomes.push({ db, key, status: 'EXTRA', type: state.type, detail: `${state.type} exists only on the target` });
    }
    return outcomes;
  }

  /**
   * Checks earlier differences again: an EXTRA key may now exist on the source too, and any key may have
   * become equal. Keys that vanished from both sides get no verdict. Returns the new verdicts.
   */
  async recheck(previous: Array<Pick<Outcome, 'db' | 'key'>>): Promise<Outcome[]> {
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

  /** Lengths first (cheap); then, in full mode, digests, and a typed comparison when they differ. */
  private async describeValue(
    key: Buffer,
    left: KeyState,
    right: KeyState,
    sourceDb: Redis,
    targetDb: Redis,
  ): Promise<string | undefined> {
    const { type, length } = left;
    const unit = type === 'string' ? 'bytes' : 'elements';
    if (length !== right.length)
      return `${type} lengths differ: source ${length} ${unit}, target ${right.length} ${unit}`;
    if (this.settings.mode === 'length') return undefined;
    if (left.digest !== null && left.digest === right.digest) return undefined;
    if (type !== 'string' && length > this.settings.lengthOnlyAbove) return undefined;
    if (type !== 'string' && length > this.settings.chunkSize)
      return describeChunkedDifference(type, key, length, sourceDb, targetDb, this.settings.chunkSize);
    return describeValueDifference(type, key, sourceDb, targetDb);
  }
}

function describeTtlDifference(source: number, target: number, tolerance: number): string | undefined {
  if (source < 0 && target < 0) return undefined;
  if (source < 0) return `source has no TTL, target expires in ${target} ms`;
  if (target < 0) return `source expires in ${source} ms, target has no TTL`;
  const difference = Math.abs(source - target);
  return difference > tolerance
    ? `TTLs differ by ${difference} ms (source ${source} ms, target ${target} ms)`
    : undefined;
}

/**
 * TYPE, PTTL, length and a SHA-1 of the DUMP payload of a batch of keys in one script call: one round trip and
 * a small reply per batch (values never travel), instead of several commands per key. ARGV[1] is the mode,
 * ARGV[2] the element count above which a collection is not DUMPed (big keys are compared in chunks instead).
 */
const readStatesScript = `
local lengths = { string = 'STRLEN', hash = 'HLEN', list = 'LLEN', set = 'SCARD', zset = 'ZCARD', stream = 'XLEN' }
local mode, big = ARGV[1], tonumber(ARGV[2])
local reply = {}
for i, key in ipairs(KEYS) do
  local kind = redis.call('TYPE', key)['ok']
  local length, digest = 0, false
  if mode ~= 'outline' and lengths[kind] then length = redis.call(lengths[kind], key) end
  if mode == 'full' and kind ~= 'none' and (kind == 'string' or length <= big) then
    local payload = redis.call('DUMP', key)
    if payload then digest = redis.sha1hex(payload) end
  end
  reply[4 * i - 3] = kind
  reply[4 * i - 2] = redis.call('PTTL', key)
  reply[4 * i - 1] = length
  reply[4 * i] = digest
end
return reply
`;

const existsScript = `
local reply = {}
for i, key in ipairs(KEYS) do reply[i] = redis.call('EXISTS', key) end
return reply
`;

async function readStates(side: RedisSide, db: number, keys: Buffer[], settings: CheckSettings): Promise<KeyState[]> {
  const replies = (await side.evalKeys(db, readStatesScript, keys, [settings.mode, settings.bigKeyThreshold])) as Array<
    string | number | null
  >;
  return keys.map((_, index) => ({
    type: String(replies[4 * index]),
    pttl: Number(replies[4 * index + 1]),
    length: Number(replies[4 * index + 2]),
    digest: (replies[4 * index + 3] as string | null) ?? null,
  }));
}
