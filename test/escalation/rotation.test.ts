import { describe, expect, it } from 'vitest';
import { type Rotation, turnAt } from '../../src/escalation/rotation.ts';

const weekly: Rotation = {
  role: 'oncall',
  members: ['UALICE', 'UBOB', 'UCAROL'],
  handoff: { every: 'weekly', day: 'mon', time: '09:00', timezone: 'America/New_York' },
  start: '2026-01-05',
};

describe('turnAt: who is on call', () => {
  it.each([
    // [instant, member, from, until]
    ['2026-01-05T13:59:00Z', 'UCAROL', '2025-12-29T14:00:00.000Z', '2026-01-05T14:00:00.000Z'], // before the first handoff
    ['2026-01-05T14:00:00Z', 'UALICE', '2026-01-05T14:00:00.000Z', '2026-01-12T14:00:00.000Z'], // Monday 09:00 EST
    ['2026-01-11T23:00:00Z', 'UALICE', '2026-01-05T14:00:00.000Z', '2026-01-12T14:00:00.000Z'],
    ['2026-01-12T14:00:00Z', 'UBOB', '2026-01-12T14:00:00.000Z', '2026-01-19T14:00:00.000Z'],
    ['2026-01-26T14:00:00Z', 'UALICE', '2026-01-26T14:00:00.000Z', '2026-02-02T14:00:00.000Z'], // round again
    // Spring forward (Sun 2026-03-08), week 9 (9 mod 3 = 0): the handoff stays 09:00 local, 13:00Z from then on.
    ['2026-03-09T12:59:00Z', 'UCAROL', '2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z'],
    ['2026-03-09T13:00:00Z', 'UALICE', '2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z'],
    // Fall back (Sun 2026-11-01), week 43 (43 mod 3 = 1): 09:00 local is 14:00Z again.
    ['2026-11-02T14:00:00Z', 'UBOB', '2026-11-02T14:00:00.000Z', '2026-11-09T14:00:00.000Z'],
  ])('weekly, at %s: %s', (at, member, from, until) => {
    const turn = turnAt(weekly, new Date(at));
    expect({ member: turn.member, from: turn.from.toISOString(), until: turn.until.toISOString() }).toEqual({
      member,
      from,
      until,
    });
  });

  it('a start that is not the handoff day begins at the next one; daily rotations turn every day', () => {
    const thursday = turnAt({ ...weekly, start: '2026-01-01' }, new Date('2026-01-05T14:00:00Z'));
    expect([thursday.member, thursday.next]).toEqual(['UALICE', 'UBOB']);
    expect([thursday.from.toISOString(), thursday.until.toISOString()]).toEqual([
      '2026-01-05T14:00:00.000Z',
      '2026-01-12T14:00:00.000Z',
    ]);
    const daily: Rotation = { ...weekly, handoff: { ...weekly.handoff, every: 'daily', timezone: 'UTC' } };
    expect(turnAt(daily, new Date('2026-01-05T09:00:00Z')).member).toBe('UALICE');
    expect(turnAt(daily, new Date('2026-01-06T08:59:00Z')).member).toBe('UALICE');
    expect(turnAt(daily, new Date('2026-01-06T09:00:00Z')).member).toBe('UBOB');
    expect(turnAt(daily, new Date('2026-01-08T09:00:00Z')).member).toBe('UALICE');
    expect(turnAt(daily, new Date('2025-12-01T12:00:00Z')).member).toMatch(/^U/);
  });

  it('a daily rotation begins on its start date whatever the weekday: `day` is for weekly handoffs', () => {
    const daily: Rotation = {
      ...weekly,
      handoff: { every: 'daily', day: 'mon', time: '09:00', timezone: 'UTC' },
      start: '2026-01-01', // a Thursday
    };
    const friday = turnAt(daily, new Date('2026-01-02T10:00:00Z'));
    expect([friday.member, friday.from.toISOString(), friday.until.toISOString(), friday.next]).toEqual([
      'UBOB',
      '2026-01-02T09:00:00.000Z',
      '2026-01-03T09:00:00.000Z',
      'UCAROL',
    ]);
  });
});
