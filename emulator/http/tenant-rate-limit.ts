/**
 * A real per-tenant rate limit, as Huawei's API gateway applies one (`--rate-limit 200/5m`): each project may make
 * `limit` DCS calls in any `windowMs` (a sliding window over the calls it let through; a refused call does not
 * count); beyond it the call is answered HTTP 429 `APIGW.0308` with the gateway's message naming the limit. Admin
 * and IAM calls are not counted. The model is the project's one (`common/rate-limit.ts`).
 */
import { SlidingWindow, type RateLimit } from '../../common/rate-limit.js';
import { THROTTLED_ERROR_CODE, throttlingMessage } from '../../dcs/errors/throttling.js';
import { EmulatorApiError } from './api-error.js';

export class TenantRateLimit {
  #rate: RateLimit | undefined;
  readonly #windows = new Map<string, SlidingWindow>();

  constructor(rate?: RateLimit) {
    this.#rate = rate;
  }

  get rate(): RateLimit | undefined {
    return this.#rate;
  }

  /** A new limit (or none) from now on; what each tenant used so far is forgotten. */
  set(rate: RateLimit | undefined): void {
    this.#rate = rate;
    this.#windows.clear();
  }

  /** Counts a call of `tenant`, or throws the gateway's 429 when the tenant is over its limit. */
  admit(tenant: string, now: number): void {
    const rate = this.#rate;
    if (!rate) return;
    let window = this.#windows.get(tenant);
    if (!window) this.#windows.set(tenant, (window = new SlidingWindow(rate)));
    if (window.nextSlot(now) > now) throw throttled(rate);
    window.take(now);
  }
}

/** The gateway's answer to a tenant over `rate`. */
export function throttled(rate: RateLimit): EmulatorApiError {
  return new EmulatorApiError(429, THROTTLED_ERROR_CODE, throttlingMessage(rate));
}
