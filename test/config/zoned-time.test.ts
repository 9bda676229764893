import { describe, expect, it } from 'vitest';
import { instantOf, localDateTime, wallClockAt } from '../../src/config/zoned-time.ts';

const NEW_YORK = 'America/New_York';

describe('localDateTime', () => {
  it.each([
    ['2026-12-06 02:00', '2026-12-06T07:00:00.000Z'],
    ['2026-12-06T02:00', '2026-12-06T07:00:00.000Z'],
    ['  2026-07-05 23:45 ', '2026-07-06T03:45:00.000Z'],
  ])('reads %j as a New York wall clock', (text, instant) => {
    expect(localDateTime(text, NEW_YORK)?.toISOString()).toBe(instant);
  });

  it.each([
    '2026-12-6 02:00',
    '26-12-06 02:00',
    '2026-1-06 02:00',
    '2026-12-06 2:00',
    '2026-12-06 02:0',
    '2026-12-06_02:00',
    '2026-12-06  02:00',
    'on 2026-12-06 02:00',
    '2026-12-06 02:00 EST',
    'yyyy-mm-dd hh:mm',
    '2026-12-06',
  ])('is undefined for %j', (text) => {
    expect(localDateTime(text, NEW_YORK)).toBeUndefined();
  });
});

describe('wall clocks in a zone', () => {
  it('reads the same instant in two zones, one over midnight', () => {
    const instant = new Date('2026-03-01T03:30:00Z');
    expect(wallClockAt(instant, NEW_YORK)).toEqual({ year: 2026, month: 2, day: 28, hour: 22, minute: 30 });
    expect(wallClockAt(instant, 'Europe/Berlin')).toEqual({
      year: 2026,
      month: 3,
      day: 1,
      hour: 4,
      minute: 30,
    });
  });

  it('rolls an overflowing day into the next month', () => {
    expect(instantOf({ year: 2026, month: 1, day: 32, hour: 9, minute: 0 }, NEW_YORK).toISOString()).toBe(
      '2026-02-01T14:00:00.000Z',
    );
  });
});
