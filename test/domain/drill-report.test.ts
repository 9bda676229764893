import { describe, expect, it } from 'vitest';
import {
  buildDrillReport,
  type DrillReport,
  drillReportSections,
  unrecordedSteps,
} from '../../src/domain/drill.ts';
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

/** The drill's settings above, to vary one at a time. */
const SETTINGS = { speed: 60, notify: 'people', includeCto: false, startedBy: 'U0000LEAD' } as const;

const plain = {
  who: (user: string) => `@${user}`,
  duration: (ms: number) => `${ms / 1000} s`,
  role: (id: string) => id,
  text: (text: string) => text,
};

describe('a drill report, whole', () => {
  it('reads every part of a drill that paged people: roles, routes, late steps, silence, failures', () => {
    const silentTimeline: TimelineEvent[] = [
      { at: START, kind: 'opened', actor: 'U0000LEAD', text: 'Drill started' },
      escalated(0, 0, 'page', ['U0000ONCALL']),
      escalated(20, 15, 'deadline.1', ['U0000ONCALL', 'U0000MANAGER'], undefined, 5_000),
      escalated(40, 30, 'deadline.2', ['U0000ONCALL', 'U0000MANAGER', 'U0000CTO'], undefined, 10_000),
      // What the one who started it does says nothing about the matrix.
      { at: at(42), kind: 'note', actor: 'U0000LEAD', text: 'watching' },
      { at: at(45), kind: 'note', actor: 'U0000ONCALL', text: 'here' },
      { at: at(60), kind: 'resolved', actor: 'U0000LEAD', text: 'Resolved' },
    ];
    const built = buildDrillReport({
      incident: {
        ...drill,
        acknowledgedAt: undefined,
        acknowledgedBy: undefined,
        resolvedAt: at(60),
        resolvedBy: 'U0000LEAD',
        drill: { speed: 60, notify: 'people', includeCto: false, startedBy: 'U0000LEAD' },
      },
      timeline: silentTimeline.map((event) =>
        event.kind === 'escalated'
          ? { ...event, details: { ...event.details, roles: ['oncall', 'teamLead'] } }
          : event,
      ),
      directMessages: [
        { key: `escalation.${DRILL_BASE + 3}.deadline.1.U0000MANAGER`, status: 'failed' },
        {
          key: `escalation.${DRILL_BASE + 3}.deadline.2.U0000MANAGER`,
          status: 'failed',
          error: 'user_not_found',
        },
      ],
    });
    expect(drillReportSections(built, plain)).toEqual([
      {
        title: 'Drill report DRILL-3',
        lines: [
          'P1 drill "Practice P1 on fleet-api" at ×60, DMs to people; started by @U0000LEAD, resolved by @U0000LEAD after 60 s.',
          'Checklist: 2 of 9 "During incident" items ticked.',
        ],
      },
      {
        title: 'Escalation steps',
        lines: [
          'page: oncall, teamLead → @U0000ONCALL by DM + thread mention, due at +0 s (0 s in production), fired at +0 s',
          'deadline.1: oncall, teamLead → @U0000ONCALL, @U0000MANAGER by DM + thread mention, due at +15 s (900 s in production), fired at +20 s — ⚠️ late by 5 s',
          'deadline.2: oncall, teamLead → @U0000ONCALL, @U0000MANAGER, @U0000CTO by DM + thread mention, due at +30 s (1800 s in production), fired at +40 s — ⚠️ late by 10 s',
        ],
      },
      {
        title: 'Answers',
        lines: [
          'Nobody acknowledged it.',
          '@U0000ONCALL answered after 45 s: here',
          'Never answered: @U0000MANAGER, @U0000CTO.',
        ],
      },
      {
        title: 'To fix',
        lines: [
          'Steps late: deadline.1 by 5 s, deadline.2 by 10 s.',
          'DM to @U0000MANAGER (deadline.1) failed: not delivered.',
          'DM to @U0000MANAGER (deadline.2) failed: user_not_found.',
        ],
      },
    ]);
  });

  it('reads a drill in the thread only, at production speed, where nothing fired', () => {
    const built = buildDrillReport({
      incident: {
        ...drill,
        acknowledgedAt: at(600),
        acknowledgedBy: 'U0000ONCALL',
        resolvedAt: at(3600),
        resolvedBy: 'fleetbot',
        checklist: {},
        drill: { speed: 1, notify: 'channel', includeCto: true, startedBy: 'U0000LEAD' },
      },
      timeline: [{ at: START, kind: 'opened', actor: 'U0000LEAD', text: 'Drill started' }],
      directMessages: [],
    });
    expect(drillReportSections(built, plain)).toEqual([
      {
        title: 'Drill report DRILL-3',
        lines: [
          'P1 drill "Practice P1 on fleet-api" at ×1, mentions in the thread only, CTO included; started by @U0000LEAD, timed out after its last escalation step after 3600 s.',
          'Checklist: 0 of 9 "During incident" items ticked.',
        ],
      },
      { title: 'Escalation steps', lines: ['No step fired.'] },
      { title: 'Answers', lines: ['Acknowledged by @U0000ONCALL after 600 s.', 'Everyone paged answered.'] },
      { title: 'To fix', lines: ['Nothing: every step on time, every DM delivered.'] },
    ]);
  });

  it('says who stopped it, and "someone" when it does not know who ended it', () => {
    const stopped = report({ drill: { ...SETTINGS, stopped: true }, resolvedBy: 'U0000LEAD' });
    expect(drillReportSections(stopped, plain)[0]?.lines[0]).toContain('stopped by @U0000LEAD after 50 s.');
    const unknown = report({ resolvedBy: undefined });
    expect(drillReportSections(unknown, plain)[0]?.lines[0]).toContain('resolved by someone after 50 s.');
    const stoppedUnknown = report({ drill: { ...SETTINGS, stopped: true }, resolvedBy: undefined });
    expect(drillReportSections(stoppedUnknown, plain)[0]?.lines[0]).toContain(
      'stopped by someone after 50 s.',
    );
  });

  it('shows a step without roles or people as such, and a thread-only step by its mention', () => {
    const sections = drillReportSections(
      {
        ...report(),
        steps: [
          {
            key: 'flag.database',
            roles: [],
            people: [],
            route: 'thread',
            dueAfterMs: 0,
            firedAfterMs: 0,
            lateMs: 0,
          },
        ],
      },
      plain,
    );
    expect(sections[1]?.lines).toEqual([
      'flag.database: no role → nobody by thread mention, due at +0 s (0 s in production), fired at +0 s',
    ]);
  });
});

