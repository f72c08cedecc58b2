/**
 * The plan's policy as numbers and groups, pure: how many failures it tolerates, and its waves (the explicit ones,
 * or one wave of every item in file order). Shared by the plan workflow and the client.
 *
 * Imported by workflow code: keep it free of zod, Node built-ins and I/O.
 */

/** A share of the items, `10%` or `2.5%`. */
export const PERCENT = /^(\d{1,3}(?:\.\d+)?)%$/;

/** How many failed items the plan tolerates among `itemCount`: the count, or the share rounded down. */
export function toleratedFailures(tolerance: number | string, itemCount: number): number {
  if (typeof tolerance === 'number') return tolerance;
  return Math.floor((Number(PERCENT.exec(tolerance)?.[1] ?? 0) / 100) * itemCount);
}

export interface Wave {
  name: string;
  keys: string[];
}

/** The plan's waves: as written (`wave-N` where unnamed), or one wave `all` of every item in file order. */
export function wavesOf(plan: {
  waves?: Array<{ name?: string | undefined; items: string[] }> | undefined;
  items: Array<{ key: string }>;
}): Wave[] {
  if (!plan.waves) return [{ name: 'all', keys: plan.items.map((item) => item.key) }];
  return plan.waves.map((wave, index) => ({ name: wave.name ?? `wave-${index + 1}`, keys: [...wave.items] }));
}

/**
 * The ETA's assumptions before anything was measured (`eta` of the plan file): the full-sync rate and the time an
 * item spends outside its full sync. Measured on the emulator (bench/plan-eta.ts) and rounded; a real DCS task is
 * slower to provision, which the plan learns from its first items.
 */
export const DEFAULT_ETA_PRIOR = {
  bytesPerSecond: 8 * 1024 * 1024,
  keysPerSecond: 20_000,
  overheadMs: 60_000,
} as const;
