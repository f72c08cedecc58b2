import type { PollingSettings } from '../common/migration-input.js';

/**
 * The wait before the next status poll: `initialInterval` right after the status changed, then growing by
 * `backoffFactor` per unchanged poll up to `maxInterval`. A quick start catches fast transitions (a small backup
 * import finishes in seconds); the cap keeps a 30-day incremental hold cheap.
 */
export function nextPollIntervalMs(unchangedPolls: number, polling: Pick<PollingSettings, 'initialInterval' | 'maxInterval' | 'backoffFactor'>): number {
  const grown = polling.initialInterval * polling.backoffFactor ** Math.max(0, unchangedPolls);
  return Math.round(Math.min(polling.maxInterval, grown));
}