describe('building a drill report', () => {
  it('refuses an incident that is not a drill', () => {
    expect(() =>
      buildDrillReport({
        incident: { ...drill, number: 42, drill: undefined },
        timeline,
        directMessages: [],
      }),
    ).toThrow('INC-42 is not a drill');
  });

  it('mentions people in the thread when the drill notified the channel', () => {
    const built = report({ drill: { ...SETTINGS, notify: 'channel' } });
    expect(built.steps.map((step) => step.route)).toEqual(['thread', 'thread', 'thread']);
  });

  it('ends at the last event when the drill has no resolution time, at its start when nothing happened', () => {
    expect(report({ resolvedAt: undefined }).endedAt).toEqual(at(50));
    const opened: TimelineEvent[] = [
      { at: START, kind: 'opened', actor: 'U0000LEAD', text: 'Drill started' },
    ];
    expect(
      buildDrillReport({ incident: { ...drill, resolvedAt: undefined }, timeline: [], directMessages: [] })
        .endedAt,
    ).toEqual(START);
    expect(
      buildDrillReport({
        incident: { ...drill, resolvedAt: undefined },
        timeline: opened,
        directMessages: [],
      }).endedAt,
    ).toEqual(START);
  });

  it('keeps a step whose details are missing, fired when it was due', () => {
    const built = buildDrillReport({
      incident: drill,
      timeline: [{ at: at(5), kind: 'escalated', actor: 'fleetbot', text: 'Paged' }],
      directMessages: [{ key: 'garbled', status: 'failed' }],
    });
    expect(built.steps).toEqual([
      { key: '?', roles: [], people: [], route: 'dm', dueAfterMs: 5_000, firedAfterMs: 5_000, lateMs: 0 },
    ]);
    expect(built.silent).toEqual([]);
    expect(built.unheld).toEqual([]);
    expect(built.failedDms).toEqual([{ user: '?', step: '?', error: 'not delivered' }]);
  });
});

describe('a drill report waits for', () => {
  it('steps pinged in the thread that the timeline does not record yet', () => {
    const noted: TimelineEvent = {
      at: at(3),
      kind: 'note',
      actor: 'fleetbot',
      text: 'x',
      details: { step: 'rule.1' },
    };
    expect(unrecordedSteps([...timeline, noted], ['page', 'rule.0', 'deadline.9', 'rule.1'])).toEqual([
      'deadline.9',
      'rule.1',
    ]);
    expect(unrecordedSteps(timeline, ['page', 'rule.0'])).toEqual([]);
    expect(
      unrecordedSteps([{ at: at(1), kind: 'escalated', actor: 'fleetbot', text: 'Paged' }], ['page']),
    ).toEqual(['page']);
  });
});
