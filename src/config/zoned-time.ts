// Wall-clock arithmetic in an IANA time zone with nothing but Intl: enough for maintenance windows
// and business hours without a date library.

/** A calendar date and time of day as a clock on the wall in some zone shows it. Month is 1–12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  // Stryker disable next-line ConditionalExpression: equivalent, a cache miss every time builds an equal formatter (slower, same results)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    // Stryker disable next-line CallExpression: equivalent, not caching builds an equal formatter next time (slower, same results)
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** What a wall clock in `timeZone` shows at `epochMs`, with seconds, as if that were UTC. */
function wallAsUtc(epochMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) fields[part.type] = Number(part.value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The zone's offset from UTC at `epochMs`, in milliseconds (New York in winter: −5h). */
function offsetAt(epochMs: number, timeZone: string): number {
  const wholeSeconds = Math.floor(epochMs / 1_000) * 1_000;
  return wallAsUtc(wholeSeconds, timeZone) - wholeSeconds;
}

/** The wall-clock reading in `timeZone` at `instant`. */
export function wallClockAt(instant: Date, timeZone: string): WallClock {
  const wall = new Date(wallAsUtc(instant.getTime(), timeZone));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
  };
}

/**
 * The instant at which a wall clock in `timeZone` shows `wall`. Day or month overflow rolls over
 * (day 32 is the 1st of the next month). Around DST changes it resolves like Temporal's
 * `'compatible'`: a repeated time (autumn) is its first occurrence, a skipped time (spring) is
 * moved later by the gap (02:30 on a spring-forward night in New York is 03:30 EDT).
 */
export function instantOf(wall: WallClock, timeZone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // The zone can change offset at most once within a day either side of any moment it is used for.
  const before = offsetAt(asUtc - 86_400_000, timeZone);
  const after = offsetAt(asUtc + 86_400_000, timeZone);
  const matches = [asUtc - before, asUtc - after].filter(
    (candidate) => wallAsUtc(candidate, timeZone) === asUtc,
  );
  if (matches.length > 0) return new Date(Math.min(...matches));
  // Skipped by a spring-forward: read the wall time with the offset in force before the jump.
  return new Date(asUtc - before);
}

/**
 * `2026-12-06 02:00` (a date and a time as people type them, given apart or together) read as a wall
 * clock in `timeZone`; undefined when it is not that shape.
 */
export function localDateTime(text: string, timeZone: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return instantOf({ year, month, day, hour, minute }, timeZone);
}
