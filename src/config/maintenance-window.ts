import type { Config } from './config.ts';
import { WEEKDAYS } from './schema-kit.ts';
import { instantOf, wallClockAt } from './zoned-time.ts';

/** One occurrence of the maintenance window: `start` inclusive, `end` exclusive. */
export interface MaintenanceWindow {
  start: Date;
  end: Date;
}

type Schedule = Config['maintenance']['schedule'];

const WEEK_OFFSETS = { first: 0, second: 7, third: 14, fourth: 21 } as const;

/** Day of the month (1–31) of the scheduled weekday, e.g. the first Sunday of March 2026 → 1. */
function scheduledDay(year: number, month: number, schedule: Schedule): number {
  const weekday = WEEKDAYS.indexOf(schedule.day);
  if (schedule.week === 'last') {
    const last = new Date(Date.UTC(year, month, 0));
    return last.getUTCDate() - ((last.getUTCDay() - weekday + 7) % 7);
  }
  const firstWeekday = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return 1 + ((weekday - firstWeekday + 7) % 7) + WEEK_OFFSETS[schedule.week];
}

function clockTime(time: string): { hour: number; minute: number } {
  const [hour = 0, minute = 0] = time.split(':').map(Number);
  return { hour, minute };
}

function windowIn(
  maintenance: Pick<Config['maintenance'], 'schedule' | 'start' | 'end' | 'timezone'>,
  year: number,
  month: number,
): MaintenanceWindow {
  const day = scheduledDay(year, month, maintenance.schedule);
  // An end earlier than the start is on the next day; instantOf rolls day overflow into the next month.
  const endDay = maintenance.end > maintenance.start ? day : day + 1;
  return {
    start: instantOf({ year, month, day, ...clockTime(maintenance.start) }, maintenance.timezone),
    end: instantOf({ year, month, day: endDay, ...clockTime(maintenance.end) }, maintenance.timezone),
  };
}

/**
 * The maintenance window in progress at `now`, or else the next one to start. Times are wall-clock
 * times in the window's zone, converted for that very date, so a window on a DST-change night
 * is as long as the clocks say (02:00–06:00 on the night clocks fall back is 4 real hours; on a
 * night they spring forward over the start, the window starts at 03:00).
 */
export function nextMaintenanceWindow(
  maintenance: Pick<Config['maintenance'], 'schedule' | 'start' | 'end' | 'timezone'>,
  now: Date,
): MaintenanceWindow {
  const today = wallClockAt(now, maintenance.timezone);
  const month = (offset: number) => {
    const first = new Date(Date.UTC(today.year, today.month - 1 + offset, 1));
    return [first.getUTCFullYear(), first.getUTCMonth() + 1] as const;
  };
  // Last month's window can still be running only if it crosses midnight into this month.
  for (const offset of [-1, 0]) {
    const window = windowIn(maintenance, ...month(offset));
    if (window.end > now) return window;
  }
  return windowIn(maintenance, ...month(1));
}
