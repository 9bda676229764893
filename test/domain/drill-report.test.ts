import { describe, expect, it } from 'vitest';
import { buildDrillReport, type DrillReport, drillReportSections } from '../../src/domain/drill.ts';
import { DRILL_BASE, type Incident, type TimelineEvent } from '../../src/domain/incident.ts';

const START = new Date('2026-11-30T10:00:00Z');
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);

const drill: Incident = {
  number: DRILL_BASE + 3,
  title: 'Practice P1 on fleet-api',
  severity: 'P1',
  status: 'resolved',
  flags: [],
  openedAt: START,
  openedBy: 'U0000LEAD',
  acknowledgedAt: at(20),
  acknowledgedBy: 'U0000ONCALL',
  resolvedAt: at(50),
  resolvedBy: 'U0000ONCALL',
  alertCount: 0,
  repeatCount: 0,
  checklist: {
    'during.ticket': { by: 'U0000LEAD', at: START },
    'during.severity': { by: 'U0000ONCALL', at: at(25) },
    'post.debrief': { by: 'U0000ONCALL', at: at(40) },
  },
  drill: { speed: 60, notify: 'people', includeCto: false, startedBy: 'U0000LEAD' },
};

function escalated(
  seconds: number,
  dueSeconds: number,
  step: string,
  people: string[],
  unheld?: string[],
  lateMs?: number,
): TimelineEvent {
  return {
    at: at(seconds),
    kind: 'escalated',
    actor: 'fleetbot',
    text: `Paged for ${step}`,
    details: {
      step,
      roles: ['oncall'],
      people,
      dueAt: at(dueSeconds).toISOString(),
      ...(unheld ? { unheld } : {}),
      ...(lateMs ? { lateMs } : {}),
    },
  };
}

const timeline: TimelineEvent[] = [
  { at: START, kind: 'opened', actor: 'U0000LEAD', text: 'Drill started' },
  escalated(0.2, 0, 'page', ['U0000ONCALL'], ['engineeringManager']),
  escalated(0.2, 0, 'rule.0', ['U0000LEAD']),
  // The worker was down when the first deadline was due: it fired 9 s late, and said so.
  escalated(24, 15, 'deadline.1', ['U0000ONCALL', 'U0000LEAD', 'U0000DEVOPS'], undefined, 9_000),
  { at: at(20), kind: 'acknowledged', actor: 'U0000ONCALL', text: 'Acknowledged' },
  { at: at(22), kind: 'note', actor: 'U0000DEVOPS', text: 'looking <!channel>' },
  { at: at(50), kind: 'resolved', actor: 'U0000ONCALL', text: 'Resolved' },
];

function report(
  overrides: Partial<Incident> = {},
  directMessages: { key: string; status: string; error?: string }[] = [],
): DrillReport {
  return buildDrillReport({ incident: { ...drill, ...overrides }, timeline, directMessages });
}

describe('a drill report', () => {
  it('lists each step with its delay, marks the late one, and who answered after how long', () => {
    const built = report();
    expect(built.steps.map((step) => [step.key, step.dueAfterMs, step.lateMs])).toEqual([
      ['page', 0, 0],
      ['rule.0', 0, 0],
      ['deadline.1', 15_000, 9_000],
    ]);
    expect(built.acknowledged).toEqual({ by: 'U0000ONCALL', afterMs: 20_000 });
    expect(built.answered.map((answer) => [answer.user, answer.afterMs])).toEqual([
      ['U0000ONCALL', 20_000],
      ['U0000DEVOPS', 22_000],
    ]);
    // Who started it (and was paged by the 0s rule) counts neither as answering nor as silent.
    expect(built.silent).toEqual([]);
    expect(built.unheld).toEqual(['engineeringManager']);
    expect(built.checklist).toEqual({ ticked: 2, total: 9 });
    expect(built).toMatchObject({ ended: 'resolved', endedBy: 'U0000ONCALL' });
  });

  it('names people who never answered and DMs that failed, and says how it ended', () => {
    const settings = { speed: 60, notify: 'people', includeCto: false, startedBy: 'U0000MANAGER' } as const;
    const built = report(
      { acknowledgedAt: undefined, acknowledgedBy: undefined, resolvedBy: 'fleetbot', drill: settings },
      [
        {
          key: `escalation.${DRILL_BASE + 3}.deadline.1.U0000LEAD`,
          status: 'failed',
          error: 'channel_not_found',
        },
        { key: `escalation.${DRILL_BASE + 3}.page.U0000ONCALL`, status: 'delivered' },
      ],
    );
    expect(built.ended).toBe('timed-out');
    expect(built.endedBy).toBeUndefined();
    expect(built.silent).toEqual(['U0000LEAD']);
    expect(built.failedDms).toEqual([{ user: 'U0000LEAD', step: 'deadline.1', error: 'channel_not_found' }]);
    expect(
      report({
        drill: { speed: 60, notify: 'people', includeCto: false, startedBy: 'U0000LEAD', stopped: true },
      }).ended,
    ).toBe('stopped');
  });

  it('reads as sentences, with production times beside the drill’s and text made safe by the medium', () => {
    const sections = drillReportSections(
      report({}, [
        { key: `escalation.${DRILL_BASE + 3}.page.U0000ONCALL`, status: 'failed', error: 'is_archived' },
      ]),
      {
        who: (user) => `@${user}`,
        duration: (ms) => `${ms / 1000} s`,
        role: (id) => id.toUpperCase(),
        text: (text) => text.replaceAll('<', '&lt;'),
      },
    );
    expect(sections.map((part) => part.title)).toEqual([
      'Drill report DRILL-3',
      'Escalation steps',
      'Answers',
      'To fix',
    ]);
    const lines = sections.flatMap((part) => part.lines);
    expect(lines).toContain(
      'deadline.1: ONCALL → @U0000ONCALL, @U0000LEAD, @U0000DEVOPS by DM + thread mention, due at +15 s (900 s in production), fired at +24 s — ⚠️ late by 9 s',
    );
    expect(lines).toContain('Acknowledged by @U0000ONCALL after 20 s (1200 s in production).');
    expect(lines).toContain('@U0000DEVOPS answered after 22 s: looking &lt;!channel>');
    expect(lines).toContain('Steps late: deadline.1 by 9 s.');
    expect(lines).toContain('ENGINEERINGMANAGER has no Slack id in fleetbot.yml: nobody was paged for it.');
    expect(lines).toContain('DM to @U0000ONCALL (page) failed: is_archived.');
  });
});
