import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig, SEVERITY_IDS, type SeverityId } from '../../src/config/index.ts';
import { INCIDENT_FLAGS, type IncidentFlag } from '../../src/domain/incident.ts';
import {
  type EscalationState,
  type EscalationStep,
  evaluate,
  preview,
  spokenDuration,
} from '../../src/escalation/evaluator.ts';
import {
  DEFAULT_MAX_DEADLINE_REPEATS,
  type EscalationPolicy,
  FLAG_ROLES,
  type PolicyConfig,
  policyFor,
} from '../../src/escalation/policy.ts';

// Pure unit tests of the escalation policy and its evaluator on the runbook's defaults: fixed
// instants, no clock, no database. The only I/O is loading the built-in configuration.

function runbookConfig(): Config {
  // An empty fleetbot.yml, so the built-in defaults apply. Named explicitly rather than found in an
  // empty working directory: process.chdir() is not available in worker threads (Stryker's runner).
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'fleetbot-escalation-')), 'fleetbot.yml');
  writeFileSync(file, '');
  return loadConfig({ file, env: {} });
}

const config = runbookConfig();
const MIN = 60_000;
const HOUR = 60 * MIN;

const at = (text: string) => new Date(text);
const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);
const iso = (date: Date | undefined) => date?.toISOString();

/** An ordinary Tuesday, 10:00 in New York: business hours, no maintenance window near. */
const TUESDAY = at('2026-06-02T10:00:00-04:00');

function stateOf(openedAt: Date, more: Partial<EscalationState> = {}): EscalationState {
  return { openedAt, flags: [], manual: [], done: new Set(), windows: [], ...more };
}

/** `[key, minutes after from, roles]`: a preview as people read it. */
function timeline(steps: readonly EscalationStep[], from: Date) {
  return steps.map((step) => [step.key, (step.dueAt.getTime() - from.getTime()) / MIN, step.roles]);
}

function stepOf(steps: readonly EscalationStep[], key: string): EscalationStep {
  const found = steps.find((step) => step.key === key);
  if (!found) throw new Error(`no step ${key} in ${steps.map((step) => step.key).join(', ')}`);
  return found;
}

const keys = (steps: readonly EscalationStep[]) => steps.map((step) => step.key);

/** Everything planned for an incident of `severity` opened at `openedAt`, nobody acknowledging. */
function planFor(severity: SeverityId, openedAt: Date, more: Partial<EscalationState> = {}) {
  return evaluate(policyFor(config, severity), stateOf(openedAt, more), openedAt).planned;
}

/** Every step of a hand-built policy for an incident opened on TUESDAY. */
function planPolicy(policy: EscalationPolicy) {
  return evaluate(policy, stateOf(TUESDAY), TUESDAY).planned;
}

