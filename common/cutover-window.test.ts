import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatWait, windowState } from './cutover-window.js';

/** Milliseconds of a local time in `zone`. */
function at(iso: string, zone: string): number {
  return DateTime.fromISO(iso, { zone }).toMillis();
}

describe('cutover window', () => {
  const shanghai = { start: '02:00', end: '04:00', timeZone: 'Asia/Shanghai' };

  it('is open between start and end in its zone, and says when it closes or next opens', () => {
    expect(windowState(shanghai, at('2026-05-04T03:00', 'Asia/Shanghai'))).toEqual({
      open: true,
      closesAt: at('2026-05-04T04:00', 'Asia/Shanghai'),
    });
    // 18:00 UTC is 02:00 in Shanghai the next day.
    expect(windowState(shanghai, Date.parse('2026-05-04T17:00:00Z'))).toEqual({
      open: false,
      opensAt: Date.parse('2026-05-04T18:00:00Z'),
    });
    expect(windowState(shanghai, at('2026-05-04T04:00', 'Asia/Shanghai'))).toEqual({
      open: false,
      opensAt: at('2026-05-05T02:00', 'Asia/Shanghai'),
    });
  });

  it('crosses midnight when end is before start, counting the day it started on', () => {
    const night = { start: '22:00', end: '02:00', timeZone: 'UTC', days: ['fri' as const] };
    // Friday 2026-05-08 22:00 to Saturday 02:00.
    expect(windowState(night, Date.parse('2026-05-09T01:00:00Z'))).toEqual({
      open: true,
      closesAt: Date.parse('2026-05-09T02:00:00Z'),
    });
    expect(windowState(night, Date.parse('2026-05-09T03:00:00Z'))).toEqual({
      open: false,
      opensAt: Date.parse('2026-05-15T22:00:00Z'),
    });
  });

  it('follows daylight saving time: the same local hours, another UTC offset', () => {
    const newYork = { start: '01:00', end: '03:00', timeZone: 'America/New_York' };
    expect(windowState(newYork, Date.parse('2026-03-07T12:00:00Z')).opensAt).toBe(Date.parse('2026-03-08T06:00:00Z'));
    // 2026-03-08 02:00 does not exist in New York: the window from 01:00 EST ends at 03:00 EDT (07:00 UTC).
    expect(windowState(newYork, Date.parse('2026-03-08T06:30:00Z'))).toEqual({
      open: true,
      closesAt: Date.parse('2026-03-08T07:00:00Z'),
    });
    expect(windowState(newYork, Date.parse('2026-03-08T12:00:00Z')).opensAt).toBe(Date.parse('2026-03-09T05:00:00Z'));
  });

  it('says how long a wait is in hours and minutes', () => {
    expect(formatWait(3 * 3_600_000 + 12 * 60_000)).toBe('3 h 12 min');
    expect(formatWait(45_000)).toBe('45 s');
    expect(formatWait(26 * 3_600_000)).toBe('1 d 2 h');
  });
});
