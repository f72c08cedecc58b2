/**
 * Huawei's API gateway answer when a tenant goes over its rate limit: HTTP 429, `error_code` `APIGW.0308`, and a
 * message that names the limit (fleet-and-long-life.md §4; a real one, terraform-provider-huaweicloud#1335):
 *
 *     The throttling threshold has been reached: policy user over ratelimit,limit:200,time:5 minute
 *
 * No `Retry-After` is documented. The client reads the limit out of the message to pace itself under it
 * (`dcs/throttle.ts`); the emulator writes the same message (`emulator/faults/`, its `--rate-limit`).
 */
import type { RateLimit } from '../../common/rate-limit.js';

/** The gateway's error code for a throttled call. */
export const THROTTLED_ERROR_CODE = 'APIGW.0308';

const UNIT_MS: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The gateway's message for `rate` (its window in whole seconds, minutes, hours or days, as Huawei writes it). */
export function throttlingMessage(rate: RateLimit, policy = 'user'): string {
  const unit = ['day', 'hour', 'minute', 'second'].find((name) => rate.windowMs % UNIT_MS[name]! === 0) ?? 'second';
  const count =
    unit === 'second' && rate.windowMs % 1_000 !== 0 ? rate.windowMs / 1_000 : rate.windowMs / UNIT_MS[unit]!;
  return `The throttling threshold has been reached: policy ${policy} over ratelimit,limit:${rate.limit},time:${count} ${unit}`;
}

/** The limit a throttling message names (`limit:200,time:5 minute`), or undefined when it names none. */
export function parseThrottlingMessage(message: string | undefined): RateLimit | undefined {
  const match = /limit:\s*(\d+)\s*,\s*time:\s*(\d+(?:\.\d+)?)\s*(second|minute|hour|day)s?/i.exec(message ?? '');
  if (!match) return undefined;
  const limit = Number(match[1]);
  const windowMs = Math.round(Number(match[2]) * UNIT_MS[match[3]!.toLowerCase()]!);
  return limit > 0 && windowMs > 0 ? { limit, windowMs } : undefined;
}