describe('the severity table', () => {
  // The runbook's "Severity Levels" rows; `page` is what defaults.ts says for each.
  const rows: {
    severity: SeverityId;
    page: string[];
    response: number;
    atOpen: [string, string[]][];
    responseText: string;
  }[] = [
    {
      // | **P0 - Critical** | System down, data loss | 5 minutes | Immediate (all hands) |
      // defaults.ts: everyone on the matrix except the CTO, who joins after 2h.
      severity: 'P0',
      page: ['oncall', 'teamLead', 'devopsLead', 'databaseAdmin', 'engineeringManager'],
      response: 5 * MIN,
      responseText: '5 min',
      atOpen: [
        ['page', ['oncall', 'teamLead', 'devopsLead', 'databaseAdmin', 'engineeringManager']],
        ['rule.0', ['teamLead']],
      ],
    },
    {
      // | **P1 - High** | Major feature broken | 15 minutes | On-call + manager |
      // The team lead joins through the 0s rule ("Escalate to Team Lead if: P0 or P1 incident").
      severity: 'P1',
      page: ['oncall', 'engineeringManager'],
      response: 15 * MIN,
      responseText: '15 min',
      atOpen: [
        ['page', ['oncall', 'engineeringManager']],
        ['rule.0', ['teamLead']],
      ],
    },
    {
      // | **P2 - Medium** | Degraded performance | 1 hour | On-call engineer |
      severity: 'P2',
      page: ['oncall'],
      response: HOUR,
      responseText: '1 h',
      atOpen: [['page', ['oncall']]],
    },
    {
      // | **P3 - Low** | Minor issue, workaround exists | 4 hours | Next business day |
      // Opened on a Tuesday morning, so within business hours: paged at once.
      severity: 'P3',
      page: ['oncall'],
      response: 4 * HOUR,
      responseText: '4 h',
      atOpen: [['page', ['oncall']]],
    },
  ];

  it.each(rows)('$severity pages $page at open', ({ severity, page, atOpen }) => {
    const policy = policyFor(config, severity);
    expect(policy.page).toEqual(page);
    const steps = planFor(severity, TUESDAY);
    const opening = steps.filter((step) => step.dueAt.getTime() === TUESDAY.getTime());
    expect(opening.map((step) => [step.key, step.roles])).toEqual(atOpen);
    expect(stepOf(steps, 'page')).toEqual({
      key: 'page',
      kind: 'page',
      dueAt: TUESDAY,
      plannedAt: TUESDAY,
      roles: page,
      repage: false,
      reason: `${severity} incident opened`,
    });
  });

  it.each(rows)(
    '$severity re-pages with the team lead when not acknowledged within $responseText',
    ({ severity, page, response, responseText }) => {
      expect(policyFor(config, severity).responseTimeMs).toBe(response);
      const deadline = stepOf(planFor(severity, TUESDAY), 'deadline.1');
      expect(deadline).toEqual({
        key: 'deadline.1',
        kind: 'deadline',
        dueAt: plus(TUESDAY, response),
        plannedAt: plus(TUESDAY, response),
        roles: [...new Set([...page, 'teamLead'])],
        repage: true,
        reason: `not acknowledged within ${responseText} (${severity} response time)`,
      });
    },
  );

  it('only P3 waits for business hours, and P2 and P3 for maintenance', () => {
    expect(SEVERITY_IDS.map((id) => policyFor(config, id).businessHoursOnly)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(SEVERITY_IDS.map((id) => policyFor(config, id).holdDuringMaintenance)).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('previews who gets paged when for a P1 nobody acknowledges', () => {
    expect(timeline(preview(policyFor(config, 'P1'), { openedAt: TUESDAY }, 2 * HOUR), TUESDAY)).toEqual([
      ['page', 0, ['oncall', 'engineeringManager']],
      ['rule.0', 0, ['teamLead']],
      ['deadline.1', 15, ['oncall', 'engineeringManager', 'teamLead']],
      ['deadline.2', 30, ['oncall', 'engineeringManager']],
      ['rule.1', 30, ['teamLead']],
      ['deadline.3', 45, ['oncall', 'engineeringManager', 'cto']],
      ['deadline.4', 60, ['oncall', 'engineeringManager', 'cto']],
      ['rule.2', 60, ['engineeringManager']],
      ['deadline.5', 75, ['oncall', 'engineeringManager', 'cto']],
      ['deadline.6', 90, ['oncall', 'engineeringManager', 'cto']],
      ['deadline.7', 105, ['oncall', 'engineeringManager', 'cto']],
      ['deadline.8', 120, ['oncall', 'engineeringManager', 'cto']],
      ['rule.3', 120, ['cto']],
    ]);
  });
});

describe('when to escalate', () => {
  it('brings the team lead in at open for P0 and P1 only ("P0 or P1 incident")', () => {
    for (const severity of ['P0', 'P1'] as const) {
      expect(stepOf(planFor(severity, TUESDAY), 'rule.0')).toEqual({
        key: 'rule.0',
        kind: 'rule',
        dueAt: TUESDAY,
        plannedAt: TUESDAY,
        roles: ['teamLead'],
        repage: false,
        reason: `${severity} incident (escalation rule: P0 or P1 incident)`,
      });
    }
    for (const severity of ['P2', 'P3'] as const) {
      expect(policyFor(config, severity).rules.map((rule) => rule.after)).toEqual([30 * MIN, HOUR, 2 * HOUR]);
    }
  });

  it.each(SEVERITY_IDS)('%s: 30 min → team lead, 1 h → engineering manager, 2 h → CTO', (severity) => {
    const rules = planFor(severity, TUESDAY).filter((step) => step.kind === 'rule' && step.dueAt > TUESDAY);
    expect(timeline(rules, TUESDAY).map(([, minutes, roles]) => [minutes, roles])).toEqual([
      [30, ['teamLead']],
      [60, ['engineeringManager']],
      [120, ['cto']],
    ]);
    expect(rules.map((rule) => rule.reason)).toEqual([
      'incident open for 30 min (escalation rule: Incident exceeds 30 minutes)',
      'incident open for 1 h (escalation rule: Incident exceeds 1 hour)',
      'incident open for 2 h (escalation rule: Extended outage (>2 hours))',
    ]);
  });

  it('fires the duration rules even when acknowledged, but no deadline after the ack', () => {
    const policy = policyFor(config, 'P1');
    const state = stateOf(TUESDAY, { acknowledgedAt: plus(TUESDAY, MIN), done: new Set(['page', 'rule.0']) });
    const { due, planned } = evaluate(policy, state, plus(TUESDAY, 3 * HOUR));
    expect(keys(due)).toEqual(['rule.1', 'rule.2', 'rule.3']);
    expect(keys(planned)).toEqual(['rule.1', 'rule.2', 'rule.3']);
  });

  it('stops only the deadlines after the acknowledgement', () => {
    const policy = policyFor(config, 'P2');
    const done = new Set(['page', 'rule.0', 'deadline.1', 'rule.1']);
    const before = evaluate(policy, stateOf(TUESDAY, { done }), plus(TUESDAY, 61 * MIN));
    expect(timeline(before.planned, TUESDAY).slice(0, 3)).toEqual([
      ['deadline.2', 120, ['oncall', 'engineeringManager']],
      ['rule.2', 120, ['cto']],
      ['deadline.3', 180, ['oncall', 'cto']],
    ]);
    const acknowledged = stateOf(TUESDAY, { done, acknowledgedAt: plus(TUESDAY, 90 * MIN) });
    const after = evaluate(policy, acknowledged, plus(TUESDAY, 90 * MIN));
    expect(timeline(after.planned, TUESDAY)).toEqual([['rule.2', 120, ['cto']]]);
  });

  it('drops an overdue deadline still undelivered when the acknowledgement arrives', () => {
    const state = stateOf(TUESDAY, {
      done: new Set(['page', 'rule.0']),
      acknowledgedAt: plus(TUESDAY, 16 * MIN),
    });
    const { due, next } = evaluate(policyFor(config, 'P1'), state, plus(TUESDAY, 17 * MIN));
    expect(due).toEqual([]);
    expect(next?.key).toBe('rule.1');
  });

  it('notifies nobody once resolved, not even for steps that were overdue', () => {
    const policy = policyFor(config, 'P1');
    const resolved = stateOf(TUESDAY, { done: new Set(['page']), resolvedAt: plus(TUESDAY, 45 * MIN) });
    expect(evaluate(policy, resolved, plus(TUESDAY, 50 * MIN))).toEqual({ due: [], planned: [] });
    expect(evaluate(policy, resolved, plus(TUESDAY, 5 * HOUR))).toEqual({ due: [], planned: [] });
  });

  it('plans nothing at or after the resolve, whatever the acknowledgement', () => {
    const resolvedAt = plus(TUESDAY, 45 * MIN);
    const state = stateOf(TUESDAY, { resolvedAt, acknowledgedAt: plus(TUESDAY, 20 * MIN) });
    // Evaluated as of just before the resolve (another replica's clock may lag the one that resolved).
    const { planned } = evaluate(policyFor(config, 'P2'), state, plus(TUESDAY, 44 * MIN));
    // The acknowledgement drops the undelivered page and the deadlines; the resolve, rule.1 onwards.
    expect(timeline(planned, TUESDAY)).toEqual([['rule.0', 30, ['teamLead']]]);
  });
});

describe('the unacknowledged chain', () => {
  it('goes team lead → engineering manager → CTO on the runbook matrix', () => {
    for (const severity of SEVERITY_IDS) {
      expect(policyFor(config, severity).unacknowledgedChain).toEqual([
        ['teamLead'],
        ['engineeringManager'],
        ['cto'],
      ]);
    }
  });

  it('goes one step up each deadline, then re-pages the top at most maxDeadlineRepeats times', () => {
    const deadlines = planFor('P2', TUESDAY).filter((step) => step.kind === 'deadline');
    expect(DEFAULT_MAX_DEADLINE_REPEATS).toBe(10);
    expect(deadlines).toHaveLength(3 + DEFAULT_MAX_DEADLINE_REPEATS);
    expect(timeline(deadlines.slice(0, 4), TUESDAY)).toEqual([
      ['deadline.1', 60, ['oncall', 'teamLead']],
      ['deadline.2', 120, ['oncall', 'engineeringManager']],
      ['deadline.3', 180, ['oncall', 'cto']],
      ['deadline.4', 240, ['oncall', 'cto']],
    ]);
    expect(timeline(deadlines.slice(-1), TUESDAY)).toEqual([['deadline.13', 13 * 60, ['oncall', 'cto']]]);
    expect(deadlines.every((step) => step.repage)).toBe(true);
    expect(deadlines[1]?.reason).toBe('still not acknowledged after 2 × 1 h (P2 response time)');
  });

  it('takes the repeat cap from the options', () => {
    const count = (maxDeadlineRepeats: number) => {
      const policy = policyFor(config, 'P0', { maxDeadlineRepeats });
      return preview(policy, { openedAt: TUESDAY }, 24 * HOUR).filter((step) => step.kind === 'deadline')
        .length;
    };
    expect([count(0), count(2)]).toEqual([3, 5]);
    expect(() => policyFor(config, 'P0', { maxDeadlineRepeats: -1 })).toThrow(RangeError);
  });

  it('stays bounded however long nobody answers', () => {
    const yearLater = plus(TUESDAY, 365 * 24 * HOUR);
    const { due, planned, next } = evaluate(policyFor(config, 'P0'), stateOf(TUESDAY), yearLater);
    expect(planned).toHaveLength(1 + 13 + 4);
    expect(due).toEqual(planned);
    expect(next).toBeUndefined();
  });

  it('builds its levels from escalation.unacknowledged, then the rules’ targets not yet in it', () => {
    const withChain = (unacknowledged: string[]): PolicyConfig => ({
      ...config,
      escalation: { ...config.escalation, unacknowledged },
    });
    expect(policyFor(withChain(['teamLead', 'devopsLead']), 'P2').unacknowledgedChain).toEqual([
      ['teamLead', 'devopsLead'],
      ['engineeringManager'],
      ['cto'],
    ]);
    expect(policyFor(withChain(['cto']), 'P2').unacknowledgedChain).toEqual([
      ['cto'],
      ['teamLead'],
      ['engineeringManager'],
    ]);
    const first = stepOf(planFor('P2', TUESDAY), 'deadline.1');
    const both = evaluate(policyFor(withChain(['teamLead', 'devopsLead']), 'P2'), stateOf(TUESDAY), TUESDAY);
    expect([first.roles, stepOf(both.planned, 'deadline.1').roles]).toEqual([
      ['oncall', 'teamLead'],
      ['oncall', 'teamLead', 'devopsLead'],
    ]);
  });
});

describe('flags and manual escalations', () => {
  const expected: Record<IncidentFlag, string[]> = {
    'customer-data': ['engineeringManager'],
    'data-breach': ['cto'],
    regulatory: ['cto'],
    'executive-customer': ['cto'],
    'needs-deploy': ['teamLead'],
    infrastructure: ['devopsLead'],
    database: ['databaseAdmin'],
    vendor: ['engineeringManager'],
  };

  it('covers every flag an incident can carry, and snapshots the map into the policy', () => {
    expect(Object.keys(expected).sort()).toEqual([...INCIDENT_FLAGS].sort());
    expect(policyFor(config, 'P2').flagRoles).toEqual(FLAG_ROLES);
  });

  it.each(INCIDENT_FLAGS)('%s notifies its roles when it was set', (flag) => {
    const flaggedAt = plus(TUESDAY, 7 * MIN);
    const steps = planFor('P2', TUESDAY, { flags: [{ flag, at: flaggedAt }] });
    expect(stepOf(steps, `flag.${flag}`)).toEqual({
      key: `flag.${flag}`,
      kind: 'flag',
      dueAt: flaggedAt,
      plannedAt: flaggedAt,
      roles: expected[flag],
      repage: false,
      reason: `flagged ${flag}`,
    });
  });

  it('counts a flag set twice once, from its first time, and drops it after the resolve', () => {
    const flags = [
      { flag: 'database' as const, at: plus(TUESDAY, 20 * MIN) },
      { flag: 'database' as const, at: plus(TUESDAY, 10 * MIN) },
    ];
    const steps = planFor('P2', TUESDAY, { flags });
    expect(steps.filter((step) => step.kind === 'flag').map((step) => iso(step.dueAt))).toEqual([
      iso(plus(TUESDAY, 10 * MIN)),
    ]);
    const resolved = planFor('P2', TUESDAY, { flags, resolvedAt: plus(TUESDAY, 5 * MIN) });
    expect(resolved.filter((step) => step.kind === 'flag')).toEqual([]);
  });

  it('previews flags too', () => {
    const steps = preview(
      policyFor(config, 'P2'),
      { openedAt: TUESDAY, flags: [{ flag: 'vendor', at: TUESDAY }] },
      30 * MIN,
    );
    expect(timeline(steps, TUESDAY)).toEqual([
      ['page', 0, ['oncall']],
      ['flag.vendor', 0, ['engineeringManager']],
      ['rule.0', 30, ['teamLead']],
    ]);
  });

  it('notifies whom a person asked for, at once, even outside business hours and after the ack', () => {
    const saturday = at('2026-06-06T11:00:00-04:00');
    const manual = [
      {
        at: plus(saturday, 5 * MIN),
        roles: ['devopsLead', 'devopsLead'],
        by: 'U0123ABCD',
        reason: 'AKS node pool',
      },
      { at: plus(saturday, 9 * MIN), roles: ['cto'], by: 'U0456EFGH' },
    ];
    const state = stateOf(saturday, { manual, acknowledgedAt: plus(saturday, 6 * MIN) });
    const { due } = evaluate(policyFor(config, 'P3'), state, plus(saturday, 10 * MIN));
    expect(due).toEqual([
      {
        key: 'manual.0',
        kind: 'manual',
        dueAt: plus(saturday, 5 * MIN),
        plannedAt: plus(saturday, 5 * MIN),
        roles: ['devopsLead'],
        repage: false,
        reason: 'escalated by hand by U0123ABCD: AKS node pool',
      },
      {
        key: 'manual.1',
        kind: 'manual',
        dueAt: plus(saturday, 9 * MIN),
        plannedAt: plus(saturday, 9 * MIN),
        roles: ['cto'],
        repage: false,
        reason: 'escalated by hand by U0456EFGH',
      },
    ]);
  });
});

describe('due, next and done', () => {
  const policy = policyFor(config, 'P1');

  it('splits at now: due up to and including now, next the first step after it', () => {
    const evaluation = evaluate(policy, stateOf(TUESDAY), plus(TUESDAY, 15 * MIN));
    expect(keys(evaluation.due)).toEqual(['page', 'rule.0', 'deadline.1']);
    expect(evaluation.next?.key).toBe('deadline.2');
    expect(evaluation.nextCheckAt).toEqual(plus(TUESDAY, 30 * MIN));
    expect(keys(evaluation.planned).slice(0, 5)).toEqual([
      'page',
      'rule.0',
      'deadline.1',
      'deadline.2',
      'rule.1',
    ]);
  });

  it('never returns a step whose key is done', () => {
    const done = new Set(['page', 'rule.0', 'deadline.1']);
    for (const minutes of [0, 15, 16, 29, 600]) {
      const { due, planned } = evaluate(policy, stateOf(TUESDAY, { done }), plus(TUESDAY, minutes * MIN));
      expect(planned.filter((step) => done.has(step.key))).toEqual([]);
      expect(due.filter((step) => done.has(step.key))).toEqual([]);
    }
  });

  it('keeps an overdue step due, with its original dueAt, so the caller can say it is late', () => {
    const { due } = evaluate(policyFor(config, 'P2'), stateOf(TUESDAY), plus(TUESDAY, 10 * HOUR));
    expect(due[0]).toMatchObject({ key: 'page', dueAt: TUESDAY });
    expect(keys(due)).toContain('deadline.10');
  });

  it('orders steps by dueAt, then page, deadline, rule, flag, manual, then by number', () => {
    const { planned } = evaluate(
      policyFor(config, 'P0', { maxDeadlineRepeats: 20 }),
      stateOf(TUESDAY, {
        flags: [{ flag: 'data-breach', at: TUESDAY }],
        manual: [{ at: TUESDAY, roles: ['cto'], by: 'U0123ABCD' }],
      }),
      TUESDAY,
    );
    expect(keys(planned).slice(0, 4)).toEqual(['page', 'rule.0', 'flag.data-breach', 'manual.0']);
    const deadlines = keys(planned).filter((key) => key.startsWith('deadline.'));
    expect(deadlines.slice(8, 11)).toEqual(['deadline.9', 'deadline.10', 'deadline.11']);
    const times = planned.map((step) => step.dueAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('has no next once everything is done', () => {
    const all = new Set(keys(planFor('P1', TUESDAY)));
    expect(evaluate(policy, stateOf(TUESDAY, { done: all }), TUESDAY)).toEqual({ due: [], planned: [] });
  });
});

describe('business hours (P3: next business day)', () => {
  it('holds a P3 opened Friday 18:00 until Monday 09:00, counting its clocks from then', () => {
    const friday = at('2026-06-05T18:00:00-04:00');
    const monday = at('2026-06-08T09:00:00-04:00');
    const steps = planFor('P3', friday);
    expect(stepOf(steps, 'page')).toEqual({
      key: 'page',
      kind: 'page',
      dueAt: monday,
      plannedAt: friday,
      roles: ['oncall'],
      repage: false,
      reason: 'P3 incident opened; held for business hours until Mon 2026-06-08 09:00 America/New_York',
      heldBy: 'business-hours',
    });
    expect(iso(monday)).toBe('2026-06-08T13:00:00.000Z');
    expect(timeline(steps, monday).slice(0, 5)).toEqual([
      ['page', 0, ['oncall']],
      ['rule.0', 30, ['teamLead']],
      ['rule.1', 60, ['engineeringManager']],
      ['rule.2', 120, ['cto']],
      ['deadline.1', 240, ['oncall', 'teamLead']],
    ]);
    expect(stepOf(steps, 'rule.0').reason).toBe(
      'incident still open 30 min after its page (escalation rule: Incident exceeds 30 minutes)',
    );
  });

  it('pages a P3 opened Tuesday 10:00 at once', () => {
    const page = stepOf(planFor('P3', TUESDAY), 'page');
    expect(page.dueAt).toEqual(TUESDAY);
    expect(page.heldBy).toBeUndefined();
  });

  it.each([
    ['16:59 Tuesday, inside', '2026-06-02T16:59:00-04:00', '2026-06-02T16:59:00-04:00'],
    ['17:00 Tuesday, the end', '2026-06-02T17:00:00-04:00', '2026-06-03T09:00:00-04:00'],
    ['08:59 Wednesday, before', '2026-06-03T08:59:00-04:00', '2026-06-03T09:00:00-04:00'],
    ['09:00 Wednesday, the start', '2026-06-03T09:00:00-04:00', '2026-06-03T09:00:00-04:00'],
    ['Saturday noon', '2026-06-06T12:00:00-04:00', '2026-06-08T09:00:00-04:00'],
    ['Sunday night', '2026-06-07T23:59:00-04:00', '2026-06-08T09:00:00-04:00'],
  ])('a P3 opened %s is paged at the right time', (_, opened, paged) => {
    expect(stepOf(planFor('P3', at(opened)), 'page').dueAt).toEqual(at(paged));
  });

  it('plans each deadline from the one before it, moved into business hours', () => {
    const deadlines = planFor('P3', TUESDAY).filter((step) => step.kind === 'deadline');
    expect(
      deadlines.slice(0, 4).map((step) => [step.key, iso(step.plannedAt), iso(step.dueAt), step.heldBy]),
    ).toEqual([
      ['deadline.1', '2026-06-02T18:00:00.000Z', '2026-06-02T18:00:00.000Z', undefined],
      ['deadline.2', '2026-06-02T22:00:00.000Z', '2026-06-03T13:00:00.000Z', 'business-hours'],
      ['deadline.3', '2026-06-03T17:00:00.000Z', '2026-06-03T17:00:00.000Z', undefined],
      ['deadline.4', '2026-06-03T21:00:00.000Z', '2026-06-04T13:00:00.000Z', 'business-hours'],
    ]);
    expect(deadlines[1]?.reason).toBe(
      'still not acknowledged after 2 × 4 h (P3 response time); held for business hours until Wed 2026-06-03 09:00 America/New_York',
    );
  });

  it('holds a flag set on a P3 at the weekend, and pages nobody for a P3 acknowledged before Monday', () => {
    const saturday = at('2026-06-06T12:00:00-04:00');
    const monday = at('2026-06-08T09:00:00-04:00');
    const flags = [{ flag: 'database' as const, at: plus(saturday, HOUR) }];
    expect(stepOf(planFor('P3', saturday, { flags }), 'flag.database')).toMatchObject({
      dueAt: monday,
      heldBy: 'business-hours',
    });
    const acknowledged = stateOf(saturday, { acknowledgedAt: plus(saturday, 2 * HOUR) });
    const { planned } = evaluate(policyFor(config, 'P3'), acknowledged, plus(saturday, 2 * HOUR));
    expect(keys(planned)).toEqual(['rule.0', 'rule.1', 'rule.2']);
  });

  it('pages P2 at any hour', () => {
    const saturdayNight = at('2026-06-06T03:00:00-04:00');
    expect(stepOf(planFor('P2', saturdayNight), 'page').dueAt).toEqual(saturdayNight);
  });

  it.each([
    // 2026-03-08: clocks spring forward 02:00 EST → 03:00 EDT; Monday 09:00 is EDT (UTC−4).
    ['spring-forward', '2026-03-07T12:00:00-05:00', '2026-03-09T13:00:00.000Z'],
    // 2026-11-01: clocks fall back 02:00 EDT → 01:00 EST; Monday 09:00 is EST (UTC−5).
    ['fall-back', '2026-10-31T12:00:00-04:00', '2026-11-02T14:00:00.000Z'],
  ])('holds a P3 opened the Saturday before the %s until Monday 09:00 local', (_, saturday, monday) => {
    const page = stepOf(planFor('P3', at(saturday)), 'page');
    expect(iso(page.dueAt)).toBe(monday);
    expect(page.reason).toMatch(/until Mon 2026-(03-09|11-02) 09:00 America\/New_York$/);
  });
});

describe('maintenance windows', () => {
  // The first Sunday of December 2026, 03:00 EST: inside the runbook's 02:00–06:00 window.
  const duringMaintenance = at('2026-12-06T03:00:00-05:00');
  const windowEnd = at('2026-12-06T06:00:00-05:00');

  it('holds a P2 page until 06:00 local, and counts its deadlines from then', () => {
    const steps = planFor('P2', duringMaintenance);
    expect(stepOf(steps, 'page')).toEqual({
      key: 'page',
      kind: 'page',
      dueAt: windowEnd,
      plannedAt: duringMaintenance,
      roles: ['oncall'],
      repage: false,
      reason: 'P2 incident opened; held by the maintenance window until 06:00 America/New_York',
      heldBy: 'maintenance',
    });
    expect(iso(windowEnd)).toBe('2026-12-06T11:00:00.000Z');
    expect(timeline(steps, windowEnd).slice(0, 3)).toEqual([
      ['page', 0, ['oncall']],
      ['rule.0', 30, ['teamLead']],
      ['deadline.1', 60, ['oncall', 'teamLead']],
    ]);
  });

  it.each(['P0', 'P1'] as const)('pages a %s at once, even when holdPaging names it', (severity) => {
    const holdAll: PolicyConfig = {
      ...config,
      maintenance: { ...config.maintenance, holdPaging: [...SEVERITY_IDS] },
    };
    for (const policy of [policyFor(config, severity), policyFor(holdAll, severity)]) {
      expect(policy.holdDuringMaintenance).toBe(false);
      const page = stepOf(evaluate(policy, stateOf(duringMaintenance), duringMaintenance).due, 'page');
      expect(page.heldBy).toBeUndefined();
    }
  });

  it('pages a P2 at once when holdPaging leaves it out', () => {
    const holdNone: PolicyConfig = { ...config, maintenance: { ...config.maintenance, holdPaging: [] } };
    const { due } = evaluate(policyFor(holdNone, 'P2'), stateOf(duringMaintenance), duringMaintenance);
    expect(keys(due)).toEqual(['page']);
  });

  it('holds a P3 in the window until the next business day', () => {
    const page = stepOf(planFor('P3', duringMaintenance), 'page');
    expect([iso(page.dueAt), page.heldBy]).toEqual(['2026-12-07T14:00:00.000Z', 'business-hours']);
  });

  it('holds a P2 deadline that falls in the window, and drops it if acknowledged meanwhile', () => {
    const saturdayNight = at('2026-12-05T23:30:00-05:00');
    const steps = planFor('P2', saturdayNight);
    expect(stepOf(steps, 'page').dueAt).toEqual(saturdayNight);
    const third = stepOf(steps, 'deadline.3');
    expect([iso(third.plannedAt), iso(third.dueAt), third.heldBy]).toEqual([
      '2026-12-06T07:30:00.000Z',
      '2026-12-06T11:00:00.000Z',
      'maintenance',
    ]);
    expect(stepOf(steps, 'deadline.4').dueAt).toEqual(plus(windowEnd, HOUR));
    const done = new Set(['page', 'deadline.1', 'deadline.2', 'rule.0', 'rule.1', 'rule.2']);
    const acknowledgedAt = at('2026-12-06T04:00:00-05:00');
    const { planned } = evaluate(
      policyFor(config, 'P2'),
      stateOf(saturdayNight, { done, acknowledgedAt }),
      acknowledgedAt,
    );
    expect(planned).toEqual([]);
  });

  describe('ad-hoc windows (emergency maintenance)', () => {
    const windows = [{ start: plus(TUESDAY, -30 * MIN), end: plus(TUESDAY, 2 * HOUR) }];

    it.each(['P2', 'P3'] as const)('hold a %s page until they end', (severity) => {
      const page = stepOf(planFor(severity, TUESDAY, { windows }), 'page');
      expect(page).toMatchObject({ dueAt: plus(TUESDAY, 2 * HOUR), heldBy: 'maintenance' });
      expect(page.reason).toBe(
        `${severity} incident opened; held by the maintenance window until 12:00 America/New_York`,
      );
    });

    it('do not hold a P0', () => {
      expect(stepOf(planFor('P0', TUESDAY, { windows }), 'page').dueAt).toEqual(TUESDAY);
    });

    it('chain when adjacent, and give way to business hours when they end after them', () => {
      const adjacent = [
        { start: plus(TUESDAY, 60 * MIN), end: plus(TUESDAY, 90 * MIN) },
        { start: plus(TUESDAY, -MIN), end: plus(TUESDAY, 60 * MIN) },
      ];
      expect(stepOf(planFor('P2', TUESDAY, { windows: adjacent }), 'page').dueAt).toEqual(
        plus(TUESDAY, 90 * MIN),
      );
      const afternoon = at('2026-06-02T16:30:00-04:00');
      const evening = [{ start: afternoon, end: at('2026-06-02T18:00:00-04:00') }];
      const page = stepOf(planFor('P3', afternoon, { windows: evening }), 'page');
      expect([page.dueAt, page.heldBy]).toEqual([at('2026-06-03T09:00:00-04:00'), 'business-hours']);
    });

    it('are ignored when empty or inverted, and when the step is outside them', () => {
      const odd = [
        { start: TUESDAY, end: TUESDAY },
        { start: plus(TUESDAY, HOUR), end: TUESDAY },
        { start: plus(TUESDAY, MIN), end: plus(TUESDAY, HOUR) },
      ];
      expect(stepOf(planFor('P2', TUESDAY, { windows: odd }), 'page').dueAt).toEqual(TUESDAY);
    });
  });

  describe('extended monitoring after emergency maintenance', () => {
    // A Tuesday night: a P3 is held for business hours, a P2 by the recurring window's neighbour.
    const night = at('2026-06-02T23:00:00-04:00');
    const monitoring = [{ start: plus(night, -HOUR), end: plus(night, 3 * HOUR) }];

    it('pages a P3 at once at night, where it would wait for business hours', () => {
      expect(stepOf(planFor('P3', night), 'page').heldBy).toBe('business-hours');
      const page = stepOf(planFor('P3', night, { monitoring }), 'page');
      expect([page.dueAt, page.heldBy]).toEqual([night, undefined]);
    });

    it('pages a P2 at once inside a maintenance window that overlaps it', () => {
      const windows = [{ start: plus(night, -MIN), end: plus(night, HOUR) }];
      expect(stepOf(planFor('P2', night, { windows }), 'page').heldBy).toBe('maintenance');
      expect(stepOf(planFor('P2', night, { windows, monitoring }), 'page').dueAt).toEqual(night);
    });

    it('holds steps due after it as before: a P3 deadline past its end waits for business hours', () => {
      const steps = planFor('P3', night, { monitoring });
      const first = stepOf(steps, 'deadline.1');
      // P3 answers in 4 h: 03:00, after monitoring ends at 02:00, so held until 09:00.
      expect([iso(first.dueAt), first.heldBy]).toEqual(['2026-06-03T13:00:00.000Z', 'business-hours']);
    });
  });

  describe('on DST nights', () => {
    // 2026-11-01 is the first Sunday and the night clocks fall back: the window is 02:00–06:00 EST,
    // 07:00Z–11:00Z; 01:30 happens twice, both before it.
    it.each([
      ['01:30 EDT, the first 01:30', '2026-11-01T05:30:00Z', '2026-11-01T05:30:00.000Z'],
      ['01:30 EST, the second 01:30', '2026-11-01T06:30:00Z', '2026-11-01T06:30:00.000Z'],
      ['02:00 EST, the start', '2026-11-01T07:00:00Z', '2026-11-01T11:00:00.000Z'],
      ['05:59 EST', '2026-11-01T10:59:00Z', '2026-11-01T11:00:00.000Z'],
    ])('fall-back night: a P2 opened at %s is paged on time', (_, opened, paged) => {
      expect(iso(stepOf(planFor('P2', at(opened)), 'page').dueAt)).toBe(paged);
    });

    // A window on the second Sunday falls on 2026-03-08, when 02:00 EST jumps to 03:00 EDT: it
    // starts at 03:00 EDT (07:00Z) and ends at 06:00 EDT (10:00Z).
    const springNight: PolicyConfig = {
      ...config,
      maintenance: { ...config.maintenance, schedule: { week: 'second', day: 'sun' } },
    };
    it.each([
      ['01:59 EST', '2026-03-08T06:59:00Z', '2026-03-08T06:59:00.000Z'],
      ['03:00 EDT', '2026-03-08T07:00:00Z', '2026-03-08T10:00:00.000Z'],
      ['05:30 EDT', '2026-03-08T09:30:00Z', '2026-03-08T10:00:00.000Z'],
    ])('spring-forward night: a P2 opened at %s is paged on time', (_, opened, paged) => {
      const policy = policyFor(springNight, 'P2');
      const page = stepOf(evaluate(policy, stateOf(at(opened)), at(opened)).planned, 'page');
      expect(iso(page.dueAt)).toBe(paged);
    });
  });
});

describe('the same table, 180 times faster (drills)', () => {
  const scale = 180;
  const fast: PolicyConfig = {
    ...config,
    severities: Object.fromEntries(
      SEVERITY_IDS.map((id) => [
        id,
        { ...config.severities[id], responseTime: Math.round(config.severities[id].responseTime / scale) },
      ]),
    ) as unknown as PolicyConfig['severities'],
    escalation: {
      ...config.escalation,
      rules: config.escalation.rules.map((rule) => ({ ...rule, after: Math.round(rule.after / scale) })),
    },
  };

  it.each(SEVERITY_IDS)('%s notifies the same roles at 1/180 of the times', (severity) => {
    const horizon = 6 * HOUR;
    const byKey = (steps: EscalationStep[]) => new Map(steps.map((step) => [step.key, step]));
    const slow = byKey(preview(policyFor(config, severity), { openedAt: TUESDAY }, horizon));
    const quick = byKey(preview(policyFor(fast, severity), { openedAt: TUESDAY }, horizon / scale));
    expect([...quick.keys()].sort()).toEqual([...slow.keys()].sort());
    for (const [key, step] of quick) {
      const original = slow.get(key);
      expect(step.roles).toEqual(original?.roles);
      const offset = (original?.dueAt.getTime() ?? Number.NaN) - TUESDAY.getTime();
      // Durations rounded to whole milliseconds (1667 for 5 min) drift by at most 1 ms per deadline;
      // steps that tied at full speed may then swap places, hence the comparison by key.
      expect(Math.abs(step.dueAt.getTime() - TUESDAY.getTime() - offset / scale)).toBeLessThanOrEqual(20);
    }
  });

  it('fires a P0 deadline after 1.7 s', () => {
    const policy = policyFor(fast, 'P0');
    expect(policy.responseTimeMs).toBe(1667);
    const { due, next } = evaluate(
      policy,
      stateOf(TUESDAY, { done: new Set(['page', 'rule.0']) }),
      plus(TUESDAY, 1700),
    );
    expect(due.map((step) => [step.key, step.reason])).toEqual([
      ['deadline.1', 'not acknowledged within 1.7 s (P0 response time)'],
    ]);
    expect(next).toMatchObject({ key: 'deadline.2', dueAt: plus(TUESDAY, 2 * 1667) });
  });
});

describe('the policy snapshot', () => {
  it('survives a round trip through JSON (a jsonb column) and evaluates the same', () => {
    for (const severity of SEVERITY_IDS) {
      const policy = policyFor(config, severity);
      const stored = JSON.parse(JSON.stringify(policy));
      expect(stored).toEqual(policy);
      const state = stateOf(at('2026-12-05T23:30:00-05:00'), { flags: [{ flag: 'vendor', at: TUESDAY }] });
      const now = at('2026-12-06T05:00:00-05:00');
      expect(evaluate(stored, state, now)).toEqual(evaluate(policy, state, now));
    }
  });

  it('holds the runbook’s values for a P1', () => {
    expect(policyFor(config, 'P1')).toEqual({
      version: 1,
      severity: 'P1',
      responseTimeMs: 15 * MIN,
      page: ['oncall', 'engineeringManager'],
      businessHoursOnly: false,
      businessHours: {
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        start: '09:00',
        end: '17:00',
        timezone: 'America/New_York',
      },
      unacknowledgedChain: [['teamLead'], ['engineeringManager'], ['cto']],
      maxDeadlineRepeats: 10,
      rules: [
        { after: 0, to: 'teamLead', when: ['P0 or P1 incident'] },
        {
          after: 30 * MIN,
          to: 'teamLead',
          when: [
            'Incident exceeds 30 minutes',
            'Unable to determine root cause',
            'Requires deployment or infrastructure changes',
          ],
        },
        {
          after: HOUR,
          to: 'engineeringManager',
          when: [
            'Incident exceeds 1 hour',
            'Customer data at risk',
            'Requires vendor support',
            'Media/legal implications',
          ],
        },
        {
          after: 2 * HOUR,
          to: 'cto',
          when: [
            'Extended outage (>2 hours)',
            'Data breach or security incident',
            'Regulatory implications',
            'Executive customer impacted',
          ],
        },
      ],
      flagRoles: FLAG_ROLES,
      maintenance: {
        schedule: { week: 'first', day: 'sun' },
        start: '02:00',
        end: '06:00',
        timezone: 'America/New_York',
      },
      holdDuringMaintenance: false,
    });
  });
});

describe('the edges people would notice', () => {
  it.each([
    [1_700, '1.7 s'],
    [59_000, '59 s'],
    [60_000, '1 min'],
    [5_400_000, '1 h 30 min'],
    [90_061_000, '1 d 1 h 1 min 1 s'],
  ])('says %i ms as %j', (ms, spoken) => {
    expect(spokenDuration(ms)).toBe(spoken);
  });

  it('fires nothing due the very moment the incident is resolved', () => {
    const resolvedAt = plus(TUESDAY, 30 * MIN); // rule.0 (team lead, 30 min) is due then
    const state = stateOf(TUESDAY, { done: new Set(['page']), resolvedAt });
    expect(evaluate(policyFor(config, 'P2'), state, resolvedAt)).toEqual({ due: [], planned: [] });
  });

  it('fires no deadline due the very moment of the acknowledgement', () => {
    const acknowledgedAt = plus(TUESDAY, HOUR); // deadline.1 of a P2 is due then
    const state = stateOf(TUESDAY, { done: new Set(['page', 'rule.0']), acknowledgedAt });
    expect(keys(evaluate(policyFor(config, 'P2'), state, acknowledgedAt).due)).toEqual(['rule.1']);
  });

  it('keeps the deadlines before an acknowledgement that is still to come, as of an earlier now', () => {
    // Another replica's clock lags: as of 30 min, the ack at 150 min stops deadline.3 (180) on.
    const state = stateOf(TUESDAY, {
      done: new Set(['page', 'rule.0']),
      acknowledgedAt: plus(TUESDAY, 150 * MIN),
    });
    const { planned } = evaluate(policyFor(config, 'P2'), state, plus(TUESDAY, 30 * MIN));
    expect(keys(planned).filter((key) => key.startsWith('deadline.'))).toEqual(['deadline.1', 'deadline.2']);
  });

  it('counts a flag set twice from its first time, whichever order they are listed in', () => {
    const flags = [
      { flag: 'database' as const, at: plus(TUESDAY, 10 * MIN) },
      { flag: 'database' as const, at: plus(TUESDAY, 20 * MIN) },
    ];
    expect(stepOf(planFor('P2', TUESDAY, { flags }), 'flag.database').dueAt).toEqual(plus(TUESDAY, 10 * MIN));
  });

  it('notifies for a flag set after the acknowledgement, but not for an escalation asked before the resolve', () => {
    const state = stateOf(TUESDAY, {
      acknowledgedAt: plus(TUESDAY, 5 * MIN),
      flags: [{ flag: 'database', at: plus(TUESDAY, 10 * MIN) }],
    });
    expect(keys(evaluate(policyFor(config, 'P2'), state, plus(TUESDAY, 10 * MIN)).due)).toEqual([
      'flag.database',
    ]);
    const resolved = stateOf(TUESDAY, {
      manual: [{ at: plus(TUESDAY, 10 * MIN), roles: ['cto'], by: 'U0123ABCD' }],
      resolvedAt: plus(TUESDAY, 20 * MIN),
    });
    expect(evaluate(policyFor(config, 'P2'), resolved, plus(TUESDAY, 30 * MIN)).planned).toEqual([]);
  });

  it('notifies nobody for a flag an older frozen policy does not know', () => {
    const older = { ...policyFor(config, 'P2'), flagRoles: {} as EscalationPolicy['flagRoles'] };
    const state = stateOf(TUESDAY, { flags: [{ flag: 'vendor', at: TUESDAY }] });
    expect(stepOf(evaluate(older, state, TUESDAY).due, 'flag.vendor').roles).toEqual([]);
  });

  it('re-pages only the page roles when the policy has no unacknowledged chain', () => {
    const policy = { ...policyFor(config, 'P2'), unacknowledgedChain: [], rules: [] };
    expect(stepOf(planPolicy(policy), 'deadline.1').roles).toEqual(['oncall']);
  });

  it('names a rule without conditions by its number', () => {
    const policy = { ...policyFor(config, 'P2'), rules: [{ after: 30 * MIN, to: 'teamLead', when: [] }] };
    expect(stepOf(planPolicy(policy), 'rule.0').reason).toBe(
      'incident open for 30 min (escalation rule: rule 1)',
    );
  });

  it('lists steps due together by name: flags alphabetically, escalations asked by hand in the order asked', () => {
    const state = stateOf(TUESDAY, {
      flags: [
        { flag: 'vendor', at: plus(TUESDAY, 5 * MIN) },
        { flag: 'database', at: plus(TUESDAY, 5 * MIN) },
      ],
      manual: Array.from({ length: 12 }, () => ({
        at: plus(TUESDAY, 5 * MIN),
        roles: ['cto'],
        by: 'U0123ABCD',
      })),
    });
    const { due } = evaluate(policyFor(config, 'P2'), state, plus(TUESDAY, 5 * MIN));
    expect(keys(due)).toEqual([
      'page',
      'flag.database',
      'flag.vendor',
      ...Array.from({ length: 12 }, (_, index) => `manual.${index}`),
    ]);
  });

  it.each([
    ['a month', '2026-07-02T10:00:00-04:00', 'Thu 2026-07-02 10:00'],
    ['a year', '2027-06-02T10:00:00-04:00', 'Wed 2027-06-02 10:00'],
  ])(
    'names the date a hold ends on when it is another day, %s later on the same day of the month',
    (_, end, said) => {
      const windows = [{ start: plus(TUESDAY, -MIN), end: at(end) }];
      expect(stepOf(planFor('P2', TUESDAY, { windows }), 'page').reason).toBe(
        `P2 incident opened; held by the maintenance window until ${said} America/New_York`,
      );
    },
  );

  it('waits a whole week for business hours kept on one day only', () => {
    const mondays: PolicyConfig = { ...config, businessHours: { ...config.businessHours, days: ['mon'] } };
    const mondayEvening = at('2026-06-08T18:00:00-04:00');
    const page = stepOf(
      evaluate(policyFor(mondays, 'P3'), stateOf(mondayEvening), mondayEvening).planned,
      'page',
    );
    expect([page.dueAt, page.heldBy]).toEqual([at('2026-06-15T09:00:00-04:00'), 'business-hours']);
  });

  describe('extended monitoring, at its edges', () => {
    const night = at('2026-06-02T23:00:00-04:00');
    const pageAt = (monitoring: { start: Date; end: Date }[]) =>
      stepOf(planFor('P3', night, { monitoring }), 'page');

    it('covers a step due at its start, not one due at its end or before it', () => {
      expect(pageAt([{ start: night, end: plus(night, 3 * HOUR) }]).heldBy).toBeUndefined();
      expect(pageAt([{ start: plus(night, -3 * HOUR), end: night }]).heldBy).toBe('business-hours');
      expect(pageAt([{ start: plus(night, HOUR), end: plus(night, 3 * HOUR) }]).heldBy).toBe(
        'business-hours',
      );
    });

    it('does not pull a held step into it: a P3 opened Friday evening still waits for Monday', () => {
      const friday = at('2026-06-05T18:00:00-04:00');
      const saturdayMorning = [
        { start: at('2026-06-06T08:00:00-04:00'), end: at('2026-06-06T12:00:00-04:00') },
      ];
      const page = stepOf(planFor('P3', friday, { monitoring: saturdayMorning }), 'page');
      expect(page.dueAt).toEqual(at('2026-06-08T09:00:00-04:00'));
    });
  });

  it('holds until the last of overlapping windows ends, even when extended monitoring begins inside them', () => {
    // An emergency window extended by a second one; monitoring follows the first from its end.
    const windows = [
      { start: plus(TUESDAY, -MIN), end: plus(TUESDAY, 2 * HOUR) },
      { start: plus(TUESDAY, -MIN), end: plus(TUESDAY, HOUR) },
    ];
    const monitoring = [{ start: plus(TUESDAY, HOUR), end: plus(TUESDAY, 5 * HOUR) }];
    const page = stepOf(planFor('P2', TUESDAY, { windows, monitoring }), 'page');
    expect([page.dueAt, page.heldBy]).toEqual([plus(TUESDAY, 2 * HOUR), 'maintenance']);
    // The same with the monthly window (02:00-06:00) and an emergency one until 08:00.
    const sunday = at('2026-12-06T03:00:00-05:00');
    const longer = [{ start: at('2026-12-06T01:00:00-05:00'), end: at('2026-12-06T08:00:00-05:00') }];
    const afterMonthly = [{ start: at('2026-12-06T06:00:00-05:00'), end: at('2026-12-06T10:00:00-05:00') }];
    const held = stepOf(planFor('P2', sunday, { windows: longer, monitoring: afterMonthly }), 'page');
    expect(held.dueAt).toEqual(at('2026-12-06T08:00:00-05:00'));
  });

  it('holds a step through a dozen back-to-back windows, to the end of the last', () => {
    const windows = Array.from({ length: 12 }, (_, index) => ({
      start: plus(TUESDAY, index * 10 * MIN),
      end: plus(TUESDAY, (index + 1) * 10 * MIN),
    })).reverse();
    expect(stepOf(planFor('P2', TUESDAY, { windows }), 'page').dueAt).toEqual(plus(TUESDAY, 2 * HOUR));
  });

  it('holds a P2 duration rule due inside the window, though a deadline was planned past it first', () => {
    // Opened at 01:00, an hour before the window: deadline.1 (02:00) is held until 06:00 and
    // deadline.2 planned at 07:00; rule.1 (1 h) is due at 02:00, inside the window.
    const steps = planFor('P2', at('2026-12-06T01:00:00-05:00'));
    expect(iso(stepOf(steps, 'deadline.2').plannedAt)).toBe('2026-12-06T12:00:00.000Z');
    const rule = stepOf(steps, 'rule.1');
    expect([iso(rule.dueAt), rule.heldBy]).toEqual(['2026-12-06T11:00:00.000Z', 'maintenance']);
  });

  it("holds a P2 flag set inside the next month's window until that window ends", () => {
    // Opened in June, before June's window; flagged during July's (first Sunday, 5 July, 02:00-06:00).
    const flags = [{ flag: 'database' as const, at: at('2026-07-05T03:00:00-04:00') }];
    const flag = stepOf(planFor('P2', TUESDAY, { flags }), 'flag.database');
    expect([flag.dueAt, flag.heldBy]).toEqual([at('2026-07-05T06:00:00-04:00'), 'maintenance']);
  });
});

describe("a drill's policy", () => {
  const drill = { speed: 60, notify: 'people', includeCto: false } as const;

  it('divides every duration by the speed, leaves the CTO out, and ends at the top of the matrix', () => {
    const policy = policyFor(config, 'P1', { drill });
    expect(policy).toMatchObject({
      responseTimeMs: 15_000,
      page: ['oncall', 'engineeringManager'],
      unacknowledgedChain: [['teamLead'], ['engineeringManager']],
      maxDeadlineRepeats: 0,
      rules: [
        { after: 0, to: 'teamLead' },
        { after: 30_000, to: 'teamLead' },
        { after: 60_000, to: 'engineeringManager' },
      ],
      drill: { speed: 60, notify: 'people', includeCto: false },
    });
    expect(policy.flagRoles['data-breach']).toEqual([]);
    expect(policy.flagRoles.database).toEqual(['databaseAdmin']);
    expect(JSON.stringify(policy)).not.toContain('"cto"');
  });

  it('keeps the CTO when included, and takes a repeat cap from the options', () => {
    const policy = policyFor(config, 'P0', { drill: { ...drill, includeCto: true }, maxDeadlineRepeats: 2 });
    expect(policy.unacknowledgedChain).toEqual([['teamLead'], ['engineeringManager'], ['cto']]);
    expect(policy.rules.map((rule) => rule.to)).toEqual([
      'teamLead',
      'teamLead',
      'engineeringManager',
      'cto',
    ]);
    expect(policy.flagRoles.regulatory).toEqual(['cto']);
    expect(policy.maxDeadlineRepeats).toBe(2);
  });

  it('drops a chain level and a page role that were the CTO alone', () => {
    const ctoFirst: PolicyConfig = {
      ...config,
      severities: { ...config.severities, P1: { ...config.severities.P1, page: ['cto', 'oncall'] } },
      escalation: { ...config.escalation, unacknowledged: ['cto'] },
    };
    const policy = policyFor(ctoFirst, 'P1', { drill });
    expect(policy.page).toEqual(['oncall']);
    expect(policy.unacknowledgedChain).toEqual([['teamLead'], ['engineeringManager']]);
  });

  it.each([0.5, 0, Number.NaN, Number.POSITIVE_INFINITY])('refuses a speed of %d', (speed) => {
    expect(() => policyFor(config, 'P1', { drill: { ...drill, speed } })).toThrow(
      new RangeError(`expected a drill's speed to be at least 1, got ${speed}`),
    );
  });

  it('takes a drill at production speed', () => {
    expect(policyFor(config, 'P1', { drill: { ...drill, speed: 1 } }).responseTimeMs).toBe(15 * MIN);
  });

  it.each([-1, 1.5])('refuses %d deadline repeats', (maxDeadlineRepeats) => {
    expect(() => policyFor(config, 'P1', { maxDeadlineRepeats })).toThrow(
      new RangeError(`expected maxDeadlineRepeats to be a whole number ≥ 0, got ${maxDeadlineRepeats}`),
    );
  });
});
