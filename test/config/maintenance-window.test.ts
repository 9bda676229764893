import { describe, expect, it } from 'vitest';
import { nextMaintenanceWindow } from '../../src/config/index.ts';

// The runbook's window: first Sunday of the month, 02:00–06:00 Eastern.
const runbook = {
  schedule: { week: 'first', day: 'sun' },
  start: '02:00',
  end: '06:00',
  timezone: 'America/New_York',
} as const;

const iso = (window: { start: Date; end: Date }) => [window.start.toISOString(), window.end.toISOString()];
const hours = (window: { start: Date; end: Date }) =>
  (window.end.getTime() - window.start.getTime()) / 3_600_000;

describe('nextMaintenanceWindow', () => {
  it('finds the first Sunday in daylight time (EDT, UTC−4)', () => {
    const window = nextMaintenanceWindow(runbook, new Date('2025-10-01T12:00:00Z'));
    expect(iso(window)).toEqual(['2025-10-05T06:00:00.000Z', '2025-10-05T10:00:00.000Z']);
  });

  it('is computed in the zone on the November night the clocks fall back', () => {
    // 2025-11-02 is the first Sunday and the end of DST (02:00 EDT → 01:00 EST):
    // 02:00 local happens only after the change, in EST.
    const window = nextMaintenanceWindow(runbook, new Date('2025-11-01T12:00:00Z'));
    expect(iso(window)).toEqual(['2025-11-02T07:00:00.000Z', '2025-11-02T11:00:00.000Z']);
    expect(hours(window)).toBe(4);
  });

  it('takes the first occurrence of a repeated time and counts real hours across the change', () => {
    // 01:00 happens twice on 2025-11-02; 01:00–03:00 on the wall lasts 3 real hours.
    const window = nextMaintenanceWindow(
      { ...runbook, start: '01:00', end: '03:00' },
      new Date('2025-11-01T00:00:00Z'),
    );
    expect(iso(window)).toEqual(['2025-11-02T05:00:00.000Z', '2025-11-02T08:00:00.000Z']);
    expect(hours(window)).toBe(3);
  });

  it('moves a start skipped by the March change to the end of the gap', () => {
    // 2026-03-08 (second Sunday): clocks jump 02:00 EST → 03:00 EDT, so 02:00 does not exist.
    const secondSunday = { ...runbook, schedule: { week: 'second', day: 'sun' } } as const;
    const window = nextMaintenanceWindow(secondSunday, new Date('2026-03-01T12:00:00Z'));
    expect(iso(window)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-08T10:00:00.000Z']);
    expect(hours(window)).toBe(3);
  });

  it('uses winter time before the March change and summer time after it', () => {
    expect(iso(nextMaintenanceWindow(runbook, new Date('2026-02-15T00:00:00Z')))).toEqual([
      '2026-03-01T07:00:00.000Z',
      '2026-03-01T11:00:00.000Z',
    ]);
    expect(iso(nextMaintenanceWindow(runbook, new Date('2026-03-02T00:00:00Z')))).toEqual([
      '2026-04-05T06:00:00.000Z',
      '2026-04-05T10:00:00.000Z',
    ]);
  });

  it('handles another zone and the last weekday of the month', () => {
    // Europe/London springs forward at 01:00 GMT on 2026-03-29, the last Sunday of March.
    const london = {
      schedule: { week: 'last', day: 'sun' },
      start: '01:00',
      end: '05:00',
      timezone: 'Europe/London',
    } as const;
    expect(iso(nextMaintenanceWindow(london, new Date('2026-03-20T00:00:00Z')))).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T04:00:00.000Z',
    ]);
  });

  it('returns the window in progress, and the next one once it has ended', () => {
    const current = nextMaintenanceWindow(runbook, new Date('2025-11-02T08:00:00Z'));
    expect(iso(current)).toEqual(['2025-11-02T07:00:00.000Z', '2025-11-02T11:00:00.000Z']);
    const next = nextMaintenanceWindow(runbook, current.end);
    expect(iso(next)).toEqual(['2025-12-07T07:00:00.000Z', '2025-12-07T11:00:00.000Z']);
  });

  it('crosses the year boundary', () => {
    expect(iso(nextMaintenanceWindow(runbook, new Date('2025-12-20T00:00:00Z')))).toEqual([
      '2026-01-04T07:00:00.000Z',
      '2026-01-04T11:00:00.000Z',
    ]);
  });

  it('runs past midnight into the next month when the end is before the start', () => {
    // 2026-01-31 is the last Saturday of January; 23:00–01:00 ends on 1 February.
    const overnight = {
      schedule: { week: 'last', day: 'sat' },
      start: '23:00',
      end: '01:00',
      timezone: 'America/New_York',
    } as const;
    const window = nextMaintenanceWindow(overnight, new Date('2026-02-01T04:30:00Z'));
    expect(iso(window)).toEqual(['2026-02-01T04:00:00.000Z', '2026-02-01T06:00:00.000Z']);
  });

  it('lasts a whole day when the end is the start: the same time the next day, never an empty window', () => {
    const allDay = { ...runbook, start: '02:00', end: '02:00' };
    const window = nextMaintenanceWindow(allDay, new Date('2026-06-01T00:00:00Z'));
    expect(iso(window)).toEqual(['2026-06-07T06:00:00.000Z', '2026-06-08T06:00:00.000Z']);
  });
});
