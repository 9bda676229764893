import { nextMaintenanceWindow } from '../config/maintenance-window.ts';
import { WEEKDAYS } from '../config/schema-kit.ts';
import { instantOf, type WallClock, wallClockAt } from '../config/zoned-time.ts';
import type { IncidentFlag } from '../domain/incident.ts';
import type { EscalationPolicy } from './policy.ts';

// Who an incident notifies, and when: a pure function of the frozen policy, what happened to the
// incident and the time. Nothing here reads a clock or remembers anything between calls; the
// timers and the "already delivered" keys live with the incident row.

/** Deterministic and stable across evaluations and restarts: part of the timer's job id. */
export type StepKey =
  | 'page'
  | `deadline.${number}`
  | `rule.${number}`
  | `flag.${IncidentFlag}`
  | `manual.${number}`;

export type StepKind = 'page' | 'deadline' | 'rule' | 'flag' | 'manual';

/** What postponed a step past its planned time. */
export type HeldBy = 'business-hours' | 'maintenance';

export interface EscalationStep {
  key: StepKey;
  kind: StepKind;
  /** When it fires: `plannedAt` after business-hours and maintenance holds. */
  dueAt: Date;
  /**
   * When it would fire without holds of its own. Deadlines and duration rules count from the page's
   * `dueAt`, so a held page moves them without marking them held.
   */
  plannedAt: Date;
  /** Role ids to notify, without repeats: for a deadline, the page roles first. */
  roles: string[];
  /** True when the severity's page roles are paged again (deadline steps). */
  repage: boolean;
  /** One sentence for people: why these roles, and why now if it was held. */
  reason: string;
  heldBy?: HeldBy;
}

/** Someone asked for an escalation by hand (the Escalate button, `/fleet incident escalate`). */
export interface ManualEscalation {
  at: Date;
  roles: readonly string[];
  /** Who asked (a Slack user id). */
  by: string;
  reason?: string;
}

/** An ad-hoc maintenance window (emergency maintenance): `start` inclusive, `end` exclusive. */
export interface TimeWindow {
  start: Date;
  end: Date;
}

/** What happened to the incident, as far as escalation cares. */
export interface EscalationState {
  openedAt: Date;
  acknowledgedAt?: Date;
  resolvedAt?: Date;
  /** Flags set, with when; a flag set twice counts from its first time. */
  flags: readonly { flag: IncidentFlag; at: Date }[];
  /** In the order asked; a step's key is `manual.<index in this list>`, so append only. */
  manual: readonly ManualEscalation[];
  /** Keys of steps already delivered. */
  done: ReadonlySet<string>;
  /** Ad-hoc maintenance windows in force or planned, besides the recurring one of the policy. */
  windows: readonly TimeWindow[];
  /**
   * Extended monitoring after emergency maintenance: a step due inside one of these fires at its
   * time, whatever its severity's business hours or a maintenance window would say.
   */
  monitoring?: readonly TimeWindow[];
}

export interface Evaluation {
  /** Steps due at `now` (`dueAt <= now`), not yet done, in `dueAt` then key order. */
  due: EscalationStep[];
  /** The earliest step still to come: what the timer waits for and the message counts down to. */
  next?: EscalationStep;
  /** `next.dueAt`: when to evaluate again. Unset when nothing more is planned. */
  nextCheckAt?: Date;
  /** Every step not done, due or to come, in order: the preview of who gets notified when. */
  planned: EscalationStep[];
}

interface Held {
  dueAt: number;
  heldBy?: HeldBy;
  /** The hold that set `dueAt` last, in words. */
  holdText?: string;
}

const KIND_ORDER: Record<StepKind, number> = { page: 0, deadline: 1, rule: 2, flag: 3, manual: 4 };
const KEY_ORDER = new Intl.Collator('en', { numeric: true });

function two(value: number): string {
  return String(value).padStart(2, '0');
}

function weekdayOf(wall: Pick<WallClock, 'year' | 'month' | 'day'>) {
  // Stryker disable next-line StringLiteral: equivalent, getUTCDay() is 0-6, so WEEKDAYS always has the day
  return WEEKDAYS[new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay()] ?? 'sun';
}

function clockTime(text: string): { hour: number; minute: number } {
  const [hour = 0, minute = 0] = text.split(':').map(Number);
  return { hour, minute };
}

