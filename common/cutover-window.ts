/**
 * The cutover window: a daily stretch of wall-clock time in an IANA time zone (`02:00`–`04:00` Asia/Shanghai,
 * optionally only on some weekdays) in which a cutover may run. Pure arithmetic over luxon, used by the input
 * schema (is the zone known, is the time well formed) and by workflow code (is the window open now, when does it
 * open next). Workflow code passes workflow time (`Date.now()` in the sandbox), so the answer replays the same.
 *
 * luxon works inside the workflow bundle (webpack, checked by the time-skipping tests, which run this code in the
 * sandbox): its zone arithmetic uses `Intl.DateTimeFormat`, which the sandbox has. One caveat no library avoids:
 * the zone rules come from the worker's ICU data, so a worker with older tzdata replaying a history across a
 * changed DST rule could compute another boundary.
 *
 * This module is imported by workflow code: keep it free of Node built-ins and I/O.
 */
import { DateTime, IANAZone } from 'luxon';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface CutoverWindow {
  /** `HH:MM`, 24-hour, local time in `timeZone`. */
  start: string;
  /** `HH:MM`; earlier than `start` means the window ends the next day (`22:00`–`02:00`). */
  end: string;
  /** IANA zone name (`Asia/Shanghai`, `UTC`). */
  timeZone: string;
  /** Weekdays (in `timeZone`) on which the window starts; every day when absent. */
  days?: Weekday[];
}

export interface WindowState {
  open: boolean;
  /** While open: when this window closes (ms since epoch). */
  closesAt?: number;
  /** While closed: when the next window opens (ms since epoch). */
  opensAt?: number;
}

/** `HH:MM`, 00:00 to 23:59. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Hours and minutes of `HH:MM`, or undefined when malformed. */
export function parseTimeOfDay(value: string): { hour: number; minute: number } | undefined {
  const match = TIME_OF_DAY.exec(value);
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : undefined;
}

/** True for a zone name luxon (that is, the runtime's Intl) knows. */
export function isKnownTimeZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

/**
 * Whether `window` is open at `nowMs`, and when it closes or next opens. The windows of consecutive days never
 * overlap (each lasts less than 24 h), so the first one that has not ended yet is the answer. A start that falls
 * into a DST gap moves forward by the gap, as luxon resolves nonexistent local times.
 */
export function windowState(window: CutoverWindow, nowMs: number): WindowState {
  const start = parseTimeOfDay(window.start);
  const end = parseTimeOfDay(window.end);
  if (!start || !end) throw new RangeError(`cutover window times must be HH:MM, got ${window.start}–${window.end}`);
  const crossesMidnight = end.hour * 60 + end.minute <= start.hour * 60 + start.minute;
  const today = DateTime.fromMillis(nowMs, { zone: window.timeZone }).startOf('day');
  // From yesterday (a window crossing midnight may still be open) over a week and a day, whatever `days` allows.
  for (let offset = -1; offset <= 8; offset++) {
    const day = today.plus({ days: offset });
    if (window.days && !window.days.includes(WEEKDAYS[day.weekday - 1]!)) continue;
    const opens = day.set({ hour: start.hour, minute: start.minute }).toMillis();
    const closes = day
      .plus({ days: crossesMidnight ? 1 : 0 })
      .set({ hour: end.hour, minute: end.minute })
      .toMillis();
    if (closes <= nowMs) continue;
    return opens <= nowMs ? { open: true, closesAt: closes } : { open: false, opensAt: opens };
  }
  throw new RangeError('cutover window has no day to open on');
}

/** `02:00–04:00 Asia/Shanghai (mon, tue)`, for status lines. */
export function describeWindow(window: CutoverWindow): string {
  return `${window.start}–${window.end} ${window.timeZone}${window.days ? ` (${window.days.join(', ')})` : ''}`;
}

/** `3 h 12 min`, `45 s`: how far off a window boundary is, for people. */
export function formatWait(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.ceil(ms / 1000))} s`;
  const minutes = Math.ceil(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  return (
    [days ? `${days} d` : '', hours ? `${hours} h` : '', rest ? `${rest} min` : ''].filter(Boolean).join(' ') || '0 min'
  );
}
