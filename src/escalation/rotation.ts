import type { Config } from '../config/config.ts';
import { WEEKDAYS } from '../config/schema-kit.ts';
import { instantOf, wallClockAt } from '../config/zoned-time.ts';

export type Rotation = Config['oncall']['rotations'][string];

/** Who is on call in a rotation at an instant, since when and until when. */
export interface Turn {
  member: string;
  /** The handoff that began this turn. */
  from: Date;
  /** The next handoff. */
  until: Date;
  /** Who takes over then. */
  next: string;
}

const DAY_MS = 86_400_000;

/**
 * The handoff instants of a rotation are wall-clock times in its zone (09:00 stays 09:00 across DST),
 * one a day or one a week on its day. Handoff k (k = 0 at `start`'s first handoff) begins member
 * k mod n's turn. Pure: `at` is the only time it knows.
 */
export function turnAt(rotation: Rotation, at: Date): Turn {
  const { handoff, members } = rotation;
  const step = handoff.every === 'daily' ? 1 : 7;
  const [hour = 9, minute = 0] = handoff.time.split(':').map(Number);
  const [year = 1970, month = 1, day = 1] = rotation.start.split('-').map(Number);
  // The first handoff: `start`, moved forward to the handoff's weekday for weekly rotations.
  const startDay = Date.UTC(year, month - 1, day);
  const offset =
    handoff.every === 'weekly' ? (WEEKDAYS.indexOf(handoff.day) - new Date(startDay).getUTCDay() + 7) % 7 : 0;
  const firstDay = startDay + offset * DAY_MS;
  const handoffAt = (k: number) => {
    const date = new Date(firstDay + k * step * DAY_MS);
    return instantOf(
      { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour, minute },
      handoff.timezone,
    );
  };
  // Estimate the turn from the local calendar date, then settle it against the real instants.
  // Equivalent mutants below: a handoff's local date is never after the instant's, so the estimate is
  // never below the turn, and the second loop is a guard that does not run (checked on 4 million
  // instants, in zones whose clocks change at midnight too); an estimate too high (`month + 1`,
  // `localDay + firstDay`) costs iterations of the first loop, not a different answer.
  const local = wallClockAt(at, handoff.timezone);
  // Stryker disable next-line ArithmeticOperator: equivalent, see above
  const localDay = Date.UTC(local.year, local.month - 1, local.day);
  // Stryker disable next-line ArithmeticOperator: equivalent, see above
  let k = Math.floor((localDay - firstDay) / (step * DAY_MS));
  // Stryker disable next-line EqualityOperator: equivalent, `>=` steps below a handoff at `at`, the next loop steps back
  while (handoffAt(k) > at) k -= 1;
  // Stryker disable next-line all: equivalent, see above
  while (handoffAt(k + 1) <= at) k += 1;
  const member = (index: number) =>
    // Stryker disable next-line StringLiteral: equivalent, the index is in range: a rotation has at least one member
    members[((index % members.length) + members.length) % members.length] ?? '';
  return { member: member(k), from: handoffAt(k), until: handoffAt(k + 1), next: member(k + 1) };
}