/** A duration as people say it: `15 min`, `1 h 30 min`, `1.7 s`. */
export function spokenDuration(ms: number): string {
  if (ms < 60_000) {
    const seconds = Math.round(ms / 100) / 10;
    return `${seconds} s`;
  }
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount} ${unit}`);
    rest -= amount * size;
  }
  return parts.join(' ');
}

/** `06:00 America/New_York` on the same local day as `from`, else `Mon 2026-03-09 09:00 America/New_York`. */
function localTime(at: number, from: number, timeZone: string): string {
  const wall = wallClockAt(new Date(at), timeZone);
  const start = wallClockAt(new Date(from), timeZone);
  const time = `${two(wall.hour)}:${two(wall.minute)} ${timeZone}`;
  if (wall.year === start.year && wall.month === start.month && wall.day === start.day) return time;
  const date = `${wall.year}-${two(wall.month)}-${two(wall.day)}`;
  const day = weekdayOf(wall);
  // Stryker disable next-line OptionalChaining: equivalent, a weekday's name is never empty
  return `${day[0]?.toUpperCase()}${day.slice(1)} ${date} ${time}`;
}

/**
 * Works out when a planned step may fire. One per evaluation: it caches the recurring maintenance
 * windows it looked up, so an evaluation costs a handful of time-zone conversions.
 */
class Holds {
  private readonly policy: EscalationPolicy;
  private readonly windows: readonly { start: number; end: number }[];
  private readonly monitoring: readonly { start: number; end: number }[];
  /** Recurring windows found, each the answer of `nextMaintenanceWindow` for any time in [from, end). */
  // Stryker disable next-line ArrayDeclaration: equivalent, an entry without from and end is never found
  private readonly recurring: { from: number; start: number; end: number }[] = [];

  constructor(policy: EscalationPolicy, windows: readonly TimeWindow[], monitoring: readonly TimeWindow[]) {
    this.policy = policy;
    this.windows = spans(windows);
    this.monitoring = spans(monitoring);
  }

  apply(planned: number): Held {
    const result: Held = { dueAt: planned };
    // A maintenance window can end outside business hours and business hours can start inside an
    // ad-hoc window: repeat until neither moves the time. Each move passes a window or reaches
    // business hours, so this ends; the cap only guards against a pathological list of windows.
    // Equivalent mutants in this loop: it ends by its break, so one round more, a counter that never
    // reaches the cap, `moved` set in a round that moved nothing, or no break (rounds that move
    // nothing, up to the cap) change nothing; after a business-hours move only the maintenance check
    // below can move the time again, and it sets `moved` itself. (The loop that never runs, or stops
    // after one move, is still caught: ConditionalExpression here, BooleanLiteral on the break.)
    // Stryker disable next-line EqualityOperator,AssignmentOperator: equivalent, see above
    for (let round = 0; round < 2 * this.windows.length + 8; round += 1) {
      if (this.monitoring.some((span) => span.start <= result.dueAt && result.dueAt < span.end)) break;
      // Stryker disable next-line BooleanLiteral: equivalent, see above
      let moved = false;
      if (this.policy.businessHoursOnly) {
        const start = this.businessStart(result.dueAt);
        if (start > result.dueAt) {
          const { timezone } = this.policy.businessHours;
          result.holdText = `held for business hours until ${localTime(start, planned, timezone)}`;
          result.dueAt = start;
          result.heldBy = 'business-hours';
          // Stryker disable next-line BooleanLiteral: equivalent, see above
          moved = true;
        }
      }
      if (this.policy.holdDuringMaintenance) {
        const end = this.maintenanceEnd(result.dueAt);
        if (end > result.dueAt) {
          const { timezone } = this.policy.maintenance;
          result.holdText = `held by the maintenance window until ${localTime(end, planned, timezone)}`;
          result.dueAt = end;
          result.heldBy = 'maintenance';
          moved = true;
        }
      }
      // Stryker disable next-line ConditionalExpression: equivalent, see above
      if (!moved) break;
    }
    return result;
  }

  /** `at` itself when inside business hours, else the next business-hours start. */
  private businessStart(at: number): number {
    const { days, start, end, timezone } = this.policy.businessHours;
    const wall = wallClockAt(new Date(at), timezone);
    const time = `${two(wall.hour)}:${two(wall.minute)}`;
    if (days.includes(weekdayOf(wall)) && start <= time && time < end) return at;
    const opening = clockTime(start);
    // Today's opening if it is still to come, else the first working day's: at most a week on.
    for (let offset = 0; offset <= 7; offset += 1) {
      const date = { year: wall.year, month: wall.month, day: wall.day + offset };
      const rolled = new Date(Date.UTC(date.year, date.month - 1, date.day));
      // Stryker disable next-line StringLiteral: equivalent, getUTCDay() is 0-6, so WEEKDAYS always has the day
      const day = WEEKDAYS[rolled.getUTCDay()] ?? 'sun';
      if (!days.includes(day)) continue;
      const candidate = instantOf({ ...date, ...opening }, timezone).getTime();
      // Stryker disable next-line EqualityOperator: equivalent, an opening at `at` itself is inside business hours, answered above
      if (candidate > at) return candidate;
    }
    return at; // Unreachable: `days` has at least one day, so a week holds an opening.
  }

  /** The end of the maintenance window `at` falls in, or `at` itself when it falls in none. */
  private maintenanceEnd(at: number): number {
    let end = at;
    for (const window of this.windows) {
      if (window.start <= at && at < window.end && window.end > end) end = window.end;
    }
    const recurring = this.recurringWindow(at);
    if (recurring.start <= at && at < recurring.end && recurring.end > end) end = recurring.end;
    return end;
  }

  private recurringWindow(at: number): { start: number; end: number } {
    // Equivalent mutants: the cache only spares conversions; a miss looks the same window up again.
    // Stryker disable next-line ArrowFunction: equivalent, see above
    const known = this.recurring.find((window) => window.from <= at && at < window.end);
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    if (known) return known;
    const window = nextMaintenanceWindow(this.policy.maintenance, new Date(at));
    const found = { from: at, start: window.start.getTime(), end: window.end.getTime() };
    // Stryker disable next-line CallExpression: equivalent, see above
    this.recurring.push(found);
    return found;
  }
}

// Equivalent mutants: an empty or inverted span contains no instant, so keeping it changes nothing.
// Stryker disable MethodExpression,ConditionalExpression,EqualityOperator: equivalent, see above
function spans(windows: readonly TimeWindow[]): { start: number; end: number }[] {
  return windows
    .map((window) => ({ start: window.start.getTime(), end: window.end.getTime() }))
    .filter((window) => window.end > window.start);
}
// Stryker restore MethodExpression,ConditionalExpression,EqualityOperator

function unique(roles: readonly string[]): string[] {
  return [...new Set(roles)];
}

function compareSteps(a: EscalationStep, b: EscalationStep): number {
  return (
    a.dueAt.getTime() - b.dueAt.getTime() ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    KEY_ORDER.compare(a.key, b.key)
  );
}

/**
 * Every step of the incident from open to now and beyond, and which of them are due at `now`.
 * Pure and cheap: at most `chain + maxDeadlineRepeats` deadlines, one per rule, flag and manual
 * escalation, each a few time-zone conversions.
 *
 * A step is dropped when what it is about no longer holds at `max(dueAt, now)`: nothing once the
 * incident is resolved, and no page or deadline once it is acknowledged (an overdue deadline not
 * yet delivered would tell people something false). Duration rules, flags and manual escalations
 * fire whether acknowledged or not.
 */
export function evaluate(policy: EscalationPolicy, state: EscalationState, now: Date): Evaluation {
  const nowMs = now.getTime();
  const openedAt = state.openedAt.getTime();
  const acknowledgedAt = state.acknowledgedAt?.getTime();
  const resolvedAt = state.resolvedAt?.getTime();
  const holds = new Holds(policy, state.windows, state.monitoring ?? []);
  const steps: EscalationStep[] = [];

  /** Whether a step due at `dueAt` still fires (before `now`, still true now; after, true then). */
  const live = (dueAt: number, stoppedByAck: boolean) => {
    const asOf = Math.max(dueAt, nowMs);
    if (resolvedAt !== undefined && resolvedAt <= asOf) return false;
    return !(stoppedByAck && acknowledgedAt !== undefined && acknowledgedAt <= asOf);
  };
  const add = (step: Omit<EscalationStep, 'dueAt' | 'plannedAt' | 'heldBy'>, planned: number, held: Held) => {
    const full: EscalationStep = {
      ...step,
      dueAt: new Date(held.dueAt),
      plannedAt: new Date(planned),
      ...(held.heldBy ? { heldBy: held.heldBy } : {}),
      reason: held.holdText ? `${step.reason}; ${held.holdText}` : step.reason,
    };
    if (!state.done.has(full.key)) steps.push(full);
  };

  // The page. Deadlines and duration rules count from its delivery: a page held until Monday
  // 09:00 gives people their full response time from then, rather than a pile of deadlines and
  // rules all due at 09:00 together. Someone who acknowledged a held incident needs no page.
  const page = holds.apply(openedAt);
  if (live(page.dueAt, true)) {
    add(
      {
        key: 'page',
        kind: 'page',
        roles: unique(policy.page),
        repage: false,
        reason: `${policy.severity} incident opened`,
      },
      openedAt,
      page,
    );
  }

  // Missed ack deadlines, each planned one response time after the previous one fired, so a
  // business-hours severity does not stack several levels on the next opening.
  const chain = policy.unacknowledgedChain;
  const deadlines = chain.length + policy.maxDeadlineRepeats;
  let previous = page.dueAt;
  for (let n = 1; n <= deadlines; n += 1) {
    const planned = previous + policy.responseTimeMs;
    const held = holds.apply(planned);
    // Later deadlines are no earlier, so the first one stopped stops them all.
    if (!live(held.dueAt, true)) break;
    const level = chain[Math.min(n, chain.length) - 1] ?? [];
    const response = `${spokenDuration(policy.responseTimeMs)} (${policy.severity} response time)`;
    add(
      {
        key: `deadline.${n}`,
        kind: 'deadline',
        roles: unique([...policy.page, ...level]),
        repage: true,
        reason:
          n === 1 ? `not acknowledged within ${response}` : `still not acknowledged after ${n} × ${response}`,
      },
      planned,
      held,
    );
    previous = held.dueAt;
  }

  policy.rules.forEach((rule, index) => {
    const planned = page.dueAt + rule.after;
    const held = holds.apply(planned);
    if (!live(held.dueAt, false)) return;
    const name = rule.when[0] ?? `rule ${index + 1}`;
    const age =
      rule.after === 0
        ? `${policy.severity} incident`
        : page.dueAt === openedAt
          ? `incident open for ${spokenDuration(rule.after)}`
          : `incident still open ${spokenDuration(rule.after)} after its page`;
    add(
      {
        key: `rule.${index}`,
        kind: 'rule',
        roles: [rule.to],
        repage: false,
        reason: `${age} (escalation rule: ${name})`,
      },
      planned,
      held,
    );
  });

  const flagged = new Map<IncidentFlag, number>();
  for (const { flag, at } of state.flags) {
    const time = at.getTime();
    const earlier = flagged.get(flag);
    if (earlier === undefined || time < earlier) flagged.set(flag, time);
  }
  for (const [flag, planned] of flagged) {
    const held = holds.apply(planned);
    if (!live(held.dueAt, false)) continue;
    const roles = unique(policy.flagRoles[flag] ?? []);
    add(
      { key: `flag.${flag}`, kind: 'flag', roles, repage: false, reason: `flagged ${flag}` },
      planned,
      held,
    );
  }

  // A person asked for these: never held, whatever the hour.
  state.manual.forEach((manual, index) => {
    const planned = manual.at.getTime();
    if (!live(planned, false)) return;
    add(
      {
        key: `manual.${index}`,
        kind: 'manual',
        roles: unique(manual.roles),
        repage: false,
        reason: `escalated by hand by ${manual.by}${manual.reason ? `: ${manual.reason}` : ''}`,
      },
      planned,
      { dueAt: planned },
    );
  });

  steps.sort(compareSteps);
  const due = steps.filter((step) => step.dueAt.getTime() <= nowMs);
  const next = steps.find((step) => step.dueAt.getTime() > nowMs);
  return next ? { due, next, nextCheckAt: next.dueAt, planned: steps } : { due, planned: steps };
}

/** An incident as `preview` imagines it: opened at `openedAt`, flagged, and nobody acknowledging. */
export interface PreviewInput {
  openedAt: Date;
  flags?: EscalationState['flags'];
  windows?: EscalationState['windows'];
}

/**
 * Who gets notified when if nobody acknowledges: the planned steps due within `horizonMs` of
 * opening (`fleetbot escalation preview`, the incident message's "next: …").
 */
export function preview(policy: EscalationPolicy, input: PreviewInput, horizonMs: number): EscalationStep[] {
  const { planned } = evaluate(
    policy,
    {
      openedAt: input.openedAt,
      flags: input.flags ?? [],
      manual: [],
      done: new Set(),
      windows: input.windows ?? [],
    },
    input.openedAt,
  );
  const until = input.openedAt.getTime() + horizonMs;
  return planned.filter((step) => step.dueAt.getTime() <= until);
}
