import { describe, expect, it } from 'vitest';
import {
  END_NOTICE_GRACE_MS,
  type MaintenanceNotice,
  noticeChecklist,
  noticeDue,
  noticeId,
  parseNoticeId,
  parseWindowKey,
} from '../../src/domain/maintenance.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEADS = [7 * DAY, DAY];
// The runbook's window: first Sunday of December 2026, 02:00–06:00 New York (07:00Z–11:00Z).
const start = new Date('2026-12-06T07:00:00Z');
const end = new Date('2026-12-06T11:00:00Z');
const ahead = (ms: number) => new Date(start.getTime() - ms);

describe('which maintenance notice is due', () => {
  it.each<[string, Date, MaintenanceNotice | undefined]>([
    ['8 days before: none yet', ahead(8 * DAY), undefined],
    ['7 days before: the 7-day notice', ahead(7 * DAY), { kind: 'before', leadMs: 7 * DAY }],
    ['3 days before: still the 7-day one', ahead(3 * DAY), { kind: 'before', leadMs: 7 * DAY }],
    ['24 h before: the 24-hour notice', ahead(DAY), { kind: 'before', leadMs: DAY }],
    ['1 min before: the 24-hour one', ahead(60_000), { kind: 'before', leadMs: DAY }],
    ['at the start', start, { kind: 'start' }],
    ['inside', new Date(end.getTime() - 1), { kind: 'start' }],
    ['at the end', end, { kind: 'end' }],
    ['within the grace after the end', new Date(end.getTime() + END_NOTICE_GRACE_MS - 1), { kind: 'end' }],
    ['after the grace: none', new Date(end.getTime() + END_NOTICE_GRACE_MS), undefined],
  ])('%s', (_, now, expected) => {
    expect(noticeDue({ start, end }, LEADS, now)).toEqual(expected);
  });

  it('never posts a before-notice whose time came before the window was asked for', () => {
    const createdAt = ahead(2 * DAY);
    expect(noticeDue({ start, end, createdAt }, LEADS, ahead(2 * DAY))).toBeUndefined();
    expect(noticeDue({ start, end, createdAt }, LEADS, ahead(DAY))).toEqual({ kind: 'before', leadMs: DAY });
    // Emergency maintenance from now: only its start and end.
    expect(noticeDue({ start, end, createdAt: start }, LEADS, start)).toEqual({ kind: 'start' });
  });

  it('posts no before-notice without leads', () => {
    expect(noticeDue({ start, end }, [], ahead(HOUR))).toBeUndefined();
  });

  it('names notices and windows by stable ids, read back the same', () => {
    for (const notice of [{ kind: 'before', leadMs: DAY }, { kind: 'start' }, { kind: 'end' }] as const) {
      expect(parseNoticeId(noticeId(notice))).toEqual(notice);
    }
    expect(parseNoticeId('before.x')).toBeUndefined();
    expect([noticeChecklist({ kind: 'before', leadMs: DAY }), noticeChecklist({ kind: 'start' })]).toEqual([
      'pre',
      'during',
    ]);
    expect(noticeChecklist({ kind: 'end' })).toBe('post');
    expect(parseWindowKey(`recurring-${start.getTime()}`)).toEqual({ recurringStart: start });
    expect(parseWindowKey('window-12')).toEqual({ id: 12 });
    expect(parseWindowKey('window-')).toBeUndefined();
  });

  it('reads back only ids it wrote, not longer keys that contain one', () => {
    for (const id of ['before.86400000.old', 'pre-before.86400000', 'before.'])
      expect(parseNoticeId(id)).toBeUndefined();
    for (const key of ['window-12-notice', 'old-window-12', `recurring-${start.getTime()}x`])
      expect(parseWindowKey(key)).toBeUndefined();
  });

  it('posts a notice whose time is the very moment the window was asked for', () => {
    const createdAt = ahead(DAY);
    expect(noticeDue({ start, end, createdAt }, LEADS, createdAt)).toEqual({ kind: 'before', leadMs: DAY });
  });
});
