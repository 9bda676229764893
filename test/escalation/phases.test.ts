import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/domain/incident.ts';
import { phaseNudges, phaseTargets } from '../../src/escalation/phases.ts';

// The runbook's response phases on an incident: pure, fixed instants, no clock.

const MIN = 60_000;
/** The runbook's targets (defaults.ts): assessment 5 min, investigation 30 min, mitigation 1 h. */
const PHASES = { assessment: 5 * MIN, investigation: 30 * MIN, mitigation: 60 * MIN };
const OPENED = new Date('2026-06-02T14:00:00Z');
const sinceOpen = (ms: number) => new Date(OPENED.getTime() + ms);

const incident: Incident = {
  number: 42,
  title: 'fleet-api 5xx spike',
  severity: 'P1',
  status: 'triggered',
  flags: [],
  openedAt: OPENED,
  alertCount: 1,
  repeatCount: 0,
  checklist: {},
};
const tick = { by: 'U0000ONCALL', at: sinceOpen(MIN) };

describe('phase targets', () => {
  it('gives each phase its deadline from the opening, none done on a fresh incident', () => {
    expect(phaseTargets(incident, PHASES)).toEqual([
      { name: 'Initial assessment', dueAt: sinceOpen(5 * MIN), done: false },
      { name: 'Investigation', dueAt: sinceOpen(30 * MIN), done: false },
      { name: 'Mitigation', dueAt: sinceOpen(60 * MIN), done: false },
    ]);
  });

  it.each<[string, Partial<Incident>, boolean[]]>([
    ['acknowledged: assessment done', { acknowledgedAt: sinceOpen(MIN) }, [true, false, false]],
    [
      'root cause found: investigation done',
      { checklist: { 'during.root-cause': tick } },
      [false, true, false],
    ],
    ['mitigated: every phase done', { mitigatedAt: sinceOpen(MIN) }, [true, true, true]],
    ['resolved: every phase done', { status: 'resolved' }, [true, true, true]],
  ])('%s', (_, change, done) => {
    expect(phaseTargets({ ...incident, ...change }, PHASES).map((target) => target.done)).toEqual(done);
  });

  it("divides a drill's targets by its speed", () => {
    const drill = {
      ...incident,
      drill: { speed: 60, notify: 'people', includeCto: false, startedBy: 'U0000LEAD' },
    } as const;
    expect(phaseTargets(drill, PHASES).map((target) => target.dueAt)).toEqual([
      sinceOpen(5_000),
      sinceOpen(30_000),
      sinceOpen(60_000),
    ]);
  });
});

describe('phase nudges', () => {
  it('nudges a phase that ran over from its deadline on, with what to do next', () => {
    expect(phaseNudges(incident, PHASES, new Set(), sinceOpen(5 * MIN - 1))).toEqual({
      due: [],
      nextAt: sinceOpen(5 * MIN),
    });
    const { due, nextAt } = phaseNudges(incident, PHASES, new Set(), sinceOpen(5 * MIN));
    expect(due).toEqual([
      {
        key: 'nudge.assessment',
        name: 'Initial assessment',
        dueAt: sinceOpen(5 * MIN),
        hint: expect.stringMatching(/^Acknowledge it;/),
      },
    ]);
    expect(nextAt).toEqual(sinceOpen(30 * MIN));
  });

  it('nudges every phase run over at once, each once, and has nothing next after the last', () => {
    const late = phaseNudges(incident, PHASES, new Set(), sinceOpen(2 * 60 * MIN));
    expect(late.due.map((phase) => [phase.key, phase.name, phase.hint.split(' ')[0]])).toEqual([
      ['nudge.assessment', 'Initial assessment', 'Acknowledge'],
      ['nudge.investigation', 'Investigation', 'Gather'],
      ['nudge.mitigation', 'Mitigation', 'Execute'],
    ]);
    expect(late).not.toHaveProperty('nextAt');
    const done = new Set(['nudge.assessment', 'nudge.investigation']);
    expect(
      phaseNudges(incident, PHASES, done, sinceOpen(2 * 60 * MIN)).due.map((phase) => phase.key),
    ).toEqual(['nudge.mitigation']);
  });

  it('skips the phases already behind the incident, and nudges a resolved incident no more', () => {
    const acknowledged = { ...incident, acknowledgedAt: sinceOpen(MIN) };
    expect(phaseNudges(acknowledged, PHASES, new Set(), sinceOpen(10 * MIN))).toEqual({
      due: [],
      nextAt: sinceOpen(30 * MIN),
    });
    const rootCause = { ...acknowledged, checklist: { 'during.root-cause': tick } };
    expect(phaseNudges(rootCause, PHASES, new Set(), sinceOpen(10 * MIN))).toEqual({
      due: [],
      nextAt: sinceOpen(60 * MIN),
    });
    expect(
      phaseNudges({ ...incident, mitigatedAt: sinceOpen(MIN) }, PHASES, new Set(), sinceOpen(10 * MIN)),
    ).toEqual({ due: [] });
    expect(phaseNudges({ ...incident, status: 'resolved' }, PHASES, new Set(), sinceOpen(10 * MIN))).toEqual({
      due: [],
    });
  });

  it('waits for the earliest phase next, whatever order the targets are configured in', () => {
    const investigationFirst = { assessment: 20 * MIN, investigation: 10 * MIN, mitigation: 60 * MIN };
    expect(phaseNudges(incident, investigationFirst, new Set(), sinceOpen(MIN))).toEqual({
      due: [],
      nextAt: sinceOpen(10 * MIN),
    });
  });

  it('nudges a drill at its speed', () => {
    const drill = {
      ...incident,
      drill: { speed: 60, notify: 'people', includeCto: false, startedBy: 'U0000LEAD' },
    } as const;
    expect(phaseNudges(drill, PHASES, new Set(), sinceOpen(5_000)).due.map((phase) => phase.dueAt)).toEqual([
      sinceOpen(5_000),
    ]);
  });
});
